"""kesu's own words in the user's language: gettext, with the language chosen once per command.

The language is ``KESU_LANG`` (``en`` or ``zh-CN``), else the archive's
``locale`` in kesu.yaml, else the environment (``LC_ALL``, ``LC_MESSAGES``,
``LANG``: a Chinese one gives zh-CN), else English. ``kesu.cli`` chooses it
before it builds the commands, so help texts, prompts, tables, reports and
errors all speak it.

Strings are marked ``_("…")`` where they are written; ``N_("…")`` marks one
that is translated later (a table of labels). The catalog is
``kesu/locale/zh_CN/LC_MESSAGES/kesu.po``; ``make catalog`` extracts the
marked strings, the help texts and the command docstrings into it and
compiles ``kesu.mo``, which ships in the package (no Babel at run time).
"""

from __future__ import annotations

import functools
import gettext
import os
import re
from pathlib import Path

LANGUAGES = ("en", "zh-CN")
DOMAIN = "kesu"
LOCALEDIR = Path(__file__).parent / "locale"

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def choose(language: str) -> None:
    """Speak ``language`` (``en`` or ``zh-CN``) from now on, in this process."""
    global _translation, _language
    _language = language if language in LANGUAGES else "en"
    _translation = translation_for(_language)


@functools.lru_cache(maxsize=None)
def translation_for(language: str) -> gettext.NullTranslations:
    """kesu's catalog for ``language`` whatever this command speaks: what is written
    for someone else (an alert, in the archive's locale) uses it, not ``_()``."""
    if language not in LANGUAGES or language == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALEDIR, [language.replace("-", "_")], fallback=True)


