"""Checks of kesu.yaml, and the gate every command passes on its way to the policy.

A ``kesu.yaml`` whose values have the wrong type (``timezone: 5``, ``calendar:
abc``) is refused as a whole by every command but ``kesu validate``, with the
first problem and its line, so the rest of kesu can trust the policy it reads.
A verdict on kesu.yaml is remembered (by its bytes and kesu's own rules) under
``.git/kesu-cache/``, so a step does not pay for checking it again.
"""

from __future__ import annotations

import json
from typing import Any

from kesu import yamlio
from kesu.config import CONFIG_NAME
from kesu.errors import UsageError
from kesu.i18n import _, language
from kesu.validate import Finding, Problem, locate, schema_findings

_SOUND_FILE = "policy-sound"


def policy_problems(data: Any) -> list[Problem]:
    """Every problem of parsed kesu.yaml data: schema, then the deadline rules and
    the settings' own checks (which say more about a calendar or timer than the schema can)."""
    if not isinstance(data, dict):
        return [((), _("kesu.yaml must be a mapping of settings"))]
    from kesu.config import setting_problems
    from kesu.deadlines import validate_policy

    problems = schema_findings(data, "config.schema.json")
    try:
        problems += validate_policy(data) + setting_problems(data)
    except (TypeError, AttributeError, ValueError, KeyError):
        if not problems:
            raise
        # It read a value of a type the schema already reported; that finding says enough.
    return problems


def policy_findings(archive) -> list[Finding]:
    try:
        text = archive.read_text(archive.root / CONFIG_NAME)
    except UsageError as exc:
        return [Finding(CONFIG_NAME, exc.line, exc.message)]
    return policy_text_findings(text)


def policy_text_findings(text: str) -> list[Finding]:
    """Every problem of a kesu.yaml text: YAML, schema, deadline rules."""
    try:
        data = yamlio.load(text, CONFIG_NAME)
    except UsageError as exc:
        return [Finding(CONFIG_NAME, exc.line, exc.message)]
    return locate(text, CONFIG_NAME, policy_problems(data))


def refuse_unsound(git_dir, text: bytes, data: Any) -> None:
    """Raise the first problem of kesu.yaml (``kesu.yaml:LINE: …``), if it has any."""
    from kesu.cache import verdict

    key = f"{verdict(text)}:{language()}"  # the refusal kept is in the words of one language
    marker = git_dir / "kesu-cache" / _SOUND_FILE
    try:
        remembered = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        remembered = {}
    if remembered.get("key") == key:
        refusal = remembered.get("refusal")
    else:
        refusal = _refusal(text, data)
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(json.dumps({"key": key, "refusal": refusal}, ensure_ascii=False),
                              encoding="utf-8")
        except OSError:
            pass  # a read-only archive: checked again next time, that is all
    if refusal:
        raise UsageError(refusal[1], CONFIG_NAME, refusal[0])


def _refusal(text: bytes, data: Any) -> list | None:
    """[line, message] of the first problem of kesu.yaml, or None when it has none."""
    problems = policy_problems(data)
    if not problems:
        return None
    first = locate(text.decode("utf-8"), CONFIG_NAME, problems)[0]
    more = _(" (and {count} more)").format(count=len(problems) - 1) if len(problems) > 1 else ""
    return [first.line or 1, _("{problem}{more}; kesu.yaml must be fixed before kesu can use it "
                               "('kesu validate' lists every problem)").format(problem=first.message, more=more)]
