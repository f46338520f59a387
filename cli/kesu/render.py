"""Rendering replies and case-library entries from Jinja templates.

Templates run in Jinja's immutable sandbox with StrictUndefined: a template
in an archive cannot reach Python internals, cannot change the data it is
given, cannot read files outside the template folders, and a name it
misspells is an error with its line, never a blank in a letter to a customer.
An archive's ``templates/`` overrides the shipped ones by relative name.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from kesu.errors import UsageError
from kesu.i18n import _
from kesu.masking import mask_contact, mask_name

#: Output larger than this is cut off: a reply or an entry is never this long,
#: so a template that produces it is looping.
MAX_OUTPUT = 256 * 1024
LOCALES = ("zh-CN", "en")
def money(value: Any, locale: str = "zh-CN") -> str:
    from kesu.yamlio import money as to_decimal

    amount = value if isinstance(value, Decimal) else to_decimal(value)
    return f"¥{amount:,.2f}" if locale == "zh-CN" else f"CNY {amount:,.2f}"


def format_time(value: Any, locale: str = "zh-CN", tz=None) -> str:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if tz is not None:
        moment = moment.astimezone(tz)
    if locale == "zh-CN":
        return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"
    return f"{moment.day} {moment:%b %Y %H:%M}"


def duration(minutes: Any, locale: str = "zh-CN") -> str:
    total = int(round(float(minutes)))
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    if locale == "zh-CN":
        parts = [f"{days}天" if days else "", f"{hours}小时" if hours else "", f"{mins}分" if mins else ""]
        return "".join(parts) or "0分"
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{mins} min" if mins else ""]
    return " ".join(p for p in parts if p) or "0 min"


def spell_duration(text: Any, clock: str = "wall", locale: str = "zh-CN") -> str:
    """A duration as kesu.yaml and ``extend --by`` write it (``1d``, ``3wd``, ``4h``) in a
    letter's words: ``1 天``, ``3 个工作日``; ``1 day``, ``3 working days``, ``4 business hours``."""
    from kesu.values import say_duration

    if locale == "zh-CN":
        return say_duration(text, clock, locale)
    from kesu.deadlines import split_duration

    try:
        amount, unit = split_duration(text)
    except UsageError:
        return str(text)
    word = {"m": "minute", "h": "hour", "d": "day", "wd": "working day"}[unit]
    if clock == "business" and unit in ("m", "h"):
        word = "business " + word
    return f"{amount} {word}{'' if amount == 1 else 's'}"