def language() -> str:
    return _language


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog; translate it with ``_()`` where it is shown."""
    return message


_LOCALE_LINE = re.compile(r"^locale:\s*['\"]?([A-Za-z-]+)", re.M)


def detect(archive: str | None = None, environ=os.environ) -> str:
    """The language of this command (see the module's docstring)."""
    chosen = environ.get("KESU_LANG", "").strip()
    if chosen:
        return "zh-CN" if chosen.replace("_", "-").lower().startswith("zh") else "en"
    found = _archive_locale(archive or environ.get("KESU_ARCHIVE"))
    if found in LANGUAGES:
        return found
    for key in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(key, "")
        if value:
            return "zh-CN" if value.lower().startswith("zh") else "en"
    return "en"


def _archive_locale(given: str | None) -> str | None:
    """``locale`` of the archive's kesu.yaml, read cheaply (no YAML parser, no checks)."""
    folder = Path(given) if given else Path.cwd()
    for candidate in [folder, *folder.resolve().parents] if not given else [folder]:
        policy = candidate / "kesu.yaml"
        try:
            if policy.is_file():
                match = _LOCALE_LINE.search(policy.read_text(encoding="utf-8", errors="replace")[:65536])
                return match.group(1) if match else "zh-CN"  # kesu.yaml's default
        except OSError:
            return None
    return None


#: The words typer and its click print around kesu's own (they carry no catalog of their own).
CLICK_WORDS = (N_("Usage: "), N_("Options"), N_("Arguments"), N_("Commands"), N_("required"),
               N_("default: {default}"), N_("Show this message and exit."), N_("Aborted!"),
               # the usage line: kesu [OPTIONS] COMMAND [ARGS]... (kesu.cli puts these in)
               N_("[OPTIONS]"), N_("COMMAND [ARGS]..."),
               # a section's heading (Options:), and what an option takes when it names nothing
               N_("{heading}:"), N_("TEXT"), N_("NUMBER"), N_("FILE"),
               # typer's completion options on ``kesu --help`` (kesu.cli translates every option's help)
               N_("Install completion for the current shell."),
               N_("Show completion for the current shell, to copy it or customize the installation."),
               N_("Install completion for the specified shell."),
               N_("Show completion for the specified shell, to copy it or customize the installation."))
_patched = False


def patch_typer() -> None:
    """Route typer's and click's help words through kesu's catalog (once per process)."""
    global _patched
    if _patched:
        return
    _patched = True
    import typer.core as typer_core
    from typer._click import core as click_core
    from typer._click import formatting

    from kesu import helpformat
    typer_core._ = _
    helpformat.install()
    write_usage = formatting.HelpFormatter.write_usage

    def translated_usage(self, prog, args="", prefix=None):
        return write_usage(self, prog, args, _("Usage: ") if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = translated_usage
    get_help_option = click_core.Command.get_help_option

    def translated_help_option(self, ctx):
        option = get_help_option(self, ctx)
        if option is not None and option.help:
            option.help = _("Show this message and exit.")
        return option

    click_core.Command.get_help_option = translated_help_option


#: click's error messages (it has no catalog): pattern -> kesu's words for them. Every
#: message typer's click raises about options and arguments (typer/_click: exceptions.py,
#: parser.py, core.py, types.py; typer: core.py, _types.py, models.py).
_CLICK_ERRORS = (
    (re.compile(r"^No such command '(?P<name>.*)'\.(?: Did you mean (?P<hint>.*)\?)?$"),
     N_("no such command '{name}'"), N_("no such command '{name}'; did you mean {hint}?")),
    (re.compile(r"^No such option: (?P<name>\S+)(?: Did you mean (?P<hint>\S+)\?)?"
                r"(?: \(Possible options: (?P<choices>.*)\))?$"),
     N_("no such option: {name}"), N_("no such option: {name}; did you mean {hint}?")),
    (re.compile(r"^Missing argument '(?P<name>.*)'\.$"), N_("missing argument {name}"), None),
    (re.compile(r"^Missing option '(?P<name>.*)'\.$"), N_("missing option {name}"), None),
    (re.compile(r"^Missing (?:\w+ '(?P<name>.*)'\.|parameter: (?P<param>.*))$"), N_("missing {name}"), None),
    (re.compile(r"^Invalid value for '(?P<name>[^']*)': '(?P<value>.*)' is not one of (?P<choices>.*)\.$"),
     N_("{name}: '{value}' is not one of {choices}"), None),
    (re.compile(r"^Invalid value(?: for '(?P<name>[^']*)')?: (?P<value>.*)$", re.S),
     N_("{name}: invalid value: {value}"), None),
    (re.compile(r"^Option '(?P<name>.*)' requires an argument\.$"), N_("option '{name}' needs a value"), None),
    (re.compile(r"^Option '(?P<name>.*)' requires (?P<count>\d+) arguments\.$"),
     N_("option '{name}' needs {count} values"), None),
    (re.compile(r"^Option '(?P<name>.*)' does not take a value\.$"), N_("option '{name}' takes no value"), None),
    (re.compile(r"^Argument '(?P<name>.*)' takes (?P<count>\d+) values\.$"),
     N_("argument {name} takes {count} values"), None),
    (re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((?P<value>.*)\)$"),
     N_("unexpected extra arguments: {value}"), None),
)
#: What is wrong with a value (click's "Invalid value for '--x': <this>").
_CLICK_VALUE_ERRORS = (
    (re.compile(r"^'(?P<value>.*)' is not one of (?P<choices>.*)\.$"), N_("'{value}' is not one of {choices}")),
    (re.compile(r"^(?P<value>.*) is not in the range (?P<range>.*)\.$"), N_("{value} is not in the range {range}")),
    (re.compile(r"^'(?P<value>.*)' is not a valid (?:integer|int)(?: range)?\.$"),
     N_("'{value}' is not a whole number")),
    (re.compile(r"^'(?P<value>.*)' is not a valid float(?: range)?\.$"), N_("'{value}' is not a number")),
    (re.compile(r"^'(?P<value>.*)' is not a valid boolean\. Recognized values: (?P<choices>.*)$"),
     N_("'{value}' is not yes or no ({choices})")),
    (re.compile(r"^'(?P<value>.*)' is not a valid (?P<kind>\w+)\.$"), N_("'{value}' cannot be read")),
    (re.compile(r"^'(?P<value>.*)' does not match the formats (?P<choices>.*)\.$"),
     N_("'{value}' matches none of the formats {choices}")),
    (re.compile(r"^(?:\d+ values are required, but (?P<given>\d+) given|Takes \d+ values but (?P<n>\d+) given)"
                r"\.$"), N_("the wrong number of values")),
    (re.compile(r"^Value must be an iterable\.$"), N_("the wrong number of values")),
    (re.compile(r"^\w+ '(?P<value>.*)' does not exist\.$"), N_("{value}: no such file or folder")),
    (re.compile(r"^\w+ '(?P<value>.*)' is a file\.$"), N_("{value} is a file, not a folder")),
    (re.compile(r"^\w+ '(?P<value>.*)' is a directory\.$"), N_("{value} is a folder, not a file")),
    (re.compile(r"^\w+ '(?P<value>.*)' is not readable\.$"), N_("{value} may not be read")),
    (re.compile(r"^\w+ '(?P<value>.*)' is not writable\.$"), N_("{value} may not be written")),
)


def click_message(message: str) -> str:
    """A usage error from click in kesu's words (the message as it is when none fits)."""
    message = message.strip()
    for pattern, words, hinted in _CLICK_ERRORS:
        match = pattern.match(message)
        if match:
            found = {k: v or "" for k, v in match.groupdict().items()}
            if "value" in found and words == N_("{name}: invalid value: {value}"):
                found["value"] = _value_problem(found["value"])
                if not found["name"]:
                    return _("invalid value: {value}").format(**found)
            if found.get("param"):
                found["name"] = found["param"]
            if hinted and (found.get("hint") or found.get("choices")):
                found["hint"] = found["hint"] or found.get("choices", "")
                return _(hinted).format(**found)
            return _(words).format(**found)
    return message


def _value_problem(problem: str) -> str:
    for pattern, words in _CLICK_VALUE_ERRORS:
        match = pattern.match(problem.strip())
        if match:
            return _(words).format(**{k: v or "" for k, v in match.groupdict().items()})
    return problem
