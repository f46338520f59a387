"""Helpers shared by the end-to-end tests that drive kesu commands.

The fixtures themselves live in conftest.py; this module holds the assertions
and small git readers that several test files use, plus the environment that
module-scoped archives are built in (the same isolation as conftest's
``isolated_git``, which is function-scoped).
"""

from __future__ import annotations

import re
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from conftest import git, isolate_git, kesu, kesu_process, new_case, snapshot
from kesu import yamlio

ID_RE = re.compile(r"^KS-(\d{8})-[0-9A-HJKMNP-TV-Z]{6}$")
OFFSET = "+08:00"


# ------------------------------------------------------------------ environment
@contextmanager
def isolated(tmp_path_factory) -> Iterator[Path]:
    """The environment of conftest's ``isolated_git``, for module-scoped fixtures."""
    home = tmp_path_factory.mktemp("module-home")
    with pytest.MonkeyPatch.context() as mp:
        isolate_git(mp, home)
        yield home


def make_archive(tmp_path_factory, name: str = "desk") -> Path:
    root = tmp_path_factory.mktemp(name) / "desk"
    result = kesu("init", str(root))
    assert result.returncode == 0, result.stderr
    return root


def run_kesu(*args: str, cwd: Path | None = None, timeout: float = 60,
             **popen) -> subprocess.CompletedProcess:
    """The installed ``kesu`` as a separate process, with a shorter timeout and extra
    Popen options: for a command that might hang, the timeout stops it."""
    return kesu_process(*args, cwd=cwd, timeout=timeout, **popen)


# ------------------------------------------------------------------ time
def at(hhmm: str, day: str = "2026-11-23") -> str:
    """``--at`` value for a time on the strawberry case's day (archive zone)."""
    return f"{day}T{hhmm}"


def stamp(hhmm: str, day: str = "2026-11-23") -> str:
    """The same time as kesu writes it: seconds and the archive's offset."""
    return f"{day}T{hhmm}:00{OFFSET}"


# ------------------------------------------------------------------ files
def parse_yaml(text: str):
    """A case file as kesu reads it: YAML 1.2, times as the text they are written as."""
    return yamlio.load(text)


def case_rel(case_id: str) -> str:
    day = ID_RE.match(case_id).group(1)
    return f"cases/{day[:4]}/{day[4:6]}/{case_id}.yaml"


def case_path(root: Path, case_id: str) -> Path:
    return root / case_rel(case_id)


def read_case(root: Path, case_id: str) -> dict:
    return parse_yaml(case_path(root, case_id).read_text(encoding="utf-8"))


# ------------------------------------------------------------------ git
def trailer(root: Path, key: str, rev: str = "HEAD") -> str:
    return git(root, "log", "-1", f"--format=%(trailers:key={key},valueonly)", rev).strip()


def trailers(root: Path, rev: str = "HEAD") -> dict[str, str]:
    """Every trailer of the commit as a dict (a key given twice would fail the test)."""
    out = git(root, "log", "-1", "--format=%(trailers:only,unfold)", rev)
    found: dict[str, str] = {}
    for line in out.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        assert sep, f"not a trailer line: {line!r}"
        assert key not in found, f"trailer {key} given twice"
        found[key] = value.strip()
    return found


def subject(root: Path, rev: str = "HEAD") -> str:
    return git(root, "log", "-1", "--format=%s", rev).strip()


def body(root: Path, rev: str = "HEAD") -> str:
    return git(root, "log", "-1", "--format=%b", rev)


def touched(root: Path, rev: str = "HEAD") -> list[str]:
    out = git(root, "show", "--name-only", "--format=", rev)
    return [line for line in out.splitlines() if line]


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def full_state(root: Path) -> tuple:
    """``snapshot`` plus the exact index entries (mode, blob, path)."""
    return snapshot(root), git(root, "ls-files", "--stage")


# ------------------------------------------------------------------ assertions
def assert_refused(result: subprocess.CompletedProcess, *fragments: str, code: int = 2) -> str:
    """Exit ``code``, one readable stderr line holding every fragment, no traceback."""
    err = result.stderr
    assert result.returncode == code, (result.returncode, result.stdout, err)
    assert "Traceback" not in err and "Traceback" not in result.stdout, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one error line, got: {err!r}"
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"
    return lines[0]


def assert_ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    return result.stdout


# ------------------------------------------------------------------ driving cases
#: The ordinary road of a low-value case, one step per entry:
#: (action, arguments after the ID, actor, --at time, state reached).
ROAD = [
    ("ack", ["--method", "in_person"], "zhang.san", "16:11", "acknowledged"),
    ("dispatch", ["--category", "product", "--subcategory", "quality_defect", "--severity", "general",
                  "--risk", "medium", "--owner", "li.ming", "--department", "fresh_food"],
     "li.ming", "16:20", "dispatched"),
    ("investigate", ["--findings", "同批次草莓抽检 10 盒，2 盒霉变", "--responsibility", "supplier"],
     "li.ming", "16:30", "investigating"),
    ("propose", ["--step", "全额退款", "--refund", "39.90"], "li.ming", "16:40", "plan_proposed"),
    ("notify", ["--method", "phone"], "li.ming", "16:50", "customer_notified"),
    ("accept", [], "li.ming", "17:00", "executing"),
    ("resolve", ["--summary", "已全额退款"], "li.ming", "17:10", "resolved"),
]


def step(root: Path, action: str, case_id: str, *args: str, actor: str, when: str,
         **kw) -> subprocess.CompletedProcess:
    return kesu(action, case_id, *args, "--actor", actor, "--at", at(when), cwd=root, **kw)


def case_in(root: Path, state: str, *intake: str) -> str:
    """A new strawberry case walked along ``ROAD`` until it is in ``state``."""
    case_id = new_case(root, *intake)
    if state == "received":
        return case_id
    for action, args, actor, when, reached in ROAD:
        result = step(root, action, case_id, *args, actor=actor, when=when)
        assert result.returncode == 0, (action, result.stderr)
        if reached == state:
            return case_id
    raise AssertionError(f"ROAD does not reach {state}")


def write_hook(root: Path, name: str, script: str) -> Path:
    """An executable git hook ``name`` in ``root`` running ``script`` under /bin/sh."""
    path = root / ".git" / "hooks" / name
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(0o755)
    return path


@contextmanager
def held_in_pre_commit(root: Path, argv: list[str], scratch: Path) -> Iterator[subprocess.Popen]:
    """Start ``argv`` in ``root`` (in its own session) and yield it once git runs its
    pre-commit hook, which then waits until the block ends (at most 30 s).

    The step is caught between "files written" and "commit made": the moment a
    Ctrl-C or a second kesu is most dangerous. On leaving, the hook is released
    and the process is waited for (killed if it hangs); its output is on
    ``proc.out``/``proc.err`` and its exit code on ``proc.returncode``.
    """
    marker, release = scratch / "hook-started", scratch / "release"
    write_hook(root, "pre-commit", f"""\
touch '{marker}'
i=0
while [ ! -f '{release}' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done
exit 0
""")
    proc = subprocess.Popen(argv, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while not marker.exists():
            if proc.poll() is not None:
                out, err = proc.communicate()
                pytest.fail(f"kesu finished before the hook ran: {proc.returncode} {err}")
            assert time.monotonic() < deadline, "the hook never started"
            time.sleep(0.02)
        yield proc
    finally:
        release.touch()
        try:
            proc.out, proc.err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.out, proc.err = proc.communicate()
