"""kesu reply: the message to send the customer, rendered from a template."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from kesu.i18n import _
from kesu.commands.common import ArchiveOpt, CaseArg, case_id_of, open_archive

SMS_SEGMENT = 70


class Channel(str, Enum):
    sms = "sms"
    letter = "letter"
    email = "email"


def reply(
    case_id: CaseArg,
    kind: Annotated[str, typer.Argument(metavar="KIND", help="ack, plan, objection, resolution, follow-up or delay.")],
    locale: Annotated[Optional[str], typer.Option("--locale", help="zh-CN or en (default: kesu.yaml locale).")] = None,
    channel: Annotated[Optional[Channel], typer.Option("--channel", help="sms warns when the text needs more than one 70-character message.")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", metavar="FILE", help="Write the reply to FILE instead of printing it.")] = None,
    now: Annotated[Optional[str], typer.Option("--now", metavar="TIME", help="Write the reply as of this time (default: now); no time before it is promised.")] = None,
    archive: ArchiveOpt = None,
) -> None:
    """Print the reply to send the customer: acknowledgement, plan, objection
    received, resolution, follow-up call script, or delay notice.

    Each kind fits some case states and is refused for the others (a plan
    letter before the plan is approved, a delay notice once the case is
    resolved). A reply promises no time that has already passed.

    Example: kesu reply KS-20261123-7F3KQ2 plan --channel sms
    """
    from kesu.archive import write_output
    from kesu.errors import UsageError
    from kesu.render import LOCALES, Renderer
    from kesu.replies import REPLY_KINDS, reply_context

    if kind not in REPLY_KINDS:
        raise UsageError(_("unknown reply {kind!r}; choose one of: {kinds}").format(kind=kind, kinds=", ".join(REPLY_KINDS)))
    if locale is not None and locale not in LOCALES:  # named by its flag, as every flag is
        raise UsageError(_("{flag} {value!r} is not one of: {allowed}").format(
            flag="--locale", value=locale, allowed=", ".join(LOCALES)))
    arch = open_archive(archive)
    case_id = case_id_of(arch, case_id)
    case = arch.load_sound_case(case_id)
    renderer = Renderer(arch, locale)
    text = renderer.render(f"reply/{kind}.{renderer.locale}.j2",
                           reply_context(arch, case, kind, arch.parse_time(now, "--now") if now else arch.now()))
    if channel is Channel.sms and len(text.strip()) > SMS_SEGMENT:
        segments = -(-len(text.strip()) // 67)  # long SMS are sent in 67-character parts
        typer.echo(_("kesu: warning: {n} characters, more than one SMS ({limit}); it will be sent as "
                     "{segments} messages").format(n=len(text.strip()), limit=SMS_SEGMENT, segments=segments),
                   err=True)
    if output:
        write_output(output, text)
    else:
        print(text, end="" if text.endswith("\n") else "\n")


COMMANDS = {"reply": reply}
