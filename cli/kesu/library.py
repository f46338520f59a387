"""The case library (客诉案例库): entries for training, rendered from cases.

An entry follows 000's problem – process – lessons and 004's five parts. It
is read widely, so its template never receives the customer section, and
their name, contact and member number are masked wherever free text quotes
them (``masking.redacted``).
"""

from __future__ import annotations

from kesu.i18n import _
from kesu.engine import Step
from kesu.record import commit_files, record_step
from kesu.masking import redacted
from kesu.render import Renderer, template_case
from kesu.masking import customer_masks, masked
from kesu.neutral import markdown

INDEX = "library/README.md"


def entry_path(case_id: str) -> str:
    return f"library/{case_id}.md"


def render_entry(renderer: Renderer, case: dict) -> str:
    safe = template_case(markdown(redacted(case)))
    return renderer.render(f"library/entry.{renderer.locale}.md.j2",
                           {"case": safe, "library": safe["library"]})


def render_index(renderer: Renderer, cases: list[dict]) -> str:
    entries = []
    for case in cases:
        classification = case.get("classification") or {}
        summary = markdown(masked((case.get("complaint") or {}).get("summary", ""), customer_masks(case)))
        entries.append({"id": case["id"], "summary": summary,
                        "category": classification.get("category") or "other",
                        "month": str(case.get("received_at", ""))[:7],
                        "draft": bool((case.get("library") or {}).get("draft"))})
    entries.sort(key=lambda e: (e["month"], e["id"]))
    by_category: dict[str, list] = {}
    by_month: dict[str, list] = {}
    for entry in entries:
        by_category.setdefault(entry["category"], []).append(entry)
        by_month.setdefault(entry["month"], []).append(entry)
    return renderer.render(f"library/index.{renderer.locale}.md.j2",
                           {"entries": entries, "by_category": sorted(by_category.items()),
                            "by_month": sorted(by_month.items(), reverse=True)})


def _refuse_hand_edits(archive, rels: list[str]) -> None:
    """Rendering again would overwrite changes made by hand and not committed: refuse, naming the file."""
    from kesu import gitio
    from kesu.errors import ArchiveError

    edited = gitio.uncommitted_paths(archive.root, rels)
    if edited:
        raise ArchiveError(_("has changes that are not committed; commit them (or 'git checkout -- {path}') before "
                             "kesu renders it again; nothing was changed").format(path=edited[0]), edited[0])


def _library_cases(archive, replacing: dict | None = None) -> list[dict]:
    cases = {c["id"]: c for _, c, _ in archive.scan() if c and c.get("library") and c.get("id")}
    if replacing is not None:
        cases[replacing["id"]] = replacing
    return list(cases.values())


def add(archive, case_id: str, step: Step):
    """Record the library section and render the entry and the index, as one step."""
    renderer = Renderer(archive)

    def rendered(case: dict) -> dict[str, str]:
        files = {entry_path(case_id): render_entry(renderer, case),
                 INDEX: render_index(renderer, _library_cases(archive, case))}
        _refuse_hand_edits(archive, list(files))
        return files

    return record_step(archive, case_id, step, extra_files=rendered)


def build(archive) -> tuple[int, str | None]:
    """Re-render every entry and the index in one commit; (entries, commit or None)."""
    renderer = Renderer(archive)
    cases = _library_cases(archive)
    files = {entry_path(c["id"]): render_entry(renderer, c) for c in cases}
    files[INDEX] = render_index(renderer, cases)
    with archive.lock():
        changed = {rel: text for rel, text in files.items()
                   if not (archive.root / rel).is_file()
                   or (archive.root / rel).read_text(encoding="utf-8") != text}
        if not changed:
            return len(cases), None
        _refuse_hand_edits(archive, list(changed))
        sha = commit_files(archive, changed, f"library: rebuild {len(cases)} entries\n")
    return len(cases), sha
