"""``kesu audit``: replay the history of ``cases/`` and check every commit against kesu's rules.

Auditors read the git history to learn who did what, when, following which
rules, and whether anything was changed behind the tool's back. Every kesu
step is one commit on one case file whose trailers (Case/Action/From/To/
Actor/At) say what happened; the audit takes each commit that touches
``cases/`` and checks that its trailers, its diff and its times tell the
same story, and that the story is one the transition table allows.

It has to be fast enough for CI on a busy archive, so it asks git for the
history once (one ``git log --raw``: trailers, committer time, signature
status and the blob ids of every file a commit changed) and fetches only
the blobs it compares, all through one ``git cat-file --batch`` process.
Parsing is the remaining cost, and a step changes two or three of a case's
twenty sections, so a case file is read section by section
(``_CaseReader``) and only the sections whose text changed are parsed.

Rule codes are stable (scripts match on them); ``RULES`` documents each.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from kesu import gitio, lifecycle, yamlio
from kesu.record import FUTURE_TOLERANCE
from kesu.errors import GitError, UsageError
from kesu.engine import Step, timeline_entry

#: Every finding's rule code, with what it means. Codes never change meaning.
RULES: dict[str, str] = {
    "no-trailers": "a commit changes a case file without kesu's trailers",
    "bad-trailers": "a commit has kesu trailers that do not parse (missing, repeated or invalid values)",
    "multi-case": "a commit changes more than one case, or a case other than the one its trailers name",
    "foreign-file": "a step commit also changes files other than its case file and its library entry",
    "bad-import": "an 'Action: import' commit changes an existing case, or adds one whose timeline "
                  "is not a legal walk",
    "merge-edit": "a merge commit changes a case file beyond what its parents had",
    "illegal-transition": "the transition table does not allow the action from the case's state",
    "from-mismatch": "the From trailer is not the state the case was in before the commit",
    "state-mismatch": "the case's state after the commit is not the To trailer",
    "timeline-mismatch": "the timeline did not grow by exactly one entry equal to the trailers, "
                         "or earlier entries changed",
    "foreign-section": "the commit changes sections its action does not write",
    "unreadable": "the case file the commit wrote is not a readable YAML mapping",
    "deleted": "a case file was deleted",
    "renamed": "a case file was renamed or moved",
    "id-reused": "a case file was added at a path that existed earlier, or an ID lives under two paths",
    "future-event": "the step's time (At) is later than the commit time, beyond the clock skew allowed",
    "backdated": "the step's time (At) is earlier than the commit time by more than the maximum back-dating",
    "unsigned": "with --require-signed: a kesu commit carries no signature git could check",
    "bad-signature": "with --require-signed: git verify-commit does not accept the commit's signature",
    "signer-mismatch": "with --require-signed: the signer is not the actor's key or e-mail in the roster",
}

#: The trailer that lets one commit add many case files (a migration from
#: another system); each file must carry a timeline that is a legal walk.
IMPORT = "import"

#: How far an event may lie after its commit: the clocks of two machines
#: disagree a little, and kesu itself accepts ``--at`` this far ahead.
CLOCK_SKEW = FUTURE_TOLERANCE
DEFAULT_MAX_BACKDATE = "24h"

TRAILER_KEYS = ("Case", "Action", "From", "To", "Actor", "At")
_TRAILER_KEYS_LOWER = {key.lower(): key for key in TRAILER_KEYS}

#: Commits name their commit by this many hex digits, like ``kesu history``.
SHORT = 10

#: What ``%G?`` says, for messages.
SIGNATURE_STATUS = {
    "G": "good signature", "U": "good signature from a key that is not trusted or not "
    "in the allowed signers", "X": "good signature that has expired",
    "Y": "good signature by a key that has expired", "R": "signature by a revoked key",
    "E": "signature that cannot be checked (missing key or allowed-signers file)",
    "B": "bad signature", "N": "no signature",
}

_CASE_PATH = re.compile(r"^cases/(?:.*/)?([^/]+)\.yaml$")


@dataclass(frozen=True)
class Finding:
    commit: str
    case: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.commit} {self.case} {self.rule}: {self.message}"

    def as_dict(self) -> dict:
        return {"commit": self.commit, "case": self.case, "rule": self.rule,
                "message": self.message}


@dataclass
class AuditResult:
    commits_checked: int
    findings: list[Finding]
    #: Filled when the caller asked to keep them (the report): each case's
    #: last committed content by case ID, and the commits of the steps keyed
    #: (case, at, action, actor), in history order: two steps can share a key
    #: (the same person notifying twice within a minute).
    cases: dict[str, dict] = field(default_factory=dict)
    step_commits: dict[tuple, list[str]] = field(default_factory=dict)
    head: str | None = None

    def as_dict(self) -> dict:
        """The documented JSON form: ``{"commits_checked": N, "findings": [...]}``."""
        return {"commits_checked": self.commits_checked,
                "findings": [f.as_dict() for f in self.findings]}


# ------------------------------------------------------------------ durations
def parse_duration(text: str, what: str = "--max-backdate") -> timedelta:
    """``90m``, ``24h`` or ``3d``: the duration grammar of kesu.yaml's timers,
    in wall time (back-dating is measured on the clock, not in working days)."""
    from kesu.deadlines import duration_minutes, parse_duration as parse_amount

    try:
        minutes = duration_minutes(*parse_amount(text))
    except UsageError:
        minutes = None
    if minutes is None:
        raise UsageError(f"{what} {text!r} is not a duration like 90m, 24h or 3d")
    return timedelta(minutes=minutes)


def max_backdate_of(policy, given: str | None) -> timedelta:
    """``--max-backdate``, else ``audit.max_backdate`` of kesu.yaml, else 24h."""
    if given is not None:
        return parse_duration(given)
    configured = (policy.get("audit") or {}).get("max_backdate")
    if configured is None:
        return parse_duration(DEFAULT_MAX_BACKDATE)
    try:
        return parse_duration(configured, "audit.max_backdate")
    except UsageError as exc:
        raise UsageError(exc.message, "kesu.yaml") from None


def _human(delta: timedelta) -> str:
    from kesu.views import format_duration

    return format_duration(abs(delta.total_seconds()))


# ------------------------------------------------------------------ git log
@dataclass
class _Change:
    """One file a commit changed, from ``git log --raw``."""

    status: str            # A M D T R (rename), or "merge" for a merge's combined entry
    path: str
    old: str | None        # blob id before the commit (None: the file did not exist)
    new: str | None        # blob id after it (None: deleted)
    new_path: str | None = None   # where a renamed file went


@dataclass
class _Commit:
    sha: str
    parents: list[str]
    committed: datetime
    trailers: str
    changes: list[_Change]
    signature: str = ""
    signer: str = ""
    key: str = ""
    fingerprint: str = ""

    @property
    def short(self) -> str:
        return self.sha[:SHORT]


def _zero(oid: str) -> bool:
    return not oid.strip("0")


def read_history(root, since: str | None = None, case_path: str | None = None,
                 signatures: bool = False) -> list[_Commit]:
    """Every commit touching ``cases/`` (or one case file), oldest first, parents before children.

    One ``git log`` process. ``--full-diff`` lists every file of those
    commits, not only the ones under ``cases/``, so a step that smuggles in
    another file shows; ``--cc`` lists what a merge changed beyond its
    parents. Records are delimited by a random token, so no commit message
    can forge one.
    """
    token = secrets.token_hex(8)
    sep = f"%x1f{token}"
    fields = ["%H", "%P", "%ct"] + (["%G?", "%GK", "%GF", "%GS"] if signatures else [])
    fields.append("%(trailers:only,unfold)")
    fmt = f"%x1e{token}" + sep.join(fields) + f"%x1d{token}"
    revs = [f"{since}..HEAD"] if since else ["HEAD"]
    args = ["log", "--reverse", "--topo-order", "--raw", "--no-abbrev", "-z", "--full-diff",
            "--find-renames", "--root", "--cc", "--no-color", "--no-show-signature",
            "--no-textconv", "--no-relative", f"--format={fmt}", "--end-of-options", *revs,
            "--", case_path or "cases/"]
    out = gitio.run_bytes(root, *args).decode("utf-8", "surrogateescape")
    commits = []
    for record in out.split(f"\x1e{token}")[1:]:
        header, _, raw = record.partition(f"\x1d{token}")
        values = header.split(f"\x1f{token}")
        sha, parents, committed = values[0], values[1].split(), values[2]
        commit = _Commit(sha, parents, datetime.fromtimestamp(int(committed), timezone.utc),
                         trailers=values[-1], changes=_raw_changes(raw))
        if signatures:
            commit.signature, commit.key, commit.fingerprint, commit.signer = values[3:7]
        commits.append(commit)
    return commits


def _raw_changes(raw: str) -> list[_Change]:
    """Parse ``--raw -z`` entries: ``:modes… shas… STATUS\\0path\\0[new path\\0]``.

    A merge's combined entry starts with one colon per parent.
    """
    tokens = raw.split("\0")
    changes = []
    i = 0
    while i < len(tokens):
        meta = tokens[i].lstrip("\n")
        i += 1
        if not meta.startswith(":"):
            continue
        colons = len(meta) - len(meta.lstrip(":"))
        parts = meta[colons:].split(" ")
        shas = parts[colons + 1:2 * colons + 2]
        status = parts[-1]
        path = tokens[i]
        i += 1
        new_path = None
        if status[:1] in ("R", "C"):
            new_path = tokens[i]
            i += 1
        old, new = shas[0], shas[-1]
        changes.append(_Change("merge" if colons > 1 else status[:1], path,
                               None if _zero(old) else old, None if _zero(new) else new, new_path))
    return changes


def paths_before(root, since: str, case_path: str | None) -> dict[str, str]:
    """Case paths that existed at or before ``since``, with the commit that added each.

    Only ``--since`` needs this: the replay starts late, and an ID reused
    after an old deletion is still a reused ID.
    """
    out = gitio.run_bytes(root, "log", "--format=%x1e%H", "--name-only", "-z", "--no-renames",
                          "--diff-filter=A", "--end-of-options", since, "--",
                          case_path or "cases/").decode("utf-8", "surrogateescape")
    seen: dict[str, str] = {}
    for record in out.split("\x1e")[1:]:
        sha, _, names = record.partition("\n")
        for name in names.split("\0"):
            name = name.strip("\n")
            if name:
                seen.setdefault(name, sha.strip())
    return seen


# ------------------------------------------------------------------ trailers
@dataclass(frozen=True)
class _Step:
    case: str | None
    action: str
    from_state: str | None
    to_state: str | None
    actor: str
    at: str
    when: datetime


def parse_trailers(text: str) -> tuple[_Step | None, str | None]:
    """kesu's trailers of a commit: ``(step, None)``, ``(None, None)`` when the
    commit has none of them, or ``(None, problem)`` when they do not parse."""
    from kesu import ids

    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in _TRAILER_KEYS_LOWER:
            found.setdefault(key.strip(), []).append(value.strip())
    if not found:
        return None, None
    problems = []
    for key, values in found.items():
        if key not in TRAILER_KEYS:
            problems.append(f"{key} should be spelled {_TRAILER_KEYS_LOWER[key.lower()]}")
        elif len(values) > 1:
            problems.append(f"{key} is given {len(values)} times")
    values = {k: v[0] for k, v in found.items() if k in TRAILER_KEYS}
    action = values.get("Action")
    required = ["Action", "Actor", "At"]
    if action != IMPORT:
        required += ["Case", "To"] + ([] if action == "intake" else ["From"])
    problems += [f"{key} is missing" for key in required if not values.get(key)]
    if action and action != IMPORT and action not in lifecycle.TABLE:
        problems.append(f"Action {action!r} is not a kesu action")
    if action == "intake" and values.get("From"):
        problems.append("an intake has no From")
    for key in ("From", "To"):
        if values.get(key) and values[key] not in lifecycle.STATES:
            problems.append(f"{key} {values[key]!r} is not a state")
    if values.get("Case"):
        try:
            ids.parse_id(values["Case"])
        except UsageError as exc:
            problems.append(f"Case: {exc.message}")
    when = None
    if values.get("At"):
        try:
            when = datetime.fromisoformat(values["At"])
        except ValueError:
            when = None
        if when is None or when.tzinfo is None:
            problems.append(f"At {values['At']!r} is not a time with an offset")
    if problems:
        return None, "; ".join(problems)
    return _Step(values.get("Case"), action, values.get("From"), values.get("To"),
                 values["Actor"], values["At"], when), None


# ------------------------------------------------------------------ reading cases
class _Unreadable(Exception):
    pass


@dataclass
class _Case:
    """A parsed case file: its sections, and the text of each when it was read
    section by section (two sections with the same text are equal)."""

    sections: dict[str, Any]
    texts: dict[str, str] | None = None

    def same(self, other: "_Case", key: str) -> bool:
        if self.texts is not None and other.texts is not None:
            mine, theirs = self.texts.get(key), other.texts.get(key)
            if mine is not None and mine == theirs:
                return True
        return self.sections.get(key, _MISSING) == other.sections.get(key, _MISSING)


_MISSING = object()

#: A line that starts a top-level key: anything but indentation, a comment or a blank line.
_SECTION_START = re.compile(r"^[^ \t\r\n#]", re.MULTILINE)
_TIMELINE_HEAD = re.compile(r"timeline:[ ]*")
_ITEM_INDENT = re.compile(r"( +)- ")


class _CaseReader:
    """Reads case files, parsing only the sections whose text is new.

    A case file is split at the lines that start a top-level key; each piece
    is parsed on its own and must come out as a mapping of exactly that one
    key. When every piece does, the pieces are the document: YAML gives a
    column-0 line the same meaning whatever comes before it, and a piece that
    depends on its neighbours (an unterminated quote or flow collection, an
    anchor, a second document, a key hidden behind a Unicode line break)
    does not parse alone as one key. Anything unusual falls back to parsing
    the whole file. A piece whose text appeared in the case's previous
    version is not parsed again; a timeline that only grew is parsed from
    where it grew.
    """

    def __init__(self) -> None:
        # Short pieces (state lines, ids) recur across cases.
        self._short: dict[str, tuple[str, Any]] = {}
        self._expected: dict | None = None

    def read(self, data: bytes, previous: _Case | None = None,
             expected_entry: dict | None = None) -> _Case:
        """Parse a case file; ``previous`` is the case's version before it, and
        ``expected_entry`` the timeline entry its commit's trailers announce."""
        self._expected = expected_entry
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Unreadable(f"not UTF-8 text (byte {exc.start})") from None
        if len(data) > yamlio.MAX_BYTES:
            raise _Unreadable(f"larger than {yamlio.MAX_BYTES // 1024} KiB")
        return self._by_section(text, previous) or self._whole(text)

    def _whole(self, text: str) -> _Case:
        try:
            document = yamlio.load(text)
        except UsageError as exc:
            raise _Unreadable(exc.message) from None
        if not isinstance(document, dict):
            raise _Unreadable("not a mapping of sections")
        return _Case(document)

    def _by_section(self, text: str, previous: _Case | None) -> _Case | None:
        starts = [m.start() for m in _SECTION_START.finditer(text)]
        if not starts or any(line.strip() and not line.lstrip().startswith("#")
                             for line in text[:starts[0]].splitlines()):
            return None
        known: dict[str, tuple[str, Any]] = {}
        if previous is not None and previous.texts is not None:
            known = {piece: (key, previous.sections[key]) for key, piece in previous.texts.items()}
        sections: dict[str, Any] = {}
        texts: dict[str, str] = {}
        for begin, end in zip(starts, starts[1:] + [len(text)]):
            piece = text[begin:end]
            parsed = known.get(piece) or self._short.get(piece) \
                or self._grown_timeline(piece, previous) or self._parse_piece(piece)
            if parsed is None or parsed[0] in sections:
                return None
            sections[parsed[0]] = parsed[1]
            texts[parsed[0]] = piece
        return _Case(sections, texts)

    def _parse_piece(self, piece: str) -> tuple[str, Any] | None:
        try:
            document = yamlio.load(piece)
        except UsageError:
            return None
        if not isinstance(document, dict) or len(document) != 1:
            return None
        (key, value), = document.items()
        if not isinstance(key, str):
            return None
        if len(piece) < 200:
            if len(self._short) > 50_000:
                self._short.clear()
            self._short[piece] = (key, value)
        return key, value

    def _grown_timeline(self, piece: str, previous: _Case | None) -> tuple[str, Any] | None:
        """The timeline as the previous one plus what was appended, parsing only the new lines."""
        if previous is None or previous.texts is None:
            return None
        before = previous.texts.get("timeline")
        entries = previous.sections.get("timeline")
        if not before or not isinstance(entries, list) or not before.endswith("\n") \
                or len(piece) <= len(before) or not piece.startswith(before):
            return None
        head, _, body = before.partition("\n")
        indent = _ITEM_INDENT.match(body)
        added = piece[len(before):]
        # Only a block list whose new lines start new items at the same indentation.
        if not _TIMELINE_HEAD.fullmatch(head) or indent is None \
                or not added.startswith(indent.group(0)):
            return None
        if self._expected and added in _entry_lines(indent.group(0), self._expected):
            return "timeline", entries + [dict(self._expected)]
        tail = self._parse_piece(f"{head}\n{added}")
        if tail is None or tail[0] != "timeline" or not isinstance(tail[1], list):
            return None
        return "timeline", entries + tail[1]


