"""kesu's commit trailers: the one module that writes and reads them.

A step's commit message ends with a paragraph of git trailers
(``Case/Action/From/To/Actor/At``, DESIGN §5) so that ``git log
--format=%(trailers)`` and auditors read what happened without kesu.
Recording, history, the audit, the demo and the tests all build and parse
them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kesu.i18n import _

#: The trailer keys, in the order kesu writes them. ``Approver`` is the second
#: person a policy change needs when it serves its own author. ``Recorded`` is
#: written by ``kesu sync`` only: when a step it carries onto the remote's history
#: was first committed on this desk (the step's commit there is new, its time is not).
KEYS = ("Case", "Action", "From", "To", "Actor", "At", "Approver", "Recorded")
_KEYS_LOWER = {key.lower(): key for key in KEYS}

#: The action of a commit that adds many case files at once (a migration
#: from another system); it names no single case and no states.
IMPORT = "import"
#: The action of the commit ``kesu init`` makes.
INIT = "init"
#: The action of a commit that changes kesu.yaml (``kesu policy edit``).
POLICY = "policy"
#: Actions that name no case and no states.
ARCHIVE_ACTIONS = (IMPORT, INIT, POLICY)


@dataclass(frozen=True)
class Trailers:
    """What one commit's trailers say."""

    case: str | None
    action: str
    from_state: str | None
    to_state: str | None
    actor: str | None
    at: str | None
    approver: str | None = None
    #: When a synced step was first committed (``Recorded``); None for the others.
    recorded: str | None = None

    @property
    def when(self) -> datetime | None:
        """``At`` as a time, or None when it is missing or not a time with an offset."""
        return _time(self.at)

    @property
    def first_recorded(self) -> datetime | None:
        """``Recorded`` as a time, or None when it is missing or not a time with an offset."""
        return _time(self.recorded)


def _time(text: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text or "")
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def block(action: str, *, case: str | None = None, from_state: str | None = None,
          to_state: str | None = None, actor: str | None = None, at: str | None = None,
          approver: str | None = None, recorded: str | None = None) -> str:
    """The trailer paragraph, keys in kesu's order, empty values left out."""
    values = {"Case": case, "Action": action, "From": from_state, "To": to_state,
              "Actor": actor, "At": at, "Approver": approver, "Recorded": recorded}
    return "\n".join(f"{key}: {values[key]}" for key in KEYS if values[key])


def step_message(case_id: str, action: str, from_state: str | None, to_state: str,
                 actor: str, at: str, details: list[tuple[str, Any]] = (),
                 recorded: str | None = None) -> str:
    """The whole commit message of one step (DESIGN §5); ``recorded`` for a synced step."""
    arrow = f"{from_state} -> {to_state}" if from_state else f"-> {to_state}"
    lines = [f"{case_id}: {action} ({arrow})", ""]
    if details:
        lines += [" ".join(f"{k}={_detail_value(v)}" for k, v in details), ""]
    lines.append(block(action, case=case_id, from_state=from_state, to_state=to_state,
                       actor=actor, at=at, recorded=recorded))
    return "\n".join(lines) + "\n"


def with_recorded(message: str, recorded: str) -> str:
    """``message`` with a ``Recorded`` trailer added to its trailer paragraph
    (unchanged when it has one: a step is first recorded once)."""
    if "Recorded" in found(message):
        return message
    return message.rstrip("\n") + f"\nRecorded: {recorded}\n"


def import_message(subject: str, actor: str, at: str) -> str:
    """The message of a commit that brings in case files made elsewhere."""
    return f"{subject}\n\n{block(IMPORT, actor=actor, at=at)}\n"


def init_message(subject: str) -> str:
    return f"{subject}\n\n{block(INIT)}\n"


def policy_message(subject: str, actor: str, at: str, approver: str | None = None,
                   details: str = "") -> str:
    """The message of a change to kesu.yaml."""
    body = f"{details}\n\n" if details else ""
    return f"{subject}\n\n{body}{block(POLICY, actor=actor, at=at, approver=approver)}\n"


def _detail_value(value: Any) -> str:
    text = " ".join(str(value).split())
    if len(text) > 60:
        text = text[:57] + "..."
    return f'"{text}"' if (" " in text or not text) else text


def found(text: str) -> dict[str, list[str]]:
    """Every kesu trailer in ``text`` by key as written (any case), with all its values."""
    values: dict[str, list[str]] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in _KEYS_LOWER:
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def read(text: str) -> Trailers | None:
    """A lenient reading, for history: the first value of each key, or None without any."""
    values: dict[str, str] = {}
    for key, given in found(text).items():
        values.setdefault(_KEYS_LOWER[key.lower()], given[0])
    if not values:
        return None
    return Trailers(values.get("Case"), values.get("Action") or "", values.get("From"),
                    values.get("To"), values.get("Actor"), values.get("At"),
                    values.get("Approver"), values.get("Recorded"))


def parse(text: str, actions, states, check_id) -> tuple[Trailers | None, str | None]:
    """A strict reading, for the audit: ``(trailers, None)``; ``(None, None)`` when the
    text has no kesu trailer; ``(None, problem)`` when they do not parse.

    ``actions`` and ``states`` are the transition table's names; ``check_id(text)``
    returns a problem with a case ID, or None.
    """
    raw = found(text)
    if not raw:
        return None, None
    problems = []
    for key, given in raw.items():
        if key not in KEYS:
            problems.append(_("{key} should be spelled {spelled}").format(key=key, spelled=_KEYS_LOWER[key.lower()]))
        elif len(given) > 1:
            problems.append(_("{key} is given {n} times").format(key=key, n=len(given)))
    values = {k: v[0] for k, v in raw.items() if k in KEYS}
    action = values.get("Action")
    required = [] if action == INIT else ["Action", "Actor", "At"]
    if action not in ARCHIVE_ACTIONS:
        required += ["Case", "To"] + ([] if action == "intake" else ["From"])
    problems += [_("{key} is missing").format(key=key) for key in required if not values.get(key)]
    if action and action not in ARCHIVE_ACTIONS and action not in actions:
        problems.append(_("Action {action!r} is not a kesu action").format(action=action))
    if action == "intake" and values.get("From"):
        problems.append(_("an intake has no From"))
    for key in ("From", "To"):
        if values.get(key) and values[key] not in states:
            problems.append(_("{key} {value!r} is not a state").format(key=key, value=values[key]))
    if values.get("Case"):
        problem = check_id(values["Case"])
        if problem:
            problems.append(f"Case: {problem}")
    trailers = Trailers(values.get("Case"), action or "", values.get("From"), values.get("To"),
                        values.get("Actor"), values.get("At"), values.get("Approver"),
                        values.get("Recorded"))
    if values.get("At") and trailers.when is None:
        problems.append(_("{key} {value!r} is not a time with an offset").format(key="At", value=values["At"]))
    if values.get("Recorded") and trailers.first_recorded is None:
        problems.append(_("{key} {value!r} is not a time with an offset").format(key="Recorded", value=values["Recorded"]))
    if problems:
        return None, "; ".join(problems)
    return trailers, None
