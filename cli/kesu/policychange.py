"""Changing kesu.yaml: who may, and which changes need a second person.

The policy says who may approve what, how far back a step may be dated,
and who may change the policy itself; so a change to it is a step like any
other, judged by the policy before it. A change that serves its own author
(a higher limit, another role or another signing identity for them, looser
audit or approval settings, a wider circle of who may change the policy) needs a second person who may change
the policy too. The command and the audit both ask these questions here.
"""

from __future__ import annotations

from typing import Any

from kesu.config import Policy
from kesu.errors import UsageError
from kesu.i18n import _

def policy_roles(policy: Policy) -> list[str]:
    """Who may change the policy (``policy.roles``; the default policy names operations, legal)."""
    return list(policy.setting("policy", "roles") or [])


def may_change(policy: Policy, person: str) -> str | None:
    """Why ``person`` may not change ``policy``, or None when they may."""
    try:
        role = policy.member(person).get("role")
    except UsageError as exc:
        return exc.message
    if policy.roster and role not in policy_roles(policy):
        return _("{person} is {role}; kesu.yaml may be changed by {roles} (policy.roles)").format(
            person=person, role=role, roles=_(" or ").join(policy_roles(policy)))
    return None


def self_serving(before: dict[str, Any], after: dict[str, Any], author: str) -> list[str]:
    """What in the change from ``before`` to ``after`` serves its ``author``."""
    found = []
    mine_before = (before.get("roster") or {}).get(author) or {}
    mine_after = (after.get("roster") or {}).get(author) or {}
    for key in ("approval_limit", "role", "signing_key", "email"):
        if mine_before.get(key) != mine_after.get(key):
            found.append(_("{author}'s own {key}").format(author=author, key=key))
    if (before.get("audit") or {}) != (after.get("audit") or {}):
        found.append(_("the audit settings"))
    if (before.get("policy") or {}) != (after.get("policy") or {}):
        found.append(_("who may change the policy"))
    if (before.get("approval") or {}) != (after.get("approval") or {}):
        found.append(_("the approval rules"))
    return found


def change_problems(before: Policy, after: dict[str, Any], author: str,
                    approver: str | None) -> list[str]:
    """Every reason the change by ``author`` (with ``approver``) may not stand."""
    problems = []
    refused = may_change(before, author)
    if refused:
        problems.append(refused)
    serving = self_serving(before.data, after, author)
    if serving and not approver:
        problems.append(_("the change touches {what}: a second person who may change the policy must "
                          "approve it (--approver NAME)").format(what=", ".join(serving)))
    if approver:
        if approver == author:
            problems.append(_("the approver must be someone other than the author"))
        else:
            refused = may_change(before, approver)
            if refused:
                problems.append(_("approver: {problem}").format(problem=refused))
    return problems


def changed_keys(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    keys = list(dict.fromkeys([*before, *after]))
    return [k for k in keys if before.get(k) != after.get(k)]