#: Words YAML 1.1 reads as booleans or null when written plain.
_YAML_WORDS = {"yes", "no", "true", "false", "on", "off", "null"}
_PLAIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")
#: A time YAML resolves as a timestamp when plain, which kesu's readers keep as its text.
_YAML_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[+-]\d\d:\d\d|Z)")


def _without_args(entry: Any) -> Any:
    """A timeline entry as the trailers describe it: the step's arguments aside."""
    if isinstance(entry, dict) and "args" in entry:
        return {k: v for k, v in entry.items() if k != "args"}
    return entry


def _entry_lines(item: str, entry: dict) -> tuple[str, ...]:
    """The lines kesu writes for a timeline entry (its time quoted or not), as
    far as their text can only mean ``entry``: every value other than the
    time a plain word that YAML reads as that very string. Comparing a new
    line with them spares parsing the one line every step adds; any other
    spelling is parsed."""
    at = entry.get("at")
    if not isinstance(at, str) or not _YAML_TIMESTAMP.fullmatch(at):
        return ()
    rest = []
    for key, value in entry.items():
        if key == "at":
            continue
        if not (isinstance(value, str) and _PLAIN_WORD.fullmatch(value)
                and value.lower() not in _YAML_WORDS):
            return ()
        rest.append(f", {key}: {value}")
    if next(iter(entry)) != "at":
        return ()
    tail = "".join(rest) + "}\n"
    return f"{item}{{at: '{at}'{tail}", f"{item}{{at: {at}{tail}"


