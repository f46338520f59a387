"""The case index answers exactly as a full scan of the case files does.

Every whole-archive command reads the index (``kesu.index``); the answers it
gave before, parsing every file and computing every timer on each call, are
kept in ``scan_reference``. They must agree on the sample cases and on a
synthetic archive where every timer, clock and light occurs, at moments
around each timer's yellow and red instants; after commits, edits in the work
tree and deletions; and the index must come back when its folder is deleted.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import scan_reference
import synthetic
from conftest import git, kesu
from kesu import kpi, reports, views
from kesu.archive import Archive
from kesu.config import Policy
from kesu.deadlines import Deadlines


def fresh(root: Path) -> Archive:
    """A new Archive object, as a new command would have."""
    return Archive(root)


def same_answers(root: Path, now: datetime) -> None:
    archive = fresh(root)
    indexed = views.list_rows(archive)  # brings the index up to date
    scanned_archive = fresh(root)
    for filters in ({}, {"open_only": True}, {"overdue_only": True}, {"owner": "li.ming"},
                    {"states": ["investigating", "received"]}, {"category": "product"}):
        expected = scan_reference.list_rows(scanned_archive, now, **filters)
        assert archive.case_index().list_rows(now, **filters) == expected, filters
    assert indexed is not None
    for threshold in ("yellow", "red"):
        assert views.overdue_rows(archive, now, threshold) == \
            scan_reference.overdue_rows(scanned_archive, now, threshold)
    assert {p: str(e) for p, e in archive.left_out.items()} == \
        {p: str(e) for p, e in scanned_archive.left_out.items()}
    for first in {now.date().replace(day=1), datetime(2026, 9, 1).date()}:
        for store in (None, "SH-001"):
            scanned = scan_reference.ScanCaseSet(scanned_archive, store)
            assert reports.monthly(archive, first, store, now) == \
                reports.monthly(scanned_archive, first, store, now, scanned)
            assert reports.lights_now(reports.CaseSet(archive, store), now) == \
                reports.lights_now(scanned, now)
            months = [first, reports.previous_month(first)]
            assert kpi.kpi(archive, months, store, {}, now) == \
                kpi.kpi(scanned_archive, months, store, {}, now, scanned)
            assert reports.trend(archive, first, 6, store, now) == \
                reports.trend(scanned_archive, first, 6, store, now, scanned)


def boundary_moments(root: Path) -> list[datetime]:
    """Moments one second either side of every running timer's yellow and red instants."""
    archive = fresh(root)
    engine = Deadlines(archive.policy.data)
    moments = set()
    from kesu.index.lights import yellow_instant

    for _, case, _ in archive.scan():
        if not case or case.get("state") == "closed":
            continue
        for timer in engine.timers(case, None):
            if timer.running:
                yellow = datetime.fromtimestamp(yellow_instant(engine, timer) / 1e6, archive.policy.tz)
                for edge in (yellow, timer.deadline.replace(microsecond=0)):
                    moments.update(edge + timedelta(seconds=s) for s in (-1, 0, 1))
    return sorted(moments)


@pytest.fixture
def synthetic_archive(archive) -> Path:
    policy = Policy.load(archive / "kesu.yaml")
    synthetic.write_cases(archive, synthetic.make_cases(policy, 160))
    git(archive, "add", "cases")
    git(archive, "commit", "-q", "-m", "cases")
    return archive


def test_sample_archive_answers_as_a_full_scan(sample_archive):
    for now in ("2026-11-23T16:20:00+08:00", "2026-11-24T12:00:00+08:00", "2027-01-05T09:00:00+08:00"):
        same_answers(sample_archive, datetime.fromisoformat(now))


def test_lights_change_at_the_stored_instants_as_deadlines_computes_them(synthetic_archive):
    moments = boundary_moments(synthetic_archive)
    assert len(moments) > 50
    archive = fresh(synthetic_archive)
    index = archive.case_index()
    scanned = fresh(synthetic_archive)
    for now in moments[::3]:
        assert index.list_rows(now) == scan_reference.list_rows(scanned, now)
        assert index.overdue_rows(now) == scan_reference.overdue_rows(scanned, now)


def test_synthetic_archive_answers_as_a_full_scan_through_changes(synthetic_archive):
    root = synthetic_archive
    now = datetime.fromisoformat("2026-11-28T15:00:00+08:00")
    same_answers(root, now)
    files = sorted((root / "cases").glob("*/*/*.yaml"))
    # committed changes: a case closed by hand, one deleted, one added
    text = files[0].read_text(encoding="utf-8")
    files[0].write_text(text.replace("state: ", "state: closed\nx_old_state: ", 1), encoding="utf-8")
    files[1].unlink()
    git(root, "add", "-A", "cases")
    git(root, "commit", "-q", "-m", "changes")
    same_answers(root, now)
    # the work tree: a broken file, a conflicted one, a new untracked one, a shape flaw
    files[2].write_text("id: [unclosed\n", encoding="utf-8")
    files[3].write_text("<<<<<<< ours\nid: x\n=======\nid: y\n>>>>>>> theirs\n", encoding="utf-8")
    shutil.copy(files[4], files[4].with_name("KS-20260901-ZZZZZZ.yaml"))
    files[5].write_text(files[5].read_text(encoding="utf-8").replace("received_at:", "received_at: 12\nx:"),
                        encoding="utf-8")
    same_answers(root, now)
    assert len(fresh(root).case_index().unreadable()) >= 3
    # put back: the index follows the work tree back to HEAD
    git(root, "checkout", "--", "cases")
    (files[4].with_name("KS-20260901-ZZZZZZ.yaml")).unlink()
    same_answers(root, now)


