"""Files shipped with kesu: default templates, JSON Schemas, sample cases.

An installed wheel carries the top-level ``templates/`` and ``schemas/``
and ``cases/`` folders inside the package (``kesu/templates`` ...). An editable
install of a checkout puts only ``cli/`` on the path, so there we read the
folders of the checkout itself.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=None)
def shipped(folder: str) -> Path:
    """The shipped ``templates``, ``schemas`` or ``cases`` folder."""
    package = Path(__file__).resolve().parent
    installed = package / folder
    return installed if installed.is_dir() else package.parents[1] / folder


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    return json.loads((shipped("schemas") / name).read_text(encoding="utf-8"))
