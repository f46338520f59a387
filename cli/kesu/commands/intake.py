"""kesu new: record a complaint."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from kesu.i18n import _
from kesu.commands.common import ActorOpt, ArchiveOpt, AtOpt, actor_of, open_archive, when



def _opt(flag: str, text: str):
    return typer.Option(flag, help=text)


def new(
    channel: Annotated[Optional[str], _opt("--channel", "How it reached us: counter, hotline, app, email, letter, social, consumer_association, platform_12315, other.")] = None,
    customer: Annotated[Optional[str], _opt("--customer", "Customer's name, e.g. 王女士 (confidential).")] = None,
    contact: Annotated[Optional[str], _opt("--contact", "Phone or e-mail (confidential).")] = None,
    member: Annotated[Optional[str], _opt("--member", "Member / card number (confidential).")] = None,
    summary: Annotated[Optional[str], _opt("--summary", "One line, e.g. 草莓霉变.")] = None,
    facts: Annotated[Optional[str], _opt("--facts", "What happened, read back to the customer.")] = None,
    demands: Annotated[Optional[str], _opt("--demands", "What the customer asks for.")] = None,
    emotion: Annotated[Optional[str], _opt("--emotion", "calm, anxious, angry or very_angry.")] = None,
    location: Annotated[Optional[str], _opt("--location", "Where it happened, e.g. 生鲜区称重台.")] = None,
    occurred_at: Annotated[Optional[str], _opt("--occurred-at", "When it happened, e.g. 2026-11-23T15:15 (not in the future).")] = None,
    product: Annotated[Optional[list[str]], _opt("--product", "Barcode or model of a product involved (repeatable); REF or REF=name.")] = None,
    staff: Annotated[Optional[list[str]], _opt("--staff", "Staff number involved (repeatable).")] = None,
    order: Annotated[Optional[list[str]], _opt("--order", "Order or receipt number involved (repeatable).")] = None,
    store: Annotated[Optional[str], _opt("--store", "Store: its code or name in kesu.yaml stores, e.g. S01 or 旗舰店.")] = None,
    from_file: Annotated[Optional[str], typer.Option(
        "--from-file", metavar="FILE", help="Read the fields from a YAML or JSON file ('-' for stdin), "
        "shaped like a case file (channel, customer, complaint); flags override it.")] = None,
    resume: Annotated[bool, typer.Option(
        "--resume", help="Continue the interactive 'kesu new' that was interrupted (Ctrl-C or an "
        "error): its answers are kept as a draft.")] = False,
    at: AtOpt = None,
    actor: ActorOpt = None,
    archive: ArchiveOpt = None,
) -> None:
    """Record a new complaint and print its ID.

    On a terminal, kesu asks for whatever the flags leave out, checking each
    answer as it is typed; choices are listed with numbers. If the intake is
    interrupted, the answers are kept: 'kesu new --resume' continues.

    Example: kesu new --channel counter --customer 王女士 --contact 13800138000
    --summary 草莓霉变 --facts "草莓约三分之一霉变" --demands "全额退款" --emotion anxious
    --location 生鲜区称重台 --product "6901234567890=草莓 500g"
    """
    from kesu import intake, record
    from kesu.engine import Step
    from kesu.validate import check_new_case
    from kesu.values import isoformat

    from kesu import drafts

    arch = open_archive(archive)
    if resume and from_file:
        from kesu.errors import UsageError

        raise UsageError(_("--resume continues a draft; --from-file reads a file: give one"))
    data = drafts.load(arch.root) if resume else _read_file(arch, from_file) if from_file else {}
    given = {"channel": channel, "customer": customer, "contact": contact, "member": member,
             "summary": summary, "facts": facts, "demands": demands, "emotion": emotion,
             "location": location, "occurred_at": occurred_at, "store": store}
    for flag, value in given.items():
        if value is not None:
            intake.set_path(data, intake.FIELDS[flag][0], value)
    subjects = intake.get_path(data, ("complaint", "subjects")) or []
    if not isinstance(subjects, list):
        from kesu.errors import UsageError

        raise UsageError(_("complaint.subjects must be a list of {{kind, ref, name}}"), str(from_file))
    subjects = list(subjects)
    for kind, refs in (("product", product), ("staff", staff), ("order", order)):
        for ref in refs or []:
            ref, _sep, name = ref.partition("=")
            subjects.append({"kind": kind, "ref": ref, **({"name": name} if name else {})})
    if subjects:
        intake.set_path(data, ("complaint", "subjects"), subjects)
    interactive = sys.stdin.isatty() and from_file != "-"
    who = actor_of(arch, actor)
    try:
        if interactive:
            who = _prompt_missing(arch, data, who)
        if data.get("store") not in (None, ""):
            from kesu.stores import resolve_store

            data["store"] = resolve_store(arch.policy, data["store"])
        if at is None and data.get("received_at"):
            at = str(data["received_at"])  # an import keeps the time it was received
        received = when(arch, at).astimezone(arch.policy.tz)
        args = {key: data[key] for key in ("channel", "store", "customer", "complaint") if key in data}
        step = Step("intake", who or "", isoformat(received),
                    {"id": _free_id(arch, received), **args})
        # Flags can only produce a well-formed case (each value is checked as it
        # is set); a file can hold anything, so it meets the full schema.
        check = (lambda case: check_new_case(arch, case)) if from_file else None
        earlier = _earlier(arch, data)
        recorded = record.record_intake(arch, step, check)
    except (Exception, KeyboardInterrupt, typer.Abort):
        if interactive or resume:
            path = drafts.save(arch.root, data)
            print(_("kesu: your answers are kept in {path}; 'kesu new --resume' continues "
                    "(flags given with it replace answers)").format(path=path), file=sys.stderr)
        raise
    if interactive or resume:
        drafts.discard(arch.root)
    print(recorded.case_id)
    if earlier:
        print(earlier, file=sys.stderr)


def _earlier(arch, data: dict) -> str | None:
    """A warning when this customer (same contact or member number) complained
    before: how often, the last case and how it ended. Never stops an intake."""
    import sqlite3

    from kesu.errors import KesuError
    from kesu.values import dig

    contact, member = dig(data, "customer", "contact"), dig(data, "customer", "member_id")
    if not (isinstance(contact, str) and contact) and not (isinstance(member, str) and member):
        return None
    try:
        rows = arch.case_index().earlier_complaints(contact if isinstance(contact, str) else None,
                                                    member if isinstance(member, str) else None)
    except (KesuError, sqlite3.Error, OSError):
        return None
    if not rows:
        return None
    from kesu.i18n import language, ngettext
    from kesu.values import table_minute
    from kesu.vocab import labels_of

    last = rows[0]
    return ngettext("kesu: note: this customer (same contact or member number) has {count} earlier complaint; "
                    "the last: {case} received {time}, {outcome} (kesu find --contact/--member lists them)",
                    "kesu: note: this customer (same contact or member number) has {count} earlier complaints; "
                    "the last: {case} received {time}, {outcome} (kesu find --contact/--member lists them)",
                    len(rows)).format(
        count=len(rows), case=last["id"], time=table_minute(last["received"], arch.policy.tz),
        outcome=labels_of(last["outcome"] or "", language(), arch.policy, sep=", ", joiner=_(", ")))


def _free_id(arch, received) -> str:
    """A new case ID; a clash within one archive is astronomically rare, but retried."""
    from kesu import ids
    from kesu.errors import UsageError

    for _attempt in range(20):
        case_id = ids.new_id(arch.policy.id_prefix, received.date())
        if not arch.case_path(case_id).exists():
            return case_id
    raise UsageError(_("could not find a free case ID; try again"))


def _read_file(arch, name: str) -> dict:
    from kesu import yamlio
    from kesu.errors import UsageError

    if name == "-":
        text, label = sys.stdin.read(), "<stdin>"
    else:
        path = Path(name)
        if not path.is_file():
            raise UsageError(_("{flag} {path}: no such file").format(flag="--from-file", path=name))
        text, label = arch.read_text(path), name
    data = yamlio.load(text, label)
    if not isinstance(data, dict):
        raise UsageError(_("expected a mapping with channel, customer, complaint"), label, 1)
    return data


def _prompt_missing(arch, data: dict, actor: str | None) -> str | None:
    """Ask for the actor and the missing fields on the terminal; returns the actor."""
    from kesu.intakeprompt import ask_actor, ask_missing

    def ask(question: str, default):
        return typer.prompt(question, default=default, show_default=bool(default), err=True)

    def say(line: str) -> None:
        typer.echo(line, err=True)

    actor = ask_actor(arch.policy, ask, say, actor)
    ask_missing(data, arch.policy, ask, say)
    return actor


COMMANDS = {"new": new}