# ------------------------------------------------------------------ the replay
def _case_of(path: str | None) -> str | None:
    match = _CASE_PATH.match(path or "")
    return match.group(1) if match else None


class _Replay:
    def __init__(self, root, policy, since, case_id, case_path, require_signed, max_backdate,
                 keep_cases):
        self.root = root
        self.policy = policy
        self.since = since
        self.case_id = case_id
        self.case_path = case_path
        self.require_signed = require_signed
        self.max_backdate = max_backdate
        self.keep_cases = keep_cases
        self.findings: list[Finding] = []
        self.reader = _CaseReader()
        #: path -> short commit that added it (every case path ever seen)
        self.existed: dict[str, str] = {}
        #: case ID -> (path, short commit) where it first appeared
        self.id_paths: dict[str, tuple[str, str]] = {}
        self.blobs: dict[str, bytes | None] = {}
        self.parsed: dict[str, _Case | None] = {}
        #: commit index -> blobs no commit after it compares
        self.drop_after: dict[int, list[str]] = {}
        self.ssh_unverifiable = False
        self.shallow: set[str] = set()
        self.final: dict[str, str | None] = {}
        self.step_commits: dict[tuple, list[str]] = {}

    # ---------------------------------------------------------- driving
    def run(self) -> AuditResult:
        head = gitio.head(self.root)
        if head is None:
            return AuditResult(0, [])
        try:
            commits = read_history(self.root, self.since, self.case_path, self.require_signed)
            if self.since:
                for path, sha in paths_before(self.root, self.since, self.case_path).items():
                    self._remember(path, sha[:SHORT])
        except GitError as exc:
            if self.since:
                raise UsageError(f"--since {self.since}: not a commit of this archive "
                                 f"({exc.message})") from None
            raise
        if self.require_signed:
            # git reports SSH signatures it cannot check as "N", like no signature.
            self.ssh_unverifiable = (gitio.config_get(self.root, "gpg.format") == "ssh" and not
                                     gitio.config_get(self.root, "gpg.ssh.allowedSignersFile"))
        self.shallow = _shallow_commits(self.root)
        plans = [self._plan(commit) for commit in commits]
        self._fetch(commits, plans)
        for index, (commit, plan) in enumerate(zip(commits, plans)):
            self._check(commit, plan)
            self._forget(index)
        result = AuditResult(len(commits), self._filtered(), head=head)
        if self.keep_cases:
            result.cases = self._final_cases()
            result.step_commits = self.step_commits
        return result

    def _filtered(self) -> list[Finding]:
        if not self.case_id:
            return self.findings
        return [f for f in self.findings if f.case == self.case_id]

    def _plan(self, commit: _Commit) -> dict:
        """What a commit is and which blobs its checks compare, before fetching any."""
        step, problem = parse_trailers(commit.trailers)
        plan = {"step": step, "problem": problem, "compare": []}
        if len(commit.parents) > 1 or step is None or commit.sha in self.shallow:
            return plan
        for change in commit.changes:
            case = _case_of(change.path)
            if case is None or change.status not in ("A", "M", "T"):
                continue
            if step.action == IMPORT or case == step.case:
                plan["compare"].append(change)
        return plan

    def _fetch(self, commits: list[_Commit], plans: list[dict]) -> None:
        """Every blob the checks compare (and the report's last versions), in one batch."""
        last_use: dict[str, int] = {}
        for index, plan in enumerate(plans):
            for change in plan["compare"]:
                for oid in (change.old, change.new):
                    if oid:
                        last_use[oid] = index
        if self.keep_cases:
            self.final = _last_versions(commits)
            for oid in self.final.values():
                if oid:
                    last_use[oid] = len(plans)  # kept to the end
        for oid, index in last_use.items():
            self.drop_after.setdefault(index, []).append(oid)
        names = list(last_use)
        self.blobs = dict(zip(names, gitio.read_objects(self.root, names)))

    def _forget(self, index: int) -> None:
        """Drop blobs and parsed cases no later commit compares, to keep memory flat."""
        for oid in self.drop_after.pop(index, ()):
            self.blobs.pop(oid, None)
            self.parsed.pop(oid, None)

    def _case(self, oid: str, previous: _Case | None = None,
              expected_entry: dict | None = None) -> _Case:
        if oid in self.parsed:
            cached = self.parsed[oid]
            if cached is None:
                raise _Unreadable("unreadable")
            return cached
        data = self.blobs.get(oid)
        if data is None:
            raise _Unreadable(f"blob {oid[:SHORT]} is missing from the repository")
        try:
            case = self.reader.read(data, previous, expected_entry)
        except _Unreadable:
            self.parsed[oid] = None
            raise
        self.parsed[oid] = case
        return case

    def _add(self, commit: _Commit, case: str, rule: str, message: str) -> None:
        self.findings.append(Finding(commit.short, case, rule, message))

    # ---------------------------------------------------------- one commit
    def _check(self, commit: _Commit, plan: dict) -> None:
        if commit.sha in self.shallow:
            # A shallow clone's oldest commit shows every file as new: its
            # history is not here to check, so the replay starts after it.
            for change in commit.changes:
                if _case_of(change.path):
                    self._remember(change.path, commit.short)
            return
        if len(commit.parents) > 1:
            for change in commit.changes:
                case = _case_of(change.path)
                if case:
                    self._add(commit, case, "merge-edit",
                              f"the merge changes {change.path} beyond what either parent had; "
                              "two clones changed this case: record the steps again with kesu "
                              "instead of resolving the conflict by hand")
            return
        cases: list[_Change] = []
        others: list[_Change] = []
        for change in commit.changes:
            (cases if _case_of(change.path) or _case_of(change.new_path) else others).append(change)
        if not cases:
            return  # nothing under cases/ is a case file (a README, say)
        step, problem = plan["step"], plan["problem"]
        for change in cases:
            self._track(commit, change)
        live = [c for c in cases if c.status in ("A", "M", "T")]
        if step is None:
            rule = "bad-trailers" if problem else "no-trailers"
            message = (f"the trailers do not parse: {problem}" if problem else
                       "changes the case without kesu's trailers (Case, Action, From, To, "
                       "Actor, At): every change to a case must be a kesu step")
            for change in live:
                self._add(commit, _case_of(change.path), rule, message)
            return
        if step.action == IMPORT:
            self._check_import(commit, step, live, others)
        else:
            self._check_step_commit(commit, step, cases, others, plan)

    def _track(self, commit: _Commit, change: _Change) -> None:
        """Deletions, renames and reused IDs: never legitimate, with or without trailers."""
        case = _case_of(change.path)
        if change.status == "D":
            self._add(commit, case, "deleted",
                      f"{change.path} was deleted; kesu never deletes a case (close it instead)")
        elif change.status == "R":
            self._add(commit, case or _case_of(change.new_path), "renamed",
                      f"{change.path} was renamed to {change.new_path}; a case keeps its path for life")
            if _case_of(change.new_path):
                self._check_new_path(commit, change.new_path, moved_from=change.path)
        elif change.status == "A":
            self._check_new_path(commit, change.path)
        else:
            self._remember(change.path, commit.short)

    def _remember(self, path: str, short: str) -> None:
        self.existed.setdefault(path, short)
        case = _case_of(path)
        if case:
            self.id_paths.setdefault(case, (path, short))

    def _check_new_path(self, commit: _Commit, path: str, moved_from: str | None = None) -> None:
        case = _case_of(path)
        if moved_from and self.id_paths.get(case, ("",))[0] == moved_from:
            # The move itself is the finding ("renamed"); the ID now lives here.
            self.id_paths[case] = (path, commit.short)
        if path in self.existed:
            self._add(commit, case, "id-reused",
                      f"{path} is added again, but it existed earlier in history "
                      f"(added in {self.existed[path]}); an ID names one complaint for ever")
        elif case in self.id_paths and self.id_paths[case][0] != path:
            other, where = self.id_paths[case]
            self._add(commit, case, "id-reused",
                      f"{path} is added, but the same ID already lives at {other} "
                      f"(added in {where})")
        self._remember(path, commit.short)

    def _check_step_commit(self, commit, step: _Step, cases, others, plan) -> None:
        touched = list(dict.fromkeys(_case_of(c.path) or _case_of(c.new_path) for c in cases))
        if touched != [step.case]:
            for case in touched:
                if case == step.case:
                    rest = ", ".join(c for c in touched if c != case)
                    message = f"the commit also changes {rest}; a step changes one case"
                else:
                    message = (f"changed by a commit recorded as {step.action} of {step.case}; "
                               "a step changes one case")
                self._add(commit, case, "multi-case", message)
        self._check_others(commit, step.case, others, allowed={f"library/{step.case}.md"})
        for change in plan["compare"]:
            self._check_diff(commit, step, change)
        self._check_time(commit, step, step.case)
        self._check_signature(commit, step, step.case)
        if self.keep_cases:
            self.step_commits.setdefault((step.case, step.at, step.action, step.actor),
                                         []).append(commit.short)

    def _check_others(self, commit, case: str, others: list[_Change], allowed: set[str]) -> None:
        allowed = allowed | {"library/README.md"}
        foreign = {path for c in others for path in (c.path, c.new_path)
                   if path and path not in allowed}
        if foreign:
            self._add(commit, case, "foreign-file",
                      f"the commit also changes {', '.join(sorted(set(foreign)))}; a step "
                      f"commits only its case file (and library/{case}.md, library/README.md)")

    def _check_diff(self, commit: _Commit, step: _Step, change: _Change) -> None:
        case = step.case
        try:
            before = self._case(change.old) if change.old else None
        except _Unreadable:
            return  # the commit that wrote it was reported (or lies before --since)
        expected = timeline_entry(Step(step.action, step.actor, step.at), step.from_state, step.to_state)
        try:
            after = self._case(change.new, before, expected)
        except _Unreadable as exc:
            self._add(commit, case, "unreadable", f"{change.path} as committed is unreadable: {exc}")
            return
        state = before.sections.get("state") if before else None
        if step.action == "intake" and before is not None:
            self._add(commit, case, "illegal-transition",
                      f"intake of {change.path}, which already exists (state {state})")
        elif before is None and step.action != "intake":
            self._add(commit, case, "illegal-transition",
                      f"{change.path} appears with a {step.action} step; a case starts with intake")
        elif not lifecycle.is_legal(step.action, state, step.to_state):
            allowed = ", ".join(lifecycle.actions_from(state)) if state else "intake"
            self._add(commit, case, "illegal-transition",
                      f"{step.action} from {state} to {step.to_state} is not in the transition "
                      f"table (allowed from {state}: {allowed})")
        if before is not None and step.action != "intake" and step.from_state != state:
            self._add(commit, case, "from-mismatch",
                      f"From: {step.from_state}, but the case was {state} before this commit")
        if after.sections.get("state") != step.to_state:
            self._add(commit, case, "state-mismatch",
                      f"To: {step.to_state}, but the case's state after the commit is "
                      f"{after.sections.get('state')}")
        self._check_timeline(commit, step, expected, before, after)
        self._check_sections(commit, step, before, after)

    def _check_timeline(self, commit, step: _Step, expected: dict, before: _Case | None,
                        after: _Case) -> None:
        old = before.sections.get("timeline") if before else []
        new = after.sections.get("timeline")
        shown = _entry_text(expected)
        if not isinstance(new, list) or not isinstance(old or [], list):
            self._add(commit, step.case, "timeline-mismatch",
                      f"the timeline is not a list; expected it to end with {shown}")
            return
        old = old or []
        changed = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), None)
        if changed is not None or len(new) < len(old):
            where = f"entry {changed + 1}" if changed is not None else "entries were removed"
            self._add(commit, step.case, "timeline-mismatch",
                      f"earlier timeline entries were changed ({where}); the timeline is append-only")
        elif len(new) != len(old) + 1:
            self._add(commit, step.case, "timeline-mismatch",
                      f"the timeline grew by {len(new) - len(old)} entries; a step adds exactly "
                      f"one: {shown}")
        elif _without_args(new[-1]) != expected:
            self._add(commit, step.case, "timeline-mismatch",
                      f"the new timeline entry {_entry_text(new[-1])} does not match the "
                      f"trailers: expected {shown}")

    def _check_sections(self, commit, step: _Step, before: _Case | None, after: _Case) -> None:
        writes = lifecycle.TABLE[step.action].writes
        allowed = set(writes) | set(lifecycle.BOOKKEEPING)
        base = before or _Case({}, {})
        keys = list(dict.fromkeys([*base.sections, *after.sections]))
        foreign = [k for k in keys if k not in allowed and not base.same(after, k)]
        if foreign:
            self._add(commit, step.case, "foreign-section",
                      f"{step.action} may write {', '.join(writes)} (plus state, timeline), "
                      f"but the commit also changes {', '.join(foreign)}")

    def _check_import(self, commit, step: _Step, live, others) -> None:
        from kesu.validate import timeline_findings

        added = [c for c in live if c.status == "A"]
        for change in live:
            if change.status != "A":
                self._add(commit, _case_of(change.path), "bad-import",
                          f"an import may only add case files, but it changes {change.path}")
        for change in added:
            case = _case_of(change.path)
            try:
                document = self._case(change.new)
            except _Unreadable as exc:
                self._add(commit, case, "unreadable", f"{change.path} as imported is unreadable: {exc}")
                continue
            problems = timeline_findings(document.sections)
            if problems:
                self._add(commit, case, "bad-import",
                          "the imported timeline is not a legal walk: "
                          + "; ".join(message for _, message in problems))
            if self.keep_cases:
                for entry in document.sections.get("timeline") or []:
                    if isinstance(entry, dict):
                        self.step_commits.setdefault(
                            (case, str(entry.get("at")), entry.get("action"), entry.get("by")),
                            []).append(commit.short)
        first = _case_of(added[0].path) if added else (_case_of(live[0].path) if live else "-")
        allowed = {f"library/{_case_of(c.path)}.md" for c in added}
        self._check_others(commit, first, others, allowed)
        for change in added or live[:1]:
            self._check_time(commit, step, _case_of(change.path))
            self._check_signature(commit, step, _case_of(change.path))

    # ---------------------------------------------------------- time and signatures
    def _check_time(self, commit: _Commit, step: _Step, case: str) -> None:
        ahead = step.when - commit.committed
        if ahead > CLOCK_SKEW:
            self._add(commit, case, "future-event",
                      f"At {step.at} is {_human(ahead)} after the commit time "
                      f"{_local(commit.committed, step.when)} (clock skew allowed: {_human(CLOCK_SKEW)})")
        elif -ahead > self.max_backdate:
            self._add(commit, case, "backdated",
                      f"At {step.at} is {_human(ahead)} before the commit time "
                      f"{_local(commit.committed, step.when)}; at most {_human(self.max_backdate)} "
                      "is expected (--max-backdate, kesu.yaml audit.max_backdate)")

    def _check_signature(self, commit: _Commit, step: _Step, case: str) -> None:
        if not self.require_signed:
            return
        status = commit.signature
        if status == "N":
            hint = (" (or git could not check it: gpg.ssh.allowedSignersFile is not set)"
                    if self.ssh_unverifiable else "")
            self._add(commit, case, "unsigned", f"the commit is not signed{hint}; "
                                                "--require-signed wants every step signed")
            return
        # git verify-commit accepts G, and U from GnuPG (a good signature by a
        # key not trusted yet, which still names its signer); an SSH "U" means
        # the key is in no allowed-signers entry, which verify-commit refuses.
        if not (status == "G" or (status == "U" and commit.signer)):
            meaning = SIGNATURE_STATUS.get(status, f"signature status {status!r}")
            self._add(commit, case, "bad-signature",
                      f"git verify-commit does not accept it: {meaning} (%G? = {status})")
            return
        problem = signer_problem(self.policy, step.actor, commit.signer, commit.key,
                                 commit.fingerprint)
        if problem:
            self._add(commit, case, "signer-mismatch", problem)

    def _final_cases(self) -> dict[str, dict]:
        cases = {}
        for path, oid in sorted(self.final.items()):
            case = _case_of(path)
            if not oid or not case or (self.case_id and case != self.case_id):
                continue
            try:
                cases[case] = self._case(oid).sections
            except _Unreadable:
                continue
        return cases