class Renderer:
    """Templates of one archive (its overrides first, then the shipped ones)."""

    def __init__(self, archive, locale: str | None = None):
        from kesu.resources import shipped

        self.archive = archive
        self.locale = locale or archive.policy.locale
        if self.locale not in LOCALES:
            raise UsageError(_("locale {locale!r} is not one of: {allowed}").format(locale=self.locale, allowed=", ".join(LOCALES)))
        self.folders = [archive.root / "templates", shipped("templates")]
        self.env = self._environment()

    def _environment(self):
        from jinja2 import StrictUndefined

        from kesu.template_bounds import BoundedSandbox, bounded_filters

        tz = self.archive.policy.tz
        env = BoundedSandbox(
            loader=_OwnFilesLoader([str(f) for f in self.folders if f.is_dir()], followlinks=False),
            undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True,
            trim_blocks=True, lstrip_blocks=True)
        env.filters.update(
            mask_name=mask_name, mask_contact=mask_contact, mask_phone=mask_contact,
            money=lambda v: money(v, self.locale),
            datetime=lambda v: format_time(v, self.locale, tz),
            duration=lambda v: duration(v, self.locale),
            span=lambda v, clock="wall": spell_duration(v, clock, self.locale),
            label=self._label, compensation=self._compensation)
        env.filters.update(bounded_filters(env.filters))
        return env

    def _label(self, code: Any) -> str:
        """A vocabulary code (category, channel, state, step, return visit …) as
        people read it in the template's language, kesu.yaml's labels first."""
        from kesu.vocab import label

        return label(code, self.locale, self.archive.policy, readable=True)

    def _compensation(self, kind: Any) -> str:
        """A compensation kind as a letter names it: its label (kesu.yaml's first); the
        shipped English ones in lower case, as a letter's list has them (``- refund: …``)."""
        from kesu.vocab import LABELS, label

        word = label(kind, self.locale, self.archive.policy, readable=True)
        shipped = LABELS.get(str(kind), ("", ""))[1]
        return word[:1].lower() + word[1:] if self.locale == "en" and word == shipped else word

    def render(self, name: str, context: dict) -> str:
        from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError
        from jinja2.exceptions import SecurityError

        from kesu.template_bounds import TemplateTooCostly, cpu_time_limit

        if ".." in Path(name).parts or Path(name).is_absolute():
            raise UsageError(_("template {name!r} is outside the template folders").format(name=name))
        try:
            with cpu_time_limit():
                template = self.env.get_template(name)
                chunks, size = [], 0
                for chunk in template.generate(**context):
                    size += len(chunk)
                    if size > MAX_OUTPUT:
                        raise UsageError(_("templates/{name}: output exceeds {size} KiB; is the template looping?").format(
                            name=name, size=MAX_OUTPUT // 1024))
                    chunks.append(chunk)
                return "".join(chunks)
        except RecursionError:
            raise UsageError(_("the template includes or calls itself without end"),
                             *self._located(name)) from None
        except (TemplateTooCostly, OverflowError, MemoryError) as exc:
            raise UsageError(_("the template asks for too much: {reason}").format(reason=exc), *self._located(name)) from None
        except TemplateNotFound as exc:
            raise UsageError(_("no template {name!r} (looked in {folders})").format(
                name=exc.name, folders=", ".join(str(f) for f in self.folders))) from None
        except TemplateSyntaxError as exc:
            raise UsageError(exc.message or _("syntax error"), self._where(exc.name or name), exc.lineno) from None
        except SecurityError as exc:
            raise UsageError(_("not allowed in a template: {reason}").format(reason=exc), *self._located(name)) from None
        except TemplateError as exc:
            raise UsageError(str(exc), *self._located(name)) from None

    def _where(self, name: str) -> str:
        for folder in self.folders:
            if (folder / name).is_file():
                return self.archive.rel(folder / name) if folder == self.folders[0] else f"templates/{name}"
        return f"templates/{name}"

    def _located(self, name: str) -> tuple[str, int | None]:
        """The template and line of the error being handled, from its traceback."""
        import sys
        import traceback

        line = None
        for frame in traceback.extract_tb(sys.exc_info()[2]):
            if frame.filename and frame.filename.endswith(".j2"):
                line = frame.lineno
                name = Path(frame.filename).name if not frame.filename.endswith(name) else name
        return self._where(name), line


def _OwnFilesLoader(folders: list[str], followlinks: bool = False):
    """Jinja's file loader, refusing a template that is a symbolic link or
    resolves outside its folder (``templates/reply/ack.zh-CN.j2 -> /etc/passwd``)."""
    from jinja2 import FileSystemLoader

    class OwnFilesLoader(FileSystemLoader):
        def get_source(self, environment, template):
            source, filename, uptodate = super().get_source(environment, template)
            path = Path(filename)
            inside = any(path.resolve().is_relative_to(Path(folder).resolve()) for folder in self.searchpath)
            if path.is_symlink() or not inside:
                raise UsageError(_("templates/{name}: is a symbolic link or lies outside the template folders; kesu "
                                   "does not read it").format(name=template))
            return source, filename, uptodate

    return OwnFilesLoader(folders, followlinks=followlinks)


# ------------------------------------------------------------------ contexts
#: Optional fields a template may test with ``{% if %}``: filled with None when
#: absent, so StrictUndefined still catches a misspelt name but not a field
#: that a case simply does not have yet.
OPTIONAL = {
    "": ("store", "acknowledgement", "classification", "assignment", "investigation", "plan",
         "customer_response", "resolution", "follow_up", "closure", "library"),
    "complaint": ("demands", "location", "occurred_at"),
    "classification": ("subcategory",),
    "assignment": ("department",),
    "investigation": ("responsibility", "root_cause"),
    "plan": ("legal_basis", "commitment", "total"),
    "follow_up": ("note",),
    "library": ("value", "caveats", "typical"),
}
OPTIONAL_LISTS = {"": ("escalations", "actions", "extensions", "notes", "reopenings"),
                  "complaint": ("subjects",), "investigation": ("findings",),
                  "plan": ("steps", "compensation"), "library": ("five_whys",)}


def template_case(case: dict) -> dict:
    """``case`` with every optional field present (None or [] when absent)."""
    view = dict(case)
    for key in OPTIONAL[""]:
        view.setdefault(key, None)
    for key in OPTIONAL_LISTS[""]:
        view.setdefault(key, [])
    for section in set(OPTIONAL) | set(OPTIONAL_LISTS):
        if section and isinstance(view.get(section), dict):
            view[section] = {**{k: None for k in OPTIONAL.get(section, ())},
                             **{k: [] for k in OPTIONAL_LISTS.get(section, ())}, **view[section]}
    return view
