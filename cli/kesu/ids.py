"""Case IDs: ``KS-20261123-7F3KQ2`` (prefix, date received, six Crockford base32 chars).

Six random characters give 2^30 IDs per day and prefix, so clones that never
talk to each other can still number complaints independently; a clash in one
clone is retried, a clash between clones shows up as an add/add conflict at
merge, never as a silent overwrite.
"""

from __future__ import annotations

import re
from datetime import date

from kesu.i18n import _
from kesu.errors import UsageError

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_PATTERN = re.compile(r"^([A-Z][A-Z0-9]{0,9})-(\d{4})(\d{2})(\d{2})-([0-9A-HJKMNP-TV-Z]{6})$")


def new_id(prefix: str, received: date) -> str:
    import secrets

    suffix = "".join(secrets.choice(CROCKFORD) for _ in range(6))
    return f"{prefix}-{received:%Y%m%d}-{suffix}"


def parse_id(case_id: str) -> tuple[str, date]:
    """Check ``case_id`` before any path is built from it; return (prefix, date)."""
    match = ID_PATTERN.fullmatch(case_id or "")  # whole: "$" alone lets a trailing newline in
    if not match:
        raise UsageError(_("{text!r} is not a case ID (expected like KS-20261123-7F3KQ2)").format(text=case_id))
    prefix, year, month, day, _suffix = match.groups()
    try:
        return prefix, date(int(year), int(month), int(day))
    except ValueError:
        raise UsageError(_("{text!r} has an impossible date").format(text=case_id)) from None
