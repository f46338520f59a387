"""Working together over a real remote: a bare repository served by ``git daemon``
on 127.0.0.1, and three desks (clones) with different actors.

Every scenario ends the same way: after each desk has synced, every step is
present exactly once on every desk (in the case files and in the history),
``kesu validate`` is clean, and ``list``/``overdue`` agree across desks.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import KESU, STRAWBERRY, git, kesu
from e2e_support import at, isolated, parse_yaml, stamp

ACTORS = {"a": "zhang.san", "b": "li.ming", "c": "wang.fang"}
NOW = "2026-11-24T12:00"
LOOPBACK = "127.0.0.1"


# ====================================================================== the remote
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def _wait_until_listening(port: int, proc: subprocess.Popen, limit: float = 10.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"git daemon exited: {proc.stderr.read().decode(errors='replace')}")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"git daemon did not listen on {LOOPBACK}:{port} within {limit} s")


class Server:
    """``git daemon`` serving bare repositories from ``base``, loopback only."""

    def __init__(self, base: Path, port: int):
        self.base = base
        self.port = port

    def url(self, name: str) -> str:
        return f"git://{LOOPBACK}:{self.port}/{name}.git"

    def new_remote(self, name: str) -> str:
        """A fresh copy of the seed archive, served; its git:// URL."""
        shutil.copytree(self.base / "seed.git", self.base / f"{name}.git")
        return self.url(name)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with isolated(tmp_path_factory):
        work = tmp_path_factory.mktemp("remote")
        base = work / "served"
        base.mkdir()
        origin = work / "origin"
        assert kesu("init", str(origin)).returncode == 0
        git(work, "clone", "-q", "--bare", str(origin), str(base / "seed.git"))
        for attempt in range(3):  # a port taken between the probe and the bind: try another
            port = _free_port()
            proc = subprocess.Popen(
                ["git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
                 "--informative-errors", f"--base-path={base}", f"--listen={LOOPBACK}",
                 f"--port={port}", str(base)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                _wait_until_listening(port, proc)
                break
            except RuntimeError:
                _stop(proc)
                if attempt == 2:
                    raise
        try:
            yield Server(base, port)
        finally:
            _stop(proc)


@pytest.fixture(scope="module")
def template_desks(server, tmp_path_factory) -> Path:
    """Three clones of the seed, made once with ``kesu clone``; each test copies them."""
    with isolated(tmp_path_factory):
        folder = tmp_path_factory.mktemp("desks")
        for name in ACTORS:
            result = kesu("clone", server.url("seed"), str(folder / name))
            assert result.returncode == 0, result.stderr
        return folder


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
    if proc.stderr:
        proc.stderr.close()


# ====================================================================== desks
class Desk:
    """One clone, used by one person; remembers every step it recorded."""

    def __init__(self, root: Path, actor: str):
        self.root = root
        self.actor = actor
        self.steps: list[tuple[str, str, str, str]] = []

    def run(self, *args: str, code: int | None = 0, env: dict | None = None):
        result = kesu(*args, cwd=self.root, env={"KESU_ACTOR": self.actor, **(env or {})})
        if code is not None:
            assert result.returncode == code, (args, result.returncode, result.stdout, result.stderr)
        return result

    def new(self, when: str, *extra: str, env: dict | None = None) -> str:
        case_id = self.run("new", *STRAWBERRY, "--at", at(when), *extra, env=env).stdout.strip()
        self.steps.append((case_id, "intake", self.actor, stamp(when)))
        return case_id

    def do(self, action: str, case_id: str, *args: str, when: str, env: dict | None = None) -> None:
        command = ("library", "add") if action == "library" else (action,)
        self.run(*command, case_id, *args, "--at", at(when), env=env)
        self.steps.append((case_id, action, self.actor, stamp(when)))

    def sync(self, *args: str, code: int = 0):
        return self.run("sync", *args, code=code)

    def head(self) -> str:
        return git(self.root, "rev-parse", "HEAD").strip()


class Team:
    """Three desks cloned from one remote (copies of clones made by ``kesu clone``,
    pointed at a fresh copy of the remote: cloning anew each time costs more)."""

    def __init__(self, url: str, folder: Path, templates: Path):
        self.url = url
        self.desks = {}
        for name, actor in ACTORS.items():
            shutil.copytree(templates / name, folder / name, symlinks=True)
            git(folder / name, "remote", "set-url", "origin", url)
            self.desks[name] = Desk(folder / name, actor)

    def __getitem__(self, name: str) -> Desk:
        return self.desks[name]

    def sync_all(self) -> None:
        """Every desk syncs; then the ones before the last once more, to get its steps."""
        order = list(self.desks.values())
        for desk in order + order[:-1]:
            desk.sync()

    def expected(self) -> Counter:
        return Counter(step for desk in self.desks.values() for step in desk.steps)


@pytest.fixture
def team(server, template_desks, tmp_path, request) -> Team:
    name = request.node.name.replace("[", "-").replace("]", "")
    return Team(server.new_remote(name), tmp_path, template_desks)


def remote_tip(desk: Desk) -> str:
    out = git(desk.root, "ls-remote", "origin", "refs/heads/main").split()
    return out[0] if out else ""


# ====================================================================== the common ending
def steps_in_files(root: Path) -> Counter:
    found: Counter = Counter()
    for path in sorted((root / "cases").glob("*/*/*.yaml")):
        case = parse_yaml(path.read_text(encoding="utf-8"))
        for entry in case["timeline"]:
            found[(case["id"], entry["action"], entry["by"], entry["at"])] += 1
    return found


def steps_in_history(root: Path) -> Counter:
    fmt = "%(trailers:key=Case,key=Action,key=Actor,key=At,valueonly,separator=%x1f)"
    found: Counter = Counter()
    for line in git(root, "log", f"--format={fmt}").splitlines():
        fields = tuple(line.split("\x1f"))
        if len(fields) == 4:
            found[fields] += 1
    return found


def assert_team_agrees(team: Team, expected: Counter | None = None) -> None:
    team.sync_all()
    heads = {desk.head() for desk in team.desks.values()}
    assert len(heads) == 1, "every desk should be at the same commit after syncing"
    expected = team.expected() if expected is None else expected
    listings = set()
    for desk in team.desks.values():
        in_files = steps_in_files(desk.root)
        assert in_files == expected, f"steps in the case files of {desk.root.name}"
        assert steps_in_history(desk.root) == expected, f"step commits of {desk.root.name}"
        assert desk.run("validate").returncode == 0
        listed = desk.run("list", "--format", "json").stdout
        overdue = desk.run("overdue", "--now", NOW, "--fail-on", "never", "--format", "json").stdout
        listings.add((listed, overdue))
        assert git(desk.root, "status", "--porcelain") == ""
    assert len(listings) == 1, "list and overdue should agree across desks"


def assert_audits_clean(root: Path) -> None:
    """A history made only through kesu (steps, sync, the merge driver) audits clean.
    The scenarios date their steps on one past day, so back-dating is allowed here."""
    result = kesu("audit", "--max-backdate", "300d", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr


def case_file(desk: Desk, case_id: str) -> dict:
    path = next(desk.root.glob(f"cases/*/*/{case_id}.yaml"))
    return parse_yaml(path.read_text(encoding="utf-8"))


def sync_command(output: str) -> list[str]:
    """The ``kesu sync ...`` command a clash message names, as arguments."""
    line = next(line for line in output.splitlines() if "kesu sync --" in line)
    return line[line.index("kesu sync --") + len("kesu sync "):].split()


# ====================================================================== scenarios
def test_new_complaints_on_every_desk(team):
    for name, when in (("a", "10:00"), ("b", "10:01"), ("c", "10:02")):
        team[name].new(when)
    first = team["a"].sync().stdout
    assert "pushed 1 to origin/main" in first
    second = team["b"].sync().stdout
    assert "got 1 commits, pushed 1 to origin/main" in second
    assert_team_agrees(team)
    history = git(team["a"].root, "log", "--format=%(trailers:key=Recorded,valueonly)%x1e%cI")
    carried = [r for r in history.split("\x1e") if r.strip()]
    assert carried, "carried steps say when they were first recorded"


def test_steps_on_different_cases(team):
    a, b, c = team["a"], team["b"], team["c"]
    first, second = a.new("10:00"), a.new("10:01")
    a.sync(), b.sync(), c.sync()
    a.do("ack", first, when="10:05")
    b.do("ack", second, when="10:06")
    c.do("note", first, "顾客来电询问", when="10:07")
    assert_team_agrees(team)
    assert case_file(c, first)["state"] == "acknowledged"


def _to_investigating(desk: Desk, when: str) -> str:
    case_id = desk.new(when)
    hour = when[:3]
    desk.do("ack", case_id, when=f"{hour}01")
    desk.do("dispatch", case_id, "--category", "product", "--severity", "general", "--risk", "low",
            "--owner", "li.ming", when=f"{hour}02")
    desk.do("investigate", case_id, "--findings", "抽检 10 盒，2 盒霉变", when=f"{hour}03")
    return case_id


def test_same_case_steps_that_both_stand(team):
    """note/investigate, assign/extend, propose/escalate, close-after-propose: each pair
    on one case, one step per desk, merged in time order through the engine."""
    a, b = team["a"], team["b"]
    pairs = {name: _to_investigating(a, f"{9 + i:02d}:00")
             for i, name in enumerate(("note", "assign", "propose", "close"))}
    a.sync(), b.sync()
    a.do("note", pairs["note"], "本机记录", when="13:10")
    b.do("investigate", pairs["note"], "--findings", "供应商批次报告", when="13:05")
    a.do("assign", pairs["assign"], "--owner", "wang.fang", when="13:20")
    b.do("extend", pairs["assign"], "--by", "2h", "--reason", "等待质检报告", "--approver", "zhao.lei",
         when="13:25")
    a.do("propose", pairs["propose"], "--step", "全额退款", "--refund", "39.90", when="13:30")
    b.do("escalate", pairs["propose"], "--reason", "顾客要求升级", "--owner", "wang.fang",
         when="13:35")
    b.do("propose", pairs["close"], "--step", "全额退款", "--refund", "39.90", when="13:40")
    a.do("close", pairs["close"], "--reason", "withdrawn", when="13:45")
    a.sync()
    carried = b.sync().stdout
    assert "carried, replayed" in carried
    assert_team_agrees(team)
    escalated = case_file(a, pairs["propose"])
    assert escalated["state"] == "investigating"
    assert [e["action"] for e in escalated["timeline"][-2:]] == ["propose", "escalate"]
    assert escalated["timeline"][-1]["from"] == "plan_proposed"
    assert escalated["assignment"]["owner"] == "wang.fang"
    assert case_file(a, pairs["close"])["state"] == "closed"
    noted = case_file(a, pairs["note"])
    assert [e["action"] for e in noted["timeline"][-2:]] == ["investigate", "note"]
    assert len(noted["investigation"]["findings"]) == 2
    assert_audits_clean(a.root)


def test_both_desks_acknowledge_the_same_case(team):
    a, b = team["a"], team["b"]
    case_id = a.new("10:00")
    a.sync(), b.sync()
    a.do("ack", case_id, "--method", "phone", when="10:05")
    a.sync()
    b.run("ack", case_id, "--method", "sms", "--at", at("10:09"))
    tip, head = remote_tip(a), b.head()
    clash = b.sync(code=1)
    message = clash.stderr
    assert "zhang.san's ack at 2026-11-23T10:05:00+08:00 (on origin)" in message
    assert "li.ming's ack at 2026-11-23T10:09:00+08:00 (this desk" in message
    assert "cannot both stand" in message and "Nothing was pushed" in message
    assert remote_tip(a) == tip and b.head() == head, "a clash changes nothing anywhere"
    command = sync_command(message)
    assert command[0] == "--as-note"
    resolved = b.run("sync", *command).stdout
    assert "recorded as a note (--as-note)" in resolved
    b.steps.append((case_id, "note", "li.ming", stamp("10:09")))
    assert_team_agrees(team)
    note = case_file(a, case_id)["notes"][-1]
    assert note["text"] == "not kept at sync: ack (method=sms)"


def test_a_step_on_a_case_the_other_desk_closed(team):
    a, b = team["a"], team["b"]
    case_id = _to_investigating(a, "09:00")
    a.sync(), b.sync()
    a.do("close", case_id, "--reason", "withdrawn", when="11:00")
    a.sync()
    b.run("propose", case_id, "--step", "全额退款", "--refund", "39.90", "--at", at("11:30"))
    message = b.sync(code=1).stderr
    assert "zhang.san's close at 2026-11-23T11:00:00+08:00" in message
    assert "li.ming's propose at 2026-11-23T11:30:00+08:00" in message
    command = sync_command(message)
    assert command[0] == "--drop", "a closed case takes no note either"
    b.run("sync", *command)
    assert_team_agrees(team)


def test_library_entries_added_on_both_desks(team):
    a, b = team["a"], team["b"]
    first, second = a.new("10:00"), a.new("10:01")
    a.sync(), b.sync()
    a.do("library", first, "--lessons", "到货须抽检", "--typical", "--draft", when="10:30")
    b.do("library", second, "--lessons", "称重台须复核", "--typical", "--draft", when="10:31")
    a.sync(), b.sync()
    index = (b.root / "library" / "README.md").read_text(encoding="utf-8")
    assert "共 2 个案例" in index and f"({first}.md)" in index and f"({second}.md)" in index
    assert "kesu library add" not in index
    assert "nothing changed" in b.run("library", "build").stdout, "the index is what build renders"
    assert_team_agrees(team)


def test_the_same_id_created_on_two_desks(team, monkeypatch):
    a, b = team["a"], team["b"]
    with monkeypatch.context() as patch:
        patch.setattr("kesu.ids.new_id", lambda prefix, received: f"{prefix}-{received:%Y%m%d}-SAME00")
        mine = a.new("10:00")
        theirs = b.new("10:02", "--customer", "李先生")
    assert mine == theirs
    b.do("ack", theirs, when="10:03")
    a.sync()
    message = b.sync(code=1).stderr
    assert f"{mine} was created twice, as two different complaints" in message
    assert "zhang.san's intake at 2026-11-23T10:00:00+08:00 (on origin)" in message
    assert "li.ming's intake at 2026-11-23T10:02:00+08:00 (this desk" in message
    assert sync_command(message) == ["--renumber", mine]
    out = b.run("sync", "--renumber", mine).stdout
    new_id = out.split(f"{mine} is now ")[1].split()[0]
    b.steps = [(new_id if s[0] == mine else s[0], *s[1:]) for s in b.steps]
    assert_team_agrees(team)
    assert case_file(a, new_id)["customer"]["name"] == "李先生"
    assert case_file(a, new_id)["state"] == "acknowledged"
    assert case_file(a, mine)["customer"]["name"] == "王女士"


def test_an_offline_desk_syncs_hours_later(team):
    a, b, c = team["a"], team["b"], team["c"]
    case_id = a.new("08:00")
    for desk in (a, b, c):
        desk.sync()
    hours_ago = "2026-11-24T09:00:00+08:00"
    c.do("ack", case_id, when="08:30", env={"GIT_COMMITTER_DATE": hours_ago})
    c.do("note", case_id, "顾客到店补充了小票", when="09:15", env={"GIT_COMMITTER_DATE": hours_ago})
    a.do("note", case_id, "总部来电", when="09:00")
    a.sync()
    b.sync()
    b.do("note", case_id, "已联系供应商", when="10:00")
    b.sync()
    c.sync()
    timeline = case_file(c, case_id)["timeline"]
    assert [(e["action"], e["by"]) for e in timeline] == [
        ("intake", "zhang.san"), ("ack", "wang.fang"), ("note", "zhang.san"), ("note", "wang.fang"),
        ("note", "li.ming")]
    log = git(c.root, "log", "-2", "--format=%(trailers:key=At,key=Actor,key=Recorded,valueonly,separator=|)")
    assert log.splitlines() == [f"wang.fang|{stamp('09:15')}|{hours_ago}",
                                f"wang.fang|{stamp('08:30')}|{hours_ago}"]
    assert_team_agrees(team)


def test_a_third_desk_pushes_while_a_desk_syncs(team):
    a, b, c = team["a"], team["b"], team["c"]
    case_id = a.new("10:00")
    a.sync(), b.sync(), c.sync()
    a.do("note", case_id, "A 的记录", when="10:20")
    c.do("note", case_id, "C 的记录", when="10:15")
    marker = a.root.parent / "c-pushed"
    hook = a.root / ".git" / "hooks" / "pre-push"
    hook.write_text(
        "#!/bin/sh\n"
        f"[ -e '{marker}' ] && exit 0\n"
        f"touch '{marker}'\n"
        "unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\n"
        f"cd '{c.root}' && KESU_ACTOR=wang.fang '{KESU}' sync >/dev/null 2>&1\n"
        "exit 0\n", encoding="utf-8")
    hook.chmod(0o755)
    out = a.sync().stdout
    assert marker.exists(), "the third desk pushed during the sync"
    assert "after 2 tries" in out
    hook.unlink()
    assert_team_agrees(team)


def test_plain_git_pull_merge_and_rebase_give_what_sync_gives(team):
    a, b = team["a"], team["b"]
    case_id, other = a.new("10:00"), a.new("10:01")
    a.sync(), b.sync()
    a.do("ack", case_id, when="10:05")
    a.do("library", other, "--lessons", "到货须抽检", "--typical", "--draft", when="10:06")
    a.sync()
    b.do("note", case_id, "顾客来电", when="10:04")
    b.do("assign", case_id, "--owner", "wang.fang", when="10:07")
    b.do("library", case_id, "--lessons", "称重台须复核", "--typical", "--draft", when="10:08")
    merged, rebased = b.root.parent / "b-merge", b.root.parent / "b-rebase"
    shutil.copytree(b.root, merged, symlinks=True)
    shutil.copytree(b.root, rebased, symlinks=True)
    git(merged, "pull", "-q", "--no-rebase")
    git(rebased, "pull", "-q", "--rebase")
    b.sync()
    for path in (f"cases/2026/11/{case_id}.yaml", "library/README.md", f"library/{case_id}.md"):
        synced = (b.root / path).read_text(encoding="utf-8")
        assert (merged / path).read_text(encoding="utf-8") == synced, path
        assert (rebased / path).read_text(encoding="utf-8") == synced, path
    assert kesu("validate", cwd=merged).returncode == 0
    assert len(git(merged, "log", "-1", "--format=%P").split()) == 2  # the driver's merge
    assert_audits_clean(merged)
    after_merge = kesu("sync", cwd=merged, env={"KESU_ACTOR": "li.ming"})
    assert after_merge.returncode == 0, after_merge.stderr
    assert "already there" in after_merge.stdout and "pushed 0" in after_merge.stdout
    assert git(merged, "rev-parse", "HEAD").strip() == b.head()
    assert_team_agrees(team)
    assert_audits_clean(b.root)


def test_a_clash_under_plain_git_pull_leaves_a_conflict_that_says_why(team):
    a, b = team["a"], team["b"]
    case_id, other = a.new("10:00"), a.new("10:01")
    a.sync(), b.sync()
    a.do("ack", case_id, when="10:05")
    a.sync()
    b.run("ack", case_id, "--at", at("10:06"))
    pull = subprocess.run(["git", "pull", "-q"], cwd=b.root, capture_output=True, text=True)
    assert pull.returncode != 0
    rel = f"cases/2026/11/{case_id}.yaml"
    text = (b.root / rel).read_text(encoding="utf-8")
    assert "# kesu could not merge this file:" in text
    assert "zhang.san's ack at 2026-11-23T10:05:00+08:00" in text
    assert "li.ming's ack at 2026-11-23T10:06:00+08:00" in text
    assert "'kesu sync'" in text
    checked = b.run("validate", code=1).stdout
    assert f"{rel}:" in checked and "conflict markers" in checked
    listed = b.run("list", code=1)
    assert f"{rel}:" in listed.stderr and other in listed.stdout
    assert b.run("overdue", "--fail-on", "never", code=1).stderr.count(rel) == 1
    refused = b.run("note", other, "记录", code=2).stderr
    assert "a merge is in progress" in refused
    assert "a merge is in progress" in b.run("library", "build", code=2).stderr
    assert rel in git(b.root, "ls-files", "--unmerged"), "kesu never clears the unmerged mark"
    git(b.root, "merge", "--abort")
    assert "cannot both stand" in b.sync(code=1).stderr


def test_refusals_on_a_detached_head_during_a_rebase_and_in_a_clone_not_set_up(team, tmp_path):
    a = team["a"]
    case_id = a.new("10:00")
    a.do("note", case_id, "一", when="10:01")
    git(a.root, "checkout", "-q", "--detach")
    assert "HEAD is detached" in a.run("note", case_id, "二", code=2).stderr
    git(a.root, "checkout", "-q", "main")
    stopped = subprocess.run(["git", "rebase", "-q", "--exec", "false", "HEAD~1"], cwd=a.root,
                             capture_output=True, text=True)
    assert stopped.returncode != 0
    assert "a rebase is in progress" in a.run("ack", case_id, code=2).stderr
    assert "a rebase is in progress" in a.run("sync", code=2).stderr
    git(a.root, "rebase", "--abort")
    (a.root / "kesu.yaml").write_text((a.root / "kesu.yaml").read_text(encoding="utf-8") + "\n",
                                      encoding="utf-8")
    assert "uncommitted changes in kesu.yaml" in a.sync(code=2).stderr
    git(a.root, "checkout", "-q", "--", "kesu.yaml")
    a.sync()

    plain = tmp_path / "plain"
    git(tmp_path, "clone", "-q", team.url, str(plain))
    refused = kesu("note", case_id, "三", "--at", at("10:02"), cwd=plain)
    assert refused.returncode == 2
    assert "not set up for working together" in refused.stderr and "kesu setup" in refused.stderr
    set_up = kesu("setup", cwd=plain)
    assert set_up.returncode == 0 and "merge driver kesu" in set_up.stdout
    assert kesu("note", case_id, "三", "--at", at("10:02"), cwd=plain).returncode == 0


def test_list_and_overdue_say_when_a_clone_last_synced(team, tmp_path):
    a = team["a"]
    assert a.run("list").stderr == "last sync just now with origin\n", "a clone counts as a sync"
    a.new("10:00")
    assert "1 commit not pushed yet" in a.run("list").stderr
    a.sync()
    listed = a.run("list")
    assert listed.stderr.strip() == "last sync just now with origin"
    assert "last sync" not in listed.stdout
    assert "last sync just now with origin" in a.run("overdue", "--fail-on", "never").stderr
    assert "last sync" not in a.run("list", "--format", "json").stderr
    plain = tmp_path / "plain"
    git(tmp_path, "clone", "-q", team.url, str(plain))
    assert kesu("setup", cwd=plain).returncode == 0
    assert kesu("list", cwd=plain).stderr == "never synced: run 'kesu sync'\n"
    git(plain, "fetch", "-q")
    assert "never synced with 'kesu sync'; last fetch just now" in kesu("list", cwd=plain).stderr
    lone = tmp_path / "lone"
    assert kesu("init", str(lone)).returncode == 0
    assert kesu("list", cwd=lone).stderr == ""


def test_sync_and_clone_show_progress_on_a_terminal(team, tmp_path):
    """On a terminal, fetch and push run through GitPython and show git's progress."""
    import pty

    def on_a_terminal(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, str]:
        leader, follower = pty.openpty()
        try:
            proc = subprocess.run([KESU, *args], cwd=cwd, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=follower, text=True, timeout=60,
                                  env={**os.environ, "KESU_ACTOR": "zhang.san"})
        finally:
            os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        os.close(leader)
        return proc, shown.decode("utf-8", "replace")

    a = team["a"]
    a.new("10:00")
    synced, progress = on_a_terminal("sync", cwd=a.root)
    assert synced.returncode == 0, progress
    assert "pushed 1 to origin/main" in synced.stdout
    assert "100%" in progress, progress
    cloned, progress = on_a_terminal("clone", team.url, str(tmp_path / "fresh"), cwd=tmp_path)
    assert cloned.returncode == 0, progress
    assert "100%" in progress, progress
    assert kesu("list", cwd=tmp_path / "fresh").returncode == 0


def test_a_desk_that_signs_its_steps_signs_what_sync_carries(team, tmp_path):
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen (openssh-client) is not installed: cannot make SSH signatures")
    a, b = team["a"], team["b"]
    case_id = a.new("10:00")
    a.sync(), b.sync()
    key = tmp_path / "li.ming"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "li.ming", "-f", str(key)],
                   check=True)
    for option, value in (("gpg.format", "ssh"), ("user.signingkey", str(key)),
                          ("commit.gpgsign", "true")):
        git(b.root, "config", option, value)
    a.do("note", case_id, "A 的记录", when="10:10")
    a.sync()
    b.do("note", case_id, "B 的记录", when="10:05")
    b.sync()
    carried = git(b.root, "cat-file", "commit", "HEAD")
    assert "gpgsig -----BEGIN SSH SIGNATURE-----" in carried
    assert_team_agrees(team)
