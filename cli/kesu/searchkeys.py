"""The keys a case can be found by that only staff may type: contacts and member numbers.

A clerk looks a complaint up by the caller's phone or card number; in a mass
complaint the caller is often one of its claimants, not the customer who
first reported it. Whatever indexes cases for searching takes these keys
from here, so claimants are found like the customer.
"""

from __future__ import annotations

from typing import Any


def case_search_keys(case: dict[str, Any]) -> list[str]:
    """Contacts and member numbers of the customer and every claimant, each once, in order."""
    people = [case.get("customer")] + list(case.get("claimants") or [])
    keys: list[str] = []
    for person in people:
        if not isinstance(person, dict):
            continue
        for field in ("contact", "member_id"):
            value = person.get(field)
            if value not in (None, "") and str(value) not in keys:
                keys.append(str(value))
    return keys
