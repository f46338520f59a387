"""How ``kesu find`` and intake recognise the same customer however it was typed.

A phone number is written ``138 0013 8000``, ``+86-138-0013-8000`` or in
fullwidth digits (１３８…); a member number ``vip-00123`` or ``VIP00123``. Both
are reduced to one key before they are stored and before they are looked up,
so a search matches whatever spacing, punctuation or case was used.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_NOT_DIGIT = re.compile(r"\D")
_NOT_WORD = re.compile(r"[\W_]")


def _plain(text: Any) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip()


def contact_key(text: Any) -> str:
    """A phone number as its bare digits (a mainland mobile as its 11 digits,
    without +86 or 0086); an e-mail address in lower case."""
    plain = _plain(text)
    if "@" in plain:
        return plain.casefold()
    digits = _NOT_DIGIT.sub("", plain)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    elif len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    return digits or plain.casefold()


def member_key(text: Any) -> str:
    """A member or card number without spacing, punctuation or case."""
    plain = _plain(text)
    return _NOT_WORD.sub("", plain).casefold() or plain.casefold()


def ref_key(text: Any) -> str:
    """A barcode or order number: compared without spaces or case."""
    return re.sub(r"\s+", "", _plain(text)).casefold()


def text_key(text: Any) -> str:
    """Free text as searched: fullwidth letters and digits folded, case ignored."""
    return _plain(text).casefold()
