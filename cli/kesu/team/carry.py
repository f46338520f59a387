"""Carrying this desk's unpushed commits onto the remote's tip, step by step.

Each commit becomes a new commit on the tip (or on the one carried before
it), built on a private index so the work tree is not touched until the push
has succeeded. A file the remote did not change since the commit's parent is
taken as the commit left it. A case file the remote changed too gets the
commit's step inserted into the remote's version: the union of the two,
replayed through the engine (``union.combine``), so the step is applied to
the remote's version of its case and its legality checked against the
table. Its message is written again from that replay (the states it went
between may differ) with its ``At`` and ``Actor`` kept and a ``Recorded``
trailer saying when it was first committed. Library files both sides changed
are rendered again from the carried cases.

What the user decided after a clash (``Resolution``) is applied here: a step
recorded as a note instead, a commit left out, a complaint given a new ID.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kesu import engine, gitcommits, gitio, ids, lifecycle, trailers, yamlio
from kesu.casefile import case_text, load_case
from kesu.config import CONFIG_NAME, Policy
from kesu.errors import KesuError, UsageError
from kesu.i18n import N_, _
from kesu.githistory import LocalCommit, unpushed_commits
from kesu.team.union import BOTH, OURS, THEIRS, Clash, Side, combine, identities

CASE_FILE = re.compile(r"^cases/\d{4}/\d{2}/([^/]+)\.yaml$")
LIBRARY_ENTRY = re.compile(r"^library/([^/]+)\.md$")
LIBRARY_INDEX = "library/README.md"


@dataclass(frozen=True)
class Resolution:
    """What the user asked for after a clash; commits are named by an id prefix."""

    as_note: frozenset[str] = frozenset()
    drop: frozenset[str] = frozenset()
    renumber: frozenset[str] = frozenset()

    def names(self, commit: LocalCommit, which: frozenset[str]) -> bool:
        return any(commit.sha.startswith(prefix.lower()) for prefix in which)


class SyncClash(KesuError):
    """Sync stopped before pushing: what clashed, and the one command that resolves it."""

    exit_code = 1

    def __init__(self, message: str, commit: LocalCommit, clash: Clash | None = None):
        super().__init__(message)
        self.commit = commit
        self.clash = clash


_UNCHANGED = N_("Nothing was pushed; this clone is as it was.")


def _unchanged() -> str:
    return "\n" + _(_UNCHANGED) + "\n"


def clash_message(clash: Clash, commit: LocalCommit, remote: str, command: str) -> str:
    where = {OURS: _("on {remote}").format(remote=remote),
             THEIRS: _("this desk, commit {commit}, not pushed").format(commit=commit.short), BOTH: _("on both")}
    named = _(" and ").join(f"{ref} ({where[ref.side]})" for ref in (clash.other, clash.step) if ref)
    if clash.kind == Clash.SAME_ID:
        head = _("{case} was created twice, as two different complaints: {steps}").format(
            case=clash.case_id, steps=named)
    elif clash.kind == Clash.NOT_STEPS:
        head = _("{case} (commit {commit}): {reason}").format(case=clash.case_id, commit=commit.short,
                                                             reason=clash.reason)
    else:
        head = _("{case}: {steps} cannot both stand: {reason}").format(case=clash.case_id, steps=named,
                                                                       reason=clash.reason)
    return head + _unchanged() + command


@dataclass
class Carried:
    """What carrying the unpushed commits produced."""

    head: str
    #: (original commit, new commit or None when left out, what happened to it)
    commits: list[tuple[LocalCommit, str | None, str]] = field(default_factory=list)
    #: old case ID -> new one, for ``--renumber``
    renumbered: dict[str, str] = field(default_factory=dict)


class Carrier:
    def __init__(self, archive, tip: str, head: str, remote: str, resolution: Resolution):
        self.archive = archive
        self.root = archive.root
        self.tip = tip
        self.remote = remote
        self.resolution = resolution
        self.commits = unpushed_commits(self.root, tip, head)
        self.base = gitio.merge_base(self.root, tip, head)
        #: Files as the commits carried so far left them (the tip has the rest).
        self.overlay: dict[str, str | None] = {}
        self._texts: dict[str, str | None] = {}
        self._policies: dict[str | None, Policy] = {}
        self.renumbered: dict[str, str] = {}

    # ------------------------------------------------------------ reading
    def read(self, names: list[str]) -> None:
        """Read many ``rev:path`` texts with one git process."""
        names = [n for n in dict.fromkeys(names) if n not in self._texts]
        for name, content in zip(names, gitio.read_objects(self.root, names)):
            self._texts[name] = None if content is None else content.decode("utf-8")

    def text(self, rev: str | None, path: str) -> str | None:
        if rev is None:
            return None
        name = f"{rev}:{path}"
        if name not in self._texts:
            self.read([name])
        return self._texts[name]

    def now(self, path: str) -> str | None:
        """The file as the commits carried so far left it on the tip."""
        return self.overlay[path] if path in self.overlay else self.text(self.tip, path)

    def policy(self, text: str | None) -> Policy:
        if text not in self._policies:
            self._policies[text] = (Policy(yamlio.load(text, CONFIG_NAME)) if text
                                    else self.archive.policy)
        return self._policies[text]

    # ------------------------------------------------------------ carrying
    def run(self) -> Carried:
        names = [f"{rev}:{CONFIG_NAME}" for rev in {self.tip, *(c.parent for c in self.commits)}]
        for commit in self.commits:
            for _status, path in commit.changes:
                names += [f"{commit.parent}:{path}", f"{commit.sha}:{path}", f"{self.tip}:{path}"]
                names += [f"{self.base}:{path}"] if self.base else []
        self.read(names)
        outgoing: list[gitcommits.NewCommit] = []
        report: list[tuple[LocalCommit, int | None, str]] = []
        for commit in self.commits:
            if self.resolution.names(commit, self.resolution.drop):
                report.append((commit, None, _("left out (--drop)")))
                continue
            try:
                files, message, what = self.carry(commit)
            except Clash as clash:
                raise SyncClash(clash_message(clash, commit, self.remote,
                                              _leave_out(commit)),
                                commit, clash) from None
            if not files:
                report.append((commit, None, _("already there")))
                continue
            self.overlay.update(files)
            report.append((commit, len(outgoing), what))
            outgoing.append(gitcommits.NewCommit(message, {
                "GIT_AUTHOR_NAME": commit.author_name, "GIT_AUTHOR_EMAIL": commit.author_email,
                "GIT_AUTHOR_DATE": commit.author_date}, files))
        written = gitcommits.write_commits(self.root, self.tip, outgoing)
        carried = Carried(written[-1] if written else self.tip, renumbered=dict(self.renumbered))
        carried.commits = [(c, None if n is None else written[n], what) for c, n, what in report]
        return carried

    def carry(self, commit: LocalCommit) -> tuple[dict[str, str | None], str, str]:
        """The files ``commit`` changes on the tip, its message there, and what happened."""
        said = trailers.read(commit.message)
        step = said is not None and said.case is not None and said.action in lifecycle.TABLE
        files: dict[str, str | None] = {}
        message = (trailers.with_recorded(commit.message, commit.committed) if said and said.at
                   else commit.message)
        what = "carried"
        library = [p for _, p in commit.changes if LIBRARY_ENTRY.match(p)]
        renumbered = False
        for _status, path in commit.changes:
            before, mine = self.text(commit.parent, path), self.text(commit.sha, path)
            case_file = CASE_FILE.match(path)
            if case_file:
                carried = self.carry_case(commit, path, case_file.group(1), before, mine, step, said)
                if carried is not None:
                    target, text, new_message, what = carried
                    files[target] = text
                    renumbered = renumbered or target != path
                    message = new_message or message
            elif path in library:
                continue  # below, once the case is carried
            elif self.now(path) == before:
                files[path] = mine
            elif mine not in (before, self.now(path)):
                raise SyncClash(
                    _("this desk (commit {commit}) and {remote} both changed {path}, which kesu does not merge "
                      "step by step.").format(commit=commit.short, remote=self.remote, path=path) + _unchanged()
                    + _("Merge it with 'git pull' (a text merge), commit, then run 'kesu sync' again; or leave "
                        "the commit out: kesu sync --drop {commit}").format(commit=commit.short), commit)
        # Rendered files as git's merge driver treats them: the desk's own rendering
        # unless the remote changed the same file too; then rendered again.
        again = set()
        for path in library:
            before, mine, now = self.text(commit.parent, path), self.text(commit.sha, path), self.now(path)
            if now == before and not renumbered:
                files[path] = mine
            elif mine not in (before, now) or renumbered:
                again.add(path)
        if again:
            files.update(self.library_files(again, files))
        return {p: t for p, t in files.items() if t != self.now(p)}, message, what

    def carry_case(self, commit: LocalCommit, path: str, case_id: str, before: str | None,
                   mine: str | None, step: bool, said):
        """(path, text, new message or None, what happened), or None to leave the file."""
        renumber = case_id in self.resolution.renumber or case_id in self.renumbered
        target, new_id = path, None
        if renumber:
            new_id = self.renumbered.get(case_id) or self._new_id(case_id)
            self.renumbered[case_id] = new_id
            target = self.archive.case_relpath(new_id)
        now = self.now(target)
        as_note = step and self.resolution.names(commit, self.resolution.as_note)
        if not renumber and not as_note:
            if now == before:
                return target, mine, None, _("carried")
            if mine in (before, now):
                return None
        if not step:
            raise SyncClash(
                _("{case}: this desk changed {path} without a kesu step (commit {commit}), and {remote} changed "
                  "it too; kesu merges case files step by step only.").format(
                    case=case_id, path=path, commit=commit.short, remote=self.remote)
                + _unchanged() + _record_instead(commit), commit)
        before_doc, mine_doc = self._load(before, path, new_id), self._load(mine, path, new_id)
        entries = self._new_entries(commit, before_doc, mine_doc,
                                    self.policy(self.text(commit.parent, CONFIG_NAME)))
        if as_note:
            entries = [_note_of(entry) for entry in entries]
        now_doc = self._load(now, target, None)
        ancestor = self._load(self.text(self.base, target), target, None) if self.base else None
        policy = self.policy(self.now(CONFIG_NAME))
        ours = Side.of(now_doc, ancestor)
        try:
            merged = combine(ours, Side(None, entries, holder=mine_doc), policy,
                             None if now_doc is None else ancestor)
        except Clash as clash:
            command = self._command(clash, commit, ours, entries, policy, ancestor, now_doc)
            raise SyncClash(clash_message(clash, commit, self.remote, command), commit, clash) from None
        applied = merged.applied.get(identities(entries)[-1]) if entries else None
        new_message = None
        if applied is not None:
            last = entries[-1]
            new_message = trailers.step_message(
                new_id or case_id, last["action"], applied.from_state, applied.to_state,
                last["by"], last["at"], applied.details, recorded=said.recorded or commit.committed)
        what = (_("recorded as a note (--as-note)") if as_note
                else _("carried as {case} (--renumber)").format(case=new_id) if renumber
                else _("carried, replayed"))
        return target, case_text(merged.case), new_message, what

    def _load(self, text: str | None, path: str, new_id: str | None) -> dict | None:
        if text is None:
            return None
        try:
            doc = load_case(text, path)
        except UsageError as exc:
            raise Clash(Clash.NOT_STEPS, path, _("cannot be read: {problem}").format(problem=exc)) from None
        if new_id:
            doc["id"] = new_id
        return doc

    def _new_entries(self, commit, before: dict | None, mine: dict | None, policy) -> list:
        """The entries ``commit`` added, after checking that they are all it changed."""
        known = set(identities((before or {}).get("timeline") or []))
        timeline = (mine or {}).get("timeline") or []
        entries = [e for e, i in zip(timeline, identities(timeline)) if i not in known]
        case = before
        try:
            for entry in entries:
                case = engine.replay(case, entry, policy, case_after=mine).case
            faithful = case is not None and mine is not None and case_text(case) == case_text(mine)
        except UsageError:
            faithful = False
        if not faithful:
            case_id = (mine or before or {}).get("id", "?")
            raise SyncClash(
                _("{case}: commit {commit} holds more than its kesu step (a hand edit?); carried step by step, "
                  "that would be lost.").format(case=case_id, commit=commit.short)
                + _unchanged() + _record_instead(commit), commit)
        return entries

    def _command(self, clash: Clash, commit, ours: Side, entries, policy, ancestor, now_doc) -> str:
        """The one command that resolves ``clash``."""
        if clash.kind == Clash.SAME_ID:
            return _("To keep {remote}'s complaint and give this desk's a new ID: kesu sync --renumber {case}").format(
                remote=self.remote, case=clash.case_id)
        if clash.kind == Clash.NOT_STEPS:
            return _leave_out(commit)
        other = clash.other if clash.step and clash.step.side == THEIRS else clash.step
        keep = (_("keep {step}").format(step=other) if other
                else _("keep {remote}'s steps").format(remote=self.remote))
        try:
            combine(ours, Side(None, [_note_of(e) for e in entries]), policy,
                    None if now_doc is None else ancestor)
        except Clash:
            return _("A note cannot stand there either (the case is closed); to {keep} and leave yours out: "
                     "kesu sync --drop {commit}").format(keep=keep, commit=commit.short)
        return _("To {keep} and record yours as a note: kesu sync --as-note {commit}").format(
            keep=keep, commit=commit.short)

    def _new_id(self, case_id: str) -> str:
        prefix, received = ids.parse_id(case_id)
        while True:
            candidate = ids.new_id(prefix, received)
            path = self.archive.case_relpath(candidate)
            if self.now(path) is None and not (self.root / path).exists():
                return candidate

    def library_files(self, again: set[str], files: dict[str, str | None]) -> dict[str, str]:
        """The library files in ``again`` rendered from the carried cases (a renumbered
        case's entry under its new name)."""
        from kesu import library
        from kesu.render import Renderer

        view = {**self.overlay, **files}
        listed = {m.group(1) for p in gitio.tree_files(self.root, self.tip, "library")
                  if (m := LIBRARY_ENTRY.match(p)) and p != LIBRARY_INDEX}
        listed |= {m.group(1) for p, t in view.items()
                   if t is not None and (m := LIBRARY_ENTRY.match(p)) and p != LIBRARY_INDEX}
        touched = {self.renumbered.get(m.group(1), m.group(1)) for p in again
                   if (m := LIBRARY_ENTRY.match(p)) and p != LIBRARY_INDEX}
        paths = {i: self.archive.case_relpath(i) for i in listed | touched}
        self.read([f"{self.tip}:{p}" for p in paths.values() if p not in view])

        def case_of(case_id: str) -> dict | None:
            path = paths[case_id]
            text = view[path] if path in view else self.text(self.tip, path)
            return None if text is None else load_case(text, path)

        renderer = Renderer(self.archive)
        out: dict[str, str] = {}
        for case_id in sorted(touched):
            case = case_of(case_id)
            if case is not None and case.get("library"):
                out[library.entry_path(case_id)] = library.render_entry(renderer, case)
        if LIBRARY_INDEX in again:
            cases = [c for c in (case_of(i) for i in sorted(listed | touched)) if c and c.get("library")]
            out[LIBRARY_INDEX] = library.render_index(renderer, cases)
        return out


def _leave_out(commit) -> str:
    return _("To leave this commit out: kesu sync --drop {commit}").format(commit=commit.short)


def _record_instead(commit) -> str:
    return _("Record the change with 'kesu edit' instead: kesu sync --drop {commit}").format(commit=commit.short)


def _note_of(entry: dict) -> dict:
    """A note standing for a step that cannot stand, at its time, by its actor."""
    args = entry.get("args") or {}
    said = " ".join(f"{k}={v}" for k, v in args.items() if k != "sections")
    text = f"not kept at sync: {entry.get('action')}" + (f" ({said})" if said else "")
    return {"at": entry["at"], "action": "note", "by": entry["by"], "args": {"text": text}}
