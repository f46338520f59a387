"""Case IDs as people type them: lower case, and a short unique ending.

A clerk reading an ID off a receipt or a phone screen types
``ks-20261123-7f3kq2`` or just ``7f3kq2``. Crockford base32 is meant to be
read back forgivingly, so the ID is upper-cased and its letters I, L and O
read as 1, 1 and 0; an ending of at least ``MIN_SUFFIX`` characters names the
one case whose ID ends so. Only file names are looked at, never case files.
"""

from __future__ import annotations

import re

from kesu import ids
from kesu.errors import UsageError
from kesu.i18n import _

#: The shortest ending that may stand for a whole ID.
MIN_SUFFIX = 4
#: Crockford's reading of letters that look like digits.
_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})


def normalize(text: str) -> str:
    """``text`` upper-cased, with the random part read the Crockford way."""
    # No stripping: "ID\n" from a script is a mistake to report, not to guess at.
    text = (text or "").upper()
    head, sep, tail = text.rpartition("-")
    return f"{head}{sep}{tail.translate(_LOOKALIKES)}"


def resolve(archive, text: str) -> str:
    """The full ID ``text`` stands for in ``archive``.

    A whole ID (in any case) is returned as it is, whether or not the case
    exists (the command then says it is unknown); an ending is looked up.
    """
    wanted = normalize(text)
    if ids.ID_PATTERN.match(wanted):
        return wanted
    ending = wanted.lstrip("-")
    if len(ending.replace("-", "")) < MIN_SUFFIX or not _plausible(ending):
        raise UsageError(_("{text!r} is not a case ID (expected like KS-20261123-7F3KQ2, "
                           "or its last {count} or more characters, e.g. 7F3KQ2)").format(text=text, count=MIN_SUFFIX))
    found = sorted(path.stem for path in archive.case_files() if path.stem.endswith(ending))
    if not found:
        raise UsageError(_("unknown case {text}: no case ID ends with {ending}").format(text=text, ending=ending))
    if len(found) > 1:
        shown = ", ".join(found[:10]) + (_(" and {count} more").format(count=len(found) - 10)
                                         if len(found) > 10 else "")
        raise UsageError(_("{text} is ambiguous: it ends {count} case IDs ({shown}); type more of the ID").format(
            text=text, count=len(found), shown=shown))
    return found[0]


#: The end of an ID: some of the random part, or all of it after (part of) the date.
_ENDING = re.compile(r"^(?:(?:[A-Z][A-Z0-9]{0,9}-\d{8}|\d{0,8})-[0-9A-HJKMNP-TV-Z]{6}"
                     r"|[0-9A-HJKMNP-TV-Z]{1,6})$")


def _plausible(ending: str) -> bool:
    return bool(_ENDING.match(ending))
