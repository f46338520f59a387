"""kesu alert: tell the people responsible when a deadline light turns yellow or red."""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from kesu import gitconfig
from kesu.i18n import _, ngettext
from kesu.commands.common import ArchiveOpt, name_left_out, open_archive, print_json


class AlertFormat(str, Enum):
    text = "text"
    json = "json"


def alert(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would be sent; send and record nothing.")] = False,
    now: Annotated[Optional[str], typer.Option("--now", metavar="TIME", help="Check the lights as of this time (default: now).")] = None,
    remote: Annotated[Optional[str], typer.Option("--remote", metavar="NAME", help="The remote that keeps what was sent (default: origin, or the only remote; none: this clone).")] = None,
    fmt: Annotated[AlertFormat, typer.Option("--format", help="text, or json: what was sent and what failed (with --dry-run: the messages as the webhook gets them).")] = AlertFormat.text,
    archive: ArchiveOpt = None,
) -> int:
    """Send each person one message listing their complaints whose light turned yellow or red.

    The owner hears of a yellow light; on red, the owner and the owner's
    superior (next role rank up, same store); on red for a high-risk case,
    operations too. Each case's timer is announced once per light: what was
    sent is kept on the ref refs/kesu/alerts of the remote (of this clone when
    there is none), so a scheduled job on any clone sends nothing twice.
    Channels (e-mail, WeCom, DingTalk, Feishu/Lark, webhook) are set in
    kesu.yaml alerts.channels; their secrets come from the environment.
    A message that could not be sent is tried again on the next run.
    Exit 1 when a message could not be sent (each is named on stderr).
    Example for a job every 15 minutes: kesu alert
    """
    import secrets
    import socket

    from kesu.alerts import channels as channel_kinds
    from kesu.alerts import run
    from kesu.alerts.state import Store
    from kesu.errors import GitError, UsageError

    arch = open_archive(archive)
    moment = arch.parse_time(now, "--now") if now else arch.now()
    specs = (arch.policy.get("alerts") or {}).get("channels") or []
    # kesu.yaml's channels were checked with the rest of it (config.setting_problems)
    channels = channel_kinds.build(specs, os.environ)
    store = Store(arch.root, _remote(arch.root, remote))
    if dry_run:
        report = run.preview(arch, moment, channels, store if channels else None)
        _show_preview(report, fmt)
        return name_left_out(arch)
    if not channels:
        raise UsageError(_("kesu.yaml has no alerts.channels to send through; see docs/alerts.md "
                           "(kesu alert --dry-run shows what would be sent)"))
    run_id = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
    try:
        report = run.run(arch, moment, channels, store, run_id)
    except GitError as exc:
        print(_("kesu: alert: {message}").format(message=exc.message), file=sys.stderr)
        return 1
    if fmt is AlertFormat.json:
        print_json({"now": moment.isoformat(), "messages": [
            {"recipient": m.recipient.name, "channel": m.channel.id, "sent": m.sent, "error": m.error,
             "cases": m.cases} for m in report.messages], "unrecorded": report.unrecorded})
    for message in report.messages if fmt is AlertFormat.text else ():
        if message.sent:
            print(_("sent to {name} via {address}: {cases}").format(
                name=message.recipient.name, address=message.channel.address(message.recipient),
                cases=", ".join(message.cases)))
    for message in report.failed:
        print(_("kesu: alert to {name} via {channel} failed: {error}; it is tried again on the next run").format(
            name=message.recipient.name, channel=message.channel.id, error=message.error), file=sys.stderr)
    if report.unrecorded:
        print(_("kesu: alert: what was sent is kept on this clone only ({why}); "
                "the next run here records it").format(why=report.unrecorded), file=sys.stderr)
    sent = sum(m.sent for m in report.messages)
    at = moment.isoformat(timespec="minutes")
    print((ngettext("alert: {n} message sent, {failed} failed as of {at}",
                    "alert: {n} messages sent, {failed} failed as of {at}", sent) if report.failed else
           ngettext("alert: {n} message sent as of {at}", "alert: {n} messages sent as of {at}", sent)).format(
              n=sent, failed=len(report.failed), at=at),
          file=sys.stdout if fmt is AlertFormat.text else sys.stderr)
    left_out = name_left_out(arch)
    return 1 if report.failed or report.unrecorded else left_out


def _remote(root, given: str | None) -> str | None:
    """The given remote, else origin, else the only one; None keeps the ledger in this clone."""
    from kesu.errors import UsageError

    names = gitconfig.remotes(root)
    if given:
        if given not in names:
            raise UsageError(_("no remote named {name!r}; this clone has {names}").format(
                name=given, names=", ".join(names) or _("none")))
        return given
    return "origin" if "origin" in names else names[0] if len(names) == 1 else None


def _show_preview(report, fmt: AlertFormat) -> None:
    from kesu.alerts import messages

    if fmt is AlertFormat.json:
        print_json({"now": report.now.isoformat(), "messages": [
            {"channel": m.channel.id if m.channel else None,
             **messages.payload(m.recipient, report.locale)} for m in report.messages]})
        return
    if not report.messages:
        print(_("nothing to send as of {at}").format(at=report.now.isoformat(timespec="minutes")))
        return
    if report.messages[0].channel is None:
        print(_("kesu: kesu.yaml has no alerts.channels yet (docs/alerts.md); these would go to "
                "each person on every channel"), file=sys.stderr)
    for message in report.messages:
        where = message.channel.address(message.recipient) if message.channel else _("no channel set")
        print(_("--- to {name} via {address}").format(name=message.recipient.name, address=where))
        print(messages.text(message.recipient, report.locale))


COMMANDS = {"alert": alert}
