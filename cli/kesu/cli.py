"""The ``kesu`` command: builds the typer app and maps errors to exit codes.

This is the only place that turns a ``KesuError`` into output and an exit
code. Each command lives in a module of ``kesu.commands`` (its ``COMMANDS``
dict); only the command being run is imported and registered, so ``kesu ack``
does not pay for building ``kesu report`` (typer inspects every registered
signature at start-up).
"""

from __future__ import annotations

import errno
import os
import sys
from contextlib import contextmanager
from importlib import import_module
from typing import Iterator, Sequence

from kesu.lifecycle import STEP_COMMANDS

#: command name -> module in kesu.commands that registers it; every step of the
#: transition table is a command of ``steps`` (a test holds the two together).
COMMANDS: dict[str, str] = {
    "init": "setup", "demo": "demo",
    "new": "intake",
    "show": "view", "list": "view", "history": "view", "find": "find",
    "export": "export",
    "validate": "check",
    **{action: "steps" for action in STEP_COMMANDS},
    "edit": "edit", "policy": "policy",
    "attach": "evidence", "claimant": "claimants",
    "audit": "audit",
    "overdue": "overdue", "alert": "alert",
    "reply": "reply", "library": "library",
    "report": "report", "import": "importing",
    "clone": "team", "setup": "team", "sync": "team", "merge-driver": "team",
}

#: Commands git runs, not people: registered, but not listed in --help.
HIDDEN = {"merge-driver"}

HELP = """kesu — run the complaint desk out of a git repository.

Every complaint is one YAML file under cases/; every step (acknowledge,
dispatch, investigate, propose, notify, ...) is one git commit that says who
did what and when. Start with 'kesu init', record complaints with 'kesu new',
and see what is due with 'kesu list' and 'kesu overdue'.
"""


def _archive_given(argv: list[str]) -> str | None:
    """The ``--archive PATH`` on the command line, wherever it stands."""
    for i, arg in enumerate(argv):
        if arg == "--archive" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--archive="):
            return arg.split("=", 1)[1]
    return None


def _requested_command(argv: list[str]) -> str | None:
    """The sub-command named on the command line (skipping global options)."""
    args = iter(argv)
    for arg in args:
        if arg in ("--help", "-h", "--version", "--install-completion", "--show-completion"):
            return None
        if arg == "--archive":
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def build_app(only: str | None = None):
    import typer

    from kesu.i18n import _

    app = typer.Typer(help=_(HELP), no_args_is_help=True, add_completion=True,
                      pretty_exceptions_enable=False, rich_markup_mode=None,
                      context_settings={"help_option_names": ["-h", "--help"]})

    @app.callback()
    def _global(
        archive: str = typer.Option(None, "--archive", metavar="PATH",
                                    help="The archive to use (default: KESU_ARCHIVE, or the nearest folder up with kesu.yaml)."),
        debug: bool = typer.Option(False, "--debug", help="Show tracebacks of unexpected errors."),
        version: bool = typer.Option(False, "--version", is_eager=True, callback=_print_version,
                                     help="Print kesu's version and exit."),
        no_pager: bool = typer.Option(False, "--no-pager", help="Never send long output through a pager."),
    ) -> None:
        if no_pager:
            os.environ["KESU_PAGER"] = "cat"
        if archive:
            # Through the environment, so that what kesu starts (git and its
            # hooks, $EDITOR) works on the same archive; run() puts it back.
            os.environ["KESU_ARCHIVE"] = archive

    for name in [only] if only in COMMANDS else COMMANDS:
        command = import_module(f"kesu.commands.{COMMANDS[name]}").COMMANDS[name]
        if isinstance(command, typer.Typer):
            app.add_typer(command, name=name)
        else:
            app.command(name, hidden=name in HIDDEN)(command)
    return app


def _translated(command):
    """The click command tree with every help text in kesu's language.

    typer reads help texts when the commands are defined, once per process;
    they are translated here, on the tree built for this one command, so an
    in-process caller may switch language between commands.
    """
    from kesu.i18n import _

    stack = [command]
    while stack:
        node = stack.pop()
        if node.help:
            node.help = _(node.help)
        if getattr(node, "options_metavar", None) == "[OPTIONS]":
            node.options_metavar = _("[OPTIONS]")
        if getattr(node, "subcommand_metavar", None) == "COMMAND [ARGS]...":
            node.subcommand_metavar = _("COMMAND [ARGS]...")
        if getattr(node, "short_help", None):
            node.short_help = _(node.short_help)
        for param in node.params:
            if getattr(param, "help", None):
                param.help = _(param.help)
            if param.param_type_name == "option" and param.metavar is None and not param.is_flag:
                kind = _METAVARS.get(param.type.name)
                param.metavar = _(kind) if kind and param.type.get_metavar(param=param, ctx=None) is None else None
        stack.extend(getattr(node, "commands", {}).values())
    return command


#: What an option takes, when it names nothing (click would write ``<str>``).
_METAVARS = {"str": "TEXT", "int": "NUMBER", "int range": "NUMBER", "float": "NUMBER",
             "float range": "NUMBER", "filename": "FILE", "path": "FILE"}


def _print_version(value: bool) -> None:
    if value:
        import typer
        from importlib.metadata import version

        print(f"kesu {version('kesu')}")  # noqa: kesu's name and number, in every language
        raise typer.Exit()


