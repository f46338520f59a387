"""One run of ``kesu alert``: what is lit, what is not yet sent, claim it, send it, record it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Callable

from kesu.i18n import _
from kesu.alerts import messages
from kesu.alerts.channels import Channel, DeliveryError
from kesu.alerts.plan import Item, Recipient, Roster, by_recipient, lit_items
from kesu.alerts.state import CLAIMED, SENT, Ledger, Store, delivery_token
from kesu.errors import GitError

#: How often a run claims again after another clone wrote the ledger first.
ATTEMPTS = 5


@dataclass
class Message:
    """What one recipient gets on one channel: the lit timers not yet sent there."""

    recipient: Recipient
    channel: Channel | None
    tokens: list[str]
    error: str | None = None
    sent: bool = False

    @property
    def cases(self) -> list[str]:
        return list(dict.fromkeys(item.case for item, _tokens in self.recipient.items))


@dataclass
class Report:
    now: datetime
    locale: str
    messages: list[Message] = field(default_factory=list)
    #: Why what was sent could not be recorded on the remote (kept on this clone), else None.
    unrecorded: str | None = None

    @property
    def failed(self) -> list[Message]:
        return [m for m in self.messages if m.error]


def pending(recipients: list[Recipient], channels: list[Channel], ledger: Ledger,
            now: datetime, run: str) -> list[Message]:
    """Each recipient's lit timers not yet sent (nor claimed by another run) on each channel."""
    found = []
    for channel in channels:
        for recipient in recipients:
            if not channel.reaches(recipient):
                continue
            items = [(item, why) for item, why in recipient.items
                     if not ledger.taken(delivery_token(item.key, recipient.name, channel.id), now, run)]
            if items:
                found.append(Message(replace(recipient, items=items), channel,
                                     [delivery_token(item.key, recipient.name, channel.id)
                                      for item, _tokens in items]))
    return found


def lit(archive, now: datetime) -> tuple[list[Item], list[Recipient]]:
    items = lit_items(archive, now, messages.mask_summary)
    return items, by_recipient(Roster(archive.policy), items)


def preview(archive, now: datetime, channels: list[Channel], store: Store | None) -> Report:
    """What a run would send now, sending and recording nothing (``--dry-run``)."""
    items, recipients = lit(archive, now)
    report = Report(now, archive.policy.locale)
    if not channels:
        report.messages = [Message(r, None, []) for r in recipients]
        return report
    ledger = store.load() if store else Ledger()
    report.messages = pending(recipients, channels, ledger, now, run="")
    return report


def run(archive, now: datetime, channels: list[Channel], store: Store, run_id: str,
        sleep: Callable[[float], None] | None = None) -> Report:
    """Claim what is due, send it, record what got through; raises GitError only
    when the ledger cannot be claimed (then nothing was sent)."""
    items, recipients = lit(archive, now)
    report = Report(now, archive.policy.locale)
    ledger, todo = _claim(store, recipients, channels, now, run_id)
    if not todo:
        return report
    down: dict[str, str] = {}
    for message in todo:
        channel = message.channel
        if channel.id in down:
            message.error = f"not tried: {down[channel.id]} on an earlier message of this run"
            continue
        try:
            channel.send(message.recipient, report.locale, sleep)
            message.sent = True
        except DeliveryError as exc:
            message.error = str(exc)
            down[channel.id] = str(exc)
    report.messages = todo
    report.unrecorded = _record(store, ledger, todo, {i.key for i in items}, now, run_id)
    return report


def _claim(store: Store, recipients, channels, now, run_id) -> tuple[Ledger, list[Message]]:
    for _attempt in range(ATTEMPTS):
        ledger = store.load()
        todo = pending(recipients, channels, ledger, now, run_id)
        if not todo:
            if store.behind and store.publish(ledger, "kesu alert: records kept on a clone"):
                store.settle_local()
            return ledger, []
        ledger.mark([t for m in todo for t in m.tokens], CLAIMED, now, run_id)
        if store.publish(ledger, f"kesu alert: claim {len(todo)} message(s)"):
            return ledger, todo
    raise GitError(_("other runs of kesu alert kept writing {where}; nothing was sent, try again").format(
        where=store.where()))


def _record(store: Store, ledger: Ledger, todo: list[Message], lit_keys: set[str],
            now: datetime, run_id: str) -> str | None:
    """Mark what was sent, unclaim what failed (the next run tries it again)."""
    sent = [t for m in todo if m.sent for t in m.tokens]
    failed = [t for m in todo if not m.sent for t in m.tokens]
    note = f"kesu alert: {sum(m.sent for m in todo)} sent, {sum(not m.sent for m in todo)} failed"
    try:
        for _attempt in range(ATTEMPTS):
            ledger.mark(sent, SENT, now, run_id)
            ledger.release(failed, run_id)
            ledger.prune(lit_keys, now)
            if store.publish(ledger, note):
                store.settle_local()
                return None
            ledger = store.load()
        problem = f"other runs kept writing {store.where()}"
    except GitError as exc:
        problem = exc.message
    store.keep_locally(ledger, note)
    return problem