def _shallow_commits(root) -> set[str]:
    """The commits where a shallow clone's history is cut off (none in a full clone)."""
    try:
        text = (gitio.git_dir(root) / "shallow").read_text(encoding="utf-8")
    except OSError:
        return set()
    return {line.strip() for line in text.splitlines() if line.strip()}


def _last_versions(commits: list[_Commit]) -> dict[str, str | None]:
    """Each case path's blob after the last commit that touched it (None: gone)."""
    final: dict[str, str | None] = {}
    for commit in commits:
        for change in commit.changes:
            if change.status == "R":
                final[change.path] = None
                final[change.new_path] = change.new
            elif _case_of(change.path):
                final[change.path] = change.new
    return final


def _entry_text(entry: Any) -> str:
    if not isinstance(entry, dict):
        return repr(entry)
    return "{" + ", ".join(f"{k}: {v}" for k, v in entry.items()) + "}"


def _local(moment: datetime, like: datetime) -> str:
    """A commit time in the zone of the step's own time, so the two read side by side."""
    return moment.astimezone(like.tzinfo).isoformat(timespec="seconds")


# ------------------------------------------------------------------ signers
def signer_problem(policy, actor: str, signer: str, key: str, fingerprint: str) -> str | None:
    """Why the signature does not belong to ``actor``, or None when it does.

    The roster entry may carry ``signing_key`` and/or ``email``:
    - ``signing_key``: an SSH public key (``ssh-ed25519 AAAA…``), its
      fingerprint (``SHA256:…``), or an OpenPGP fingerprint or long key id;
      compared with the key git reports (``%GK``/``%GF``).
    - ``email``: compared with the signer git reports (``%GS``): the
      principal of the allowed-signers line for SSH, the user id
      (``Name <email>``) for OpenPGP.
    Without a roster there is nobody to compare with.
    """
    roster = policy.roster
    if not roster:
        return None
    entry = roster.get(actor)
    if entry is None:
        return f"the actor {actor} is not in the roster of kesu.yaml"
    entry = entry or {}
    wanted_key, wanted_email = entry.get("signing_key"), entry.get("email")
    signed_by = signer or key or fingerprint or "an unknown key"
    if not wanted_key and not wanted_email:
        return (f"signed by {signed_by}, but the roster entry of {actor} has no signing_key "
                "or email to tie a signature to the actor")
    if wanted_key and _key_matches(str(wanted_key), key, fingerprint):
        return None
    if wanted_email and _email_matches(str(wanted_email), signer):
        return None
    expected = " or ".join(x for x in (f"key {_key_label(str(wanted_key))}" if wanted_key else "",
                                       f"e-mail {wanted_email}" if wanted_email else "") if x)
    return f"signed by {signed_by} ({key or fingerprint or 'no key id'}), but the actor {actor} " \
           f"signs with {expected}"