def main(argv: list[str] | None = None) -> None:
    code = run(sys.argv[1:] if argv is None else argv)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    # Everything kesu writes is flushed and closed by now; skipping the
    # interpreter's tear-down of every imported module saves ~10 ms a call.
    os._exit(code)


def run(argv: Sequence[str] | None = None, debug: bool | None = None) -> int:
    """Run one kesu command in this process and return its exit code.

    It never exits the process, and it can be called many times in one
    process: whatever a command changes for the whole process (the
    environment, the standard streams, the exception hook) is put back before
    it returns. ``debug`` defaults to ``--debug`` on the command line or
    ``KESU_DEBUG`` in the environment.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if debug is None:
        debug = "--debug" in argv or bool(os.environ.get("KESU_DEBUG"))
    with _one_invocation():
        code = _invoke(argv, debug)
        journal = sys.modules.get("kesu.journal")
        for note in journal.take_notes() if journal else []:
            _err(note)
        return code


@contextmanager
def _one_invocation() -> Iterator[None]:
    """Put back, after one command, what it may change for the process.

    ``--archive`` sets KESU_ARCHIVE, and click replaces sys.stdout and
    sys.stderr when the reader of a pipe goes away; typer installs its own
    ``sys.excepthook`` each time an app is called.
    """
    environ = dict(os.environ)
    streams = sys.stdin, sys.stdout, sys.stderr
    excepthook = sys.excepthook
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):  # None, a gone reader, closed
                pass
        sys.stdin, sys.stdout, sys.stderr = streams
        sys.excepthook = excepthook
        for key in os.environ.keys() - environ.keys():
            del os.environ[key]
        for key, value in environ.items():
            if os.environ.get(key) != value:
                os.environ[key] = value


def _invoke(argv: list[str], debug: bool) -> int:
    import typer

    from kesu.errors import EXIT_INTERRUPTED, EXIT_USAGE, KesuError

    try:  # typer 0.28 carries its own copy of click
        from typer._click.exceptions import NoArgsIsHelpError
    except ImportError:  # pragma: no cover - typer on the public click
        from click.exceptions import NoArgsIsHelpError

    from kesu import i18n
    from kesu.i18n import _

    i18n.choose(i18n.detect(_archive_given(argv)))
    i18n.patch_typer()
    try:
        # Shell completion asks about every command.
        app = build_app(None if "_KESU_COMPLETE" in os.environ else _requested_command(argv))
        result = _translated(typer.main.get_command(app)).main(args=argv, prog_name="kesu",
                                                               standalone_mode=False)
        if result == EXIT_INTERRUPTED:  # typer turns Ctrl-C into this exit code
            _err("kesu: " + _("interrupted (a step that had not been committed was rolled back)"))
        return result if isinstance(result, int) else 0
    except KesuError as exc:
        _err(f"kesu: {exc}" if not exc.path else str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _err("kesu: " + _("interrupted (a step that had not been committed was rolled back)"))
        return EXIT_INTERRUPTED
    except typer.Abort:
        _err("kesu: " + _("aborted; nothing was changed"))
        return EXIT_INTERRUPTED
    except NoArgsIsHelpError as exc:
        # 'kesu' or 'kesu report' alone asks what there is: help, on stdout, and no error.
        try:
            print(exc.ctx.get_help())
        except BrokenPipeError:
            pass
        return 0
    except typer.TyperException as exc:  # bad flag, missing argument, bad choice
        message = i18n.click_message(exc.format_message() if hasattr(exc, "format_message") else str(exc))
        ctx = getattr(exc, "ctx", None)
        hint = " " + _("(see '{command} --help')").format(command=ctx.command_path) if ctx is not None else ""
        _err(f"kesu: {message}{hint}")
        return getattr(exc, "exit_code", EXIT_USAGE) or EXIT_USAGE
    except BrokenPipeError:
        return 0
    except OSError as exc:
        if exc.errno not in _NOT_ALLOWED:
            return _bug(exc, debug)
        # Not kesu's fault: the archive (or a file named on the command line) may not be written.
        _err("kesu: " + _("cannot write {file}: {reason}").format(file=exc.filename or _("a file"),
                                                                  reason=exc.strerror))
        return EXIT_USAGE
    except SystemExit as exc:
        # click exits with status 1 when the reader of stdout goes away
        # (``kesu list | head``): that reader had all it wanted, so it is no
        # problem found; for shell completion (_KESU_COMPLETE), report the
        # status as the interpreter would have.
        if type(sys.stdout).__name__.endswith("PacifyFlushWrapper"):
            return 0
        return _exit_status(exc.code)
    except Exception as exc:  # noqa: BLE001 - the one place that reports bugs
        return _bug(exc, debug)


#: errno values that mean a file may not be written (read-only file system, permissions).
_NOT_ALLOWED = {errno.EROFS, errno.EACCES, errno.EPERM}


def _bug(exc: Exception, debug: bool) -> int:
    from kesu.errors import EXIT_BUG
    from kesu.i18n import _

    if debug:
        import traceback

        traceback.print_exception(exc)
    _err("kesu: " + _("unexpected error (a bug in kesu): {error}").format(error=f"{type(exc).__name__}: {exc}")
         + ("" if debug else _(" — run with --debug for details")))
    return EXIT_BUG


def _exit_status(code: object) -> int:
    """The status the interpreter exits with for ``SystemExit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    _err(str(code))
    return 1


def _err(line: str) -> None:
    print(line, file=sys.stderr)
