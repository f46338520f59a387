"""The audit's evidence checks: every file a case records is at HEAD as attached.

An evidence file is committed with its ``attach`` step, and the case records
its SHA-256. At HEAD each recorded file must be there with that digest (for a
file in Git LFS, the pointer's oid is the digest), and every file under
evidence/ must be recorded by its case: a photo swapped after the fact, a
receipt deleted, or a file slipped in without a step is a finding.
"""

from __future__ import annotations

from kesu import evidence, gitio, ids, yamlio
from kesu.errors import UsageError
from kesu.githistory import SHORT, tree_blobs


def evidence_findings(root, plans, checks) -> None:
    """Add the evidence findings at HEAD to ``checks``."""
    from kesu.audit.findings import Finding

    stored_blobs = tree_blobs(root, "HEAD", f"{evidence.EVIDENCE_DIR}/")
    attached = {p.step.case for p in plans if p.step is not None and p.step.action == "attach"}
    named = {path.split("/")[1] for path in stored_blobs if path.count("/") >= 2}
    if not stored_blobs and not attached:
        return
    oids = sorted(set(stored_blobs.values()))
    contents = dict(zip(oids, gitio.read_objects(root, oids)))
    stored = {path: (evidence.stored_digest(contents[oid]) if contents.get(oid) is not None else None)
              for path, oid in stored_blobs.items()}
    recorded = _cases_at_head(root, attached | named)
    head = (gitio.head(root) or "")[:SHORT]
    for case_id, path, code, message in evidence.problems(recorded, stored):
        checks.findings.append(Finding(head, case_id, code, f"{path}: {message}"))


def _cases_at_head(root, case_ids: set[str]) -> dict[str, dict]:
    names = {}
    for case_id in sorted(case_ids):
        try:
            _, received = ids.parse_id(case_id)
        except UsageError:
            continue
        names[case_id] = f"HEAD:cases/{received:%Y}/{received:%m}/{case_id}.yaml"
    cases = {}
    for (case_id, _), data in zip(names.items(), gitio.read_objects(root, list(names.values()))):
        try:
            loaded = yamlio.load(data, case_id) if data else None
        except UsageError:
            continue  # an unreadable case is its own finding
        if isinstance(loaded, dict):
            cases[case_id] = loaded
    return cases