def test_a_build_in_many_batches_and_processes_answers_as_a_full_scan(synthetic_archive, monkeypatch):
    # a cold build as at scale: batches read from one cat-file, parsed by a pool,
    # numbered where they are parsed; work-tree files among them
    from kesu.index import build

    monkeypatch.setattr(build, "CHUNK", 7)
    monkeypatch.setattr(build, "PARALLEL_FROM", 20)
    files = sorted((synthetic_archive / "cases").glob("*/*/*.yaml"))
    files[10].write_text("id: [unclosed\n", encoding="utf-8")
    files[30].unlink()
    shutil.copy(files[40], files[40].with_name("KS-20260901-ZZZZZZ.yaml"))
    shutil.rmtree(synthetic_archive / ".git" / "kesu-index", ignore_errors=True)
    same_answers(synthetic_archive, datetime.fromisoformat("2026-11-28T15:00:00+08:00"))


def test_the_index_comes_back_when_its_folder_is_deleted(synthetic_archive):
    first = kesu("list", "--format", "json", cwd=synthetic_archive)
    folder = synthetic_archive / ".git" / "kesu-index"
    assert folder.is_dir()
    shutil.rmtree(folder)
    again = kesu("list", "--format", "json", cwd=synthetic_archive)
    assert again.returncode == first.returncode == 0
    assert json.loads(again.stdout) == json.loads(first.stdout)
    assert folder.is_dir()


def test_an_unchanged_archive_parses_nothing(synthetic_archive, monkeypatch):
    kesu("list", cwd=synthetic_archive)
    from kesu.index import build

    def refuse(*args):
        raise AssertionError("parsed a case file of an unchanged archive")

    monkeypatch.setattr(build, "parse_case", refuse)
    assert kesu("list", cwd=synthetic_archive).returncode == 0
    assert kesu("overdue", "--fail-on", "never", cwd=synthetic_archive).returncode == 0


def test_one_step_reindexes_only_its_case(synthetic_archive, monkeypatch):
    kesu("list", cwd=synthetic_archive)
    from kesu.index import build

    read = []
    original = build.parse_case
    monkeypatch.setattr(build, "parse_case", lambda rel, data: read.append(rel) or original(rel, data))
    case_id = kesu("new", "--channel", "counter", "--customer", "王女士", "--contact", "13800138000",
                   "--summary", "草莓霉变", "--facts", "草莓霉变", "--emotion", "calm",
                   "--at", "2026-11-23T16:10", cwd=synthetic_archive).stdout.strip()
    read.clear()
    assert kesu("ack", case_id, "--at", "2026-11-23T16:15", cwd=synthetic_archive).returncode == 0
    assert kesu("list", cwd=synthetic_archive).returncode == 0
    assert read == [fresh(synthetic_archive).case_relpath(case_id)]


def test_init_turns_on_gits_settings_for_many_files(archive):
    assert git(archive, "config", "feature.manyFiles").strip() == "true"
    assert git(archive, "config", "core.untrackedCache").strip() == "true"


def test_a_chain_with_its_own_store_hours_answers_as_a_full_scan(archive):
    """Each case's timers run on its store's hours (kesu.yaml stores:), in the index
    as in a full scan; the store and owner filters agree too."""
    config = archive / "kesu.yaml"
    late = {day: ["08:00-22:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    config.write_text(config.read_text(encoding="utf-8") + "stores:\n"
                      "  SH-001: {name: 旗舰店, region: 华东}\n"
                      "  SH-002: {name: 2号店, region: 华东, business_hours: " + json.dumps(late) + "}\n"
                      "  BJ-001: {name: 北京店, region: 华北}\n", encoding="utf-8")
    policy = Policy.load(config)
    synthetic.write_cases(archive, synthetic.make_cases(policy, 90, seed=11))
    git(archive, "add", "-A")
    git(archive, "commit", "-q", "-m", "a chain's cases")
    now = datetime.fromisoformat("2026-11-28T21:00:00+08:00")  # 2号店 is open, the others closed
    same_answers(archive, now)
    index, scanned = fresh(archive).case_index(), fresh(archive)
    for store in ("SH-001", "SH-002"):
        assert index.list_rows(now, store=store) == scan_reference.list_rows(scanned, now, store=store)
        for owner in (None, "li.ming"):
            assert index.overdue_rows(now, store=store, owner=owner) == \
                scan_reference.overdue_rows(scanned, now, store=store, owner=owner)
    late_store = [r for r in index.overdue_rows(now, store="SH-002")]
    assert late_store, "the store with its own hours has lit timers to compare"
