"""Evidence (证据) kept with a complaint: photos, receipts, recordings, QC reports, agreements.

A file attached to a case is committed under ``evidence/<ID>/`` in the same
commit as the ``attach`` step, and the case records its SHA-256, size, kind
and who attached it. The step's arguments carry the digest, never the file,
so a replay reproduces the case without the file and the audit can tell a
swapped file from the one attached. Large media go through Git LFS when the
archive tracks them (``git lfs track``): git then stores a pointer whose
``oid`` is the same SHA-256, which the audit reads instead of the content.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Iterable

from kesu.i18n import _
from kesu.engine import Context, Outcome
from kesu.errors import UsageError
from kesu.values import dig

EVIDENCE_DIR = "evidence"
#: What a file is evidence of; the first matching extension guesses the kind.
KINDS = ("photo", "receipt", "recording", "qc_report", "agreement", "document")
_GUESSES = {"photo": (".jpg", ".jpeg", ".png", ".heic", ".gif", ".webp", ".mp4", ".mov"),
            "recording": (".mp3", ".wav", ".m4a", ".amr", ".ogg", ".aac")}
#: Kinds that carry the customer's signature (000: 现金补偿需客户签字确认).
SIGNED_KINDS = ("agreement", "receipt")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_LFS_POINTER = re.compile(rb"^version https://git-lfs\.github\.com/spec/v1\n"
                          rb"oid sha256:([0-9a-f]{64})\nsize (\d+)\n")


def folder(case_id: str) -> str:
    return f"{EVIDENCE_DIR}/{case_id}"


def guess_kind(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return next((kind for kind, suffixes in _GUESSES.items() if suffix in suffixes), "document")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read in pieces (a video may be large)."""
    sha, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
            size += len(block)
    return sha.hexdigest(), size


def stored_digest(data: bytes) -> tuple[str, int]:
    """What a stored blob stands for: an LFS pointer's oid and size, else its own."""
    pointer = _LFS_POINTER.match(data) if len(data) < 512 else None
    if pointer:
        return pointer.group(1).decode(), int(pointer.group(2))
    return digest(data), len(data)


def free_path(root: Path, case_id: str, name: str, sha: str, recorded: Iterable[dict]) -> str:
    """Where a file called ``name`` goes: its own name, numbered when taken."""
    clean = Path(name.replace("\\", "/")).name.strip()
    if not clean or clean.startswith("."):
        raise UsageError(_("{name!r} is not a file name kesu can store (no hidden files)").format(name=name))
    for entry in recorded:
        if isinstance(entry, dict) and entry.get("sha256") == sha:
            raise UsageError(_("this file is already attached as {path}").format(path=entry.get("path")))
    stem, suffix = Path(clean).stem, Path(clean).suffix
    taken = {str(e.get("path")) for e in recorded if isinstance(e, dict)}
    for number in range(1, 1000):
        candidate = clean if number == 1 else f"{stem}-{number}{suffix}"
        rel = f"{folder(case_id)}/{candidate}"
        if rel not in taken and not (root / rel).exists():
            return rel
    raise UsageError(_("too many files called {name} in {folder}").format(name=clean, folder=folder(case_id)))


# ------------------------------------------------------------------ the step
def attach(doc, ctx: Context, *, path: str, sha256: str, size: str, kind: str,
           note: str | None = None) -> Outcome:
    """Record an evidence file committed with this step."""
    if kind not in KINDS:
        raise UsageError(_("{flag} {value!r} is not one of: {allowed}").format(flag="--kind", value=kind, allowed=", ".join(KINDS)))
    prefix = folder(str(doc.get("id"))) + "/"
    name = str(path)[len(prefix):]
    if not str(path).startswith(prefix) or not name or "/" in name or name.startswith("."):
        raise UsageError(_("evidence of {case} is stored under {prefix}, not {path}").format(
            case=doc.get("id"), prefix=prefix, path=path))
    if not _SHA256.match(str(sha256)):
        raise UsageError(_("{value!r} is not a SHA-256 digest").format(value=sha256))
    if not str(size).isdigit():
        raise UsageError(_("{value!r} is not a size in bytes").format(value=size))
    recorded = doc.get("evidence") if isinstance(doc.get("evidence"), list) else []
    if any(isinstance(e, dict) and e.get("path") == path for e in recorded):
        raise UsageError(_("{path} is already recorded").format(path=path))
    entry: dict[str, Any] = {"path": path, "kind": kind, "sha256": sha256, "size": int(size)}
    if note:
        entry["note"] = note
    entry.update(at=ctx.at, by=ctx.actor)
    doc["evidence"] = [*recorded, entry]
    return Outcome([("kind", kind), ("file", name), ("sha256", sha256[:12])])