def ssh_fingerprint(public_key: str) -> str | None:
    """``SHA256:…`` of an OpenSSH public key line, as ssh-keygen -l and git print it."""
    import base64
    import binascii
    import hashlib

    parts = public_key.split()
    if len(parts) < 2:
        return None
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return None
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _key_matches(wanted: str, key: str, fingerprint: str) -> bool:
    wanted = wanted.strip()
    reported = {k for k in (key.strip(), fingerprint.strip()) if k}
    if not reported:
        return False
    if wanted.startswith(("ssh-", "ecdsa-", "sk-")):
        return ssh_fingerprint(wanted) in reported
    if wanted.startswith("SHA256:"):
        return wanted in reported
    hexed = wanted.upper().replace(" ", "").removeprefix("0X")
    return bool(hexed) and any(r.upper() == hexed or (len(hexed) >= 16 and r.upper().endswith(hexed))
                               for r in reported)


def _key_label(wanted: str) -> str:
    if wanted.startswith(("ssh-", "ecdsa-", "sk-")):
        return ssh_fingerprint(wanted) or wanted[:20]
    return wanted


def _email_matches(email: str, signer: str) -> bool:
    email, signer = email.strip().lower(), signer.strip().lower()
    return bool(email) and (signer == email or f"<{email}>" in signer)


# ------------------------------------------------------------------ entry point
def audit(archive, since: str | None = None, case_id: str | None = None,
          require_signed: bool = False, max_backdate: str | None = None,
          keep_cases: bool = False) -> AuditResult:
    """Replay the history of ``cases/`` (or of one case, or since a commit) and
    return every finding, oldest commit first."""
    if since is not None and (not since.strip() or since.startswith("-")):
        raise UsageError(f"--since {since!r} is not a commit")
    # The case's own path (from the date in its ID): git prunes a plain path
    # far faster than a pattern. The full audit also finds an ID filed twice.
    case_path = archive.case_relpath(case_id) if case_id is not None else None
    limit = max_backdate_of(archive.policy, max_backdate)
    replay = _Replay(archive.root, archive.policy, since, case_id, case_path, require_signed,
                     limit, keep_cases)
    return replay.run()