def pays_cash(doc: dict) -> bool:
    """Whether the case pays cash: a plan with cash, or statutory compensation paid."""
    compensation = dig(doc, "plan", "compensation") or []
    if any(isinstance(c, dict) and c.get("kind") == "cash" for c in compensation):
        return True
    return any(isinstance(a, dict) and a.get("statutory") for a in doc.get("actions") or [])


def check_signed_for_cash(doc: dict, policy) -> None:
    """Cash compensation needs the customer's signature on file before resolve."""
    # Read from kesu.yaml itself, not the defaults: an archive whose policy predates
    # evidence keeps the rules its history was made under (the audit replays it).
    if not dig(policy.data, "evidence", "cash_needs_signature") or not pays_cash(doc):
        return
    kinds = {e.get("kind") for e in doc.get("evidence") or [] if isinstance(e, dict)}
    if not kinds & set(SIGNED_KINDS):
        raise UsageError(_("cash compensation needs the customer's signature: attach the signed agreement or receipt "
                           "first (kesu attach ID FILE --kind agreement), or say where the paper is filed (resolve "
                           "--signature-kept WHERE); kesu.yaml evidence.cash_needs_signature: false turns this off"))


# ------------------------------------------------------------------ checking
#: The audit's rule code of each kind of problem (docs/audit.md).
MISSING, ALTERED, UNRECORDED = "evidence-missing", "evidence-altered", "evidence-unrecorded"


def problems(recorded: dict[str, dict], stored: dict[str, tuple[str, int] | None]
             ) -> list[tuple[str, str, str, str]]:
    """``(case ID, path, code, message)`` for every evidence file missing, altered or unrecorded.

    ``recorded`` maps each case ID to its case; ``stored`` maps each file
    under evidence/ to its (sha256, size), None when it cannot be read.
    """
    found = []
    known: set[str] = set()
    for case_id, case in recorded.items():
        for entry in case.get("evidence") or []:
            if not isinstance(entry, dict):
                continue
            path = str(entry.get("path"))
            known.add(path)
            if path not in stored or stored[path] is None:
                found.append((case_id, path, MISSING, _("evidence file is missing")))
            elif stored[path][0] != entry.get("sha256"):
                found.append((case_id, path, ALTERED, _("evidence file was altered: its SHA-256 is not the one "
                                                        "recorded ({digest}...)").format(
                    digest=str(entry.get("sha256"))[:12])))
    for path in sorted(set(stored) - known):
        parts = path.split("/")
        case_id = parts[1] if len(parts) > 2 else "-"
        found.append((case_id, path, UNRECORDED, _("evidence file is not recorded in any case "
                                                   "(add files with 'kesu attach')")))
    return found


def work_tree_files(root: Path) -> dict[str, tuple[str, int] | None]:
    """Every file under evidence/ in the work tree, with its digest."""
    base = root / EVIDENCE_DIR
    files: dict[str, tuple[str, int] | None] = {}
    if not base.is_dir():
        return files
    for path in sorted(base.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            rel = path.relative_to(root).as_posix()
            try:
                with open(path, "rb") as handle:
                    head = handle.read(512)
                files[rel] = stored_digest(head) if _LFS_POINTER.match(head) else file_digest(path)
            except OSError:
                files[rel] = None
    return files
