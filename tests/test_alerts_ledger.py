"""What kesu alert already sent: the ledger on refs/kesu/alerts, shared through the
remote, so that scheduled runs on any clone send nothing twice."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import git, kesu
from test_alerts import HOOK, configure, dispatched, env, hook_messages, platforms  # noqa: F401 (fixtures)

from kesu.alerts import run as alert_run
from kesu.alerts.plan import Item, Roster, who_hears
from kesu.alerts.state import CLAIMED, LEASE, REF, SENT, Ledger, Store
from kesu.config import Policy
from kesu.errors import GitError

YELLOW = "2026-11-23T19:30"
NOW = datetime.fromisoformat("2026-11-23T19:30:00+08:00")


@pytest.fixture
def remote_and_clones(archive, tmp_path, platforms, env):
    """A bare remote holding the archive, and two plain clones of it (two CI jobs)."""
    configure(archive, HOOK)
    case = dispatched(archive)
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(archive), str(bare))
    clones = []
    for name in ("ci-a", "ci-b"):
        git(tmp_path, "clone", "-q", str(bare), str(tmp_path / name))
        clones.append(tmp_path / name)
    return case, bare, clones


def test_a_second_clone_sends_nothing_the_first_sent(remote_and_clones, platforms):
    case, bare, (first, second) = remote_and_clones
    result = kesu("alert", "--now", YELLOW, cwd=first)
    assert result.returncode == 0, result.stderr
    assert hook_messages(platforms) == [("zhang.san", [(case, "yellow", "plan")])]
    ledger = json.loads(git(bare, "show", f"{REF}:sent.json"))
    assert [entry["status"] for entry in ledger["entries"].values()] == [SENT]
    # the branch the desks work on is untouched
    assert git(bare, "rev-parse", "main") == git(first, "rev-parse", "HEAD")

    again = kesu("alert", "--now", "2026-11-23T19:45", cwd=second)
    assert again.returncode == 0, again.stderr
    assert "alert: 0 messages sent" in again.stdout
    assert len(platforms.requests) == 1


def test_two_runs_at_once_send_once(remote_and_clones, platforms, monkeypatch):
    """Run B claims the same messages between run A's look at the ledger and A's claim:
    the remote refuses A's push, A looks again and leaves B's messages to B."""
    case, bare, (first, second) = remote_and_clones
    original = Store.publish
    raced = []

    def publish_after_the_other_run(self, ledger, message):
        if self.root == first and not raced:
            raced.append(True)
            other = Store(second, "origin")
            theirs = other.load()
            theirs.mark(ledger.entries, CLAIMED, NOW, "run-b")
            assert original(other, theirs, "kesu alert: claim")
        return original(self, ledger, message)

    monkeypatch.setattr(Store, "publish", publish_after_the_other_run)
    result = kesu("alert", "--now", YELLOW, cwd=first)
    assert result.returncode == 0, result.stderr
    assert raced and platforms.requests == []
    assert "alert: 0 messages sent" in result.stdout


def test_a_claim_of_a_run_that_died_lapses(archive, platforms, env):
    configure(archive, HOOK)
    dispatched(archive)
    store = Store(archive, None)
    ledger = store.load()
    token = f"{_lit_key(archive)}|zhang.san|webhook"
    ledger.mark([token], CLAIMED, NOW, "killed-run")
    assert store.publish(ledger, "kesu alert: claim")
    soon = kesu("alert", "--now", YELLOW, cwd=archive)
    assert soon.returncode == 0 and platforms.requests == []
    later = (NOW + LEASE + timedelta(minutes=1)).isoformat()
    after = kesu("alert", "--now", later, cwd=archive)
    assert after.returncode == 0, after.stderr
    assert [r for r, _ in hook_messages(platforms)] == ["zhang.san"]


def test_what_was_sent_is_kept_on_the_clone_when_the_remote_will_not_take_it(remote_and_clones, platforms,
                                                                            monkeypatch):
    case, bare, (first, _) = remote_and_clones
    original = Store.publish
    calls = []

    def remote_gone_after_claiming(self, ledger, message):
        calls.append(message)
        if len(calls) > 1:
            raise GitError("git push origin refs/kesu/alerts failed: fatal: could not read from remote")
        return original(self, ledger, message)

    monkeypatch.setattr(Store, "publish", remote_gone_after_claiming)
    result = kesu("alert", "--now", YELLOW, cwd=first)
    assert result.returncode == 1
    assert "what was sent is kept on this clone only" in result.stderr
    assert len(platforms.requests) == 1
    monkeypatch.setattr(Store, "publish", original)
    again = kesu("alert", "--now", "2026-11-23T19:45", cwd=first)
    assert again.returncode == 0 and len(platforms.requests) == 1
    assert json.loads(git(bare, "show", f"{REF}:sent.json"))["entries"].popitem()[1]["status"] == SENT


def test_the_local_ledger_moves_only_from_what_was_read(archive):
    first, second = Store(archive, None), Store(archive, None)
    a, b = first.load(), second.load()
    a.mark(["x|t|s|yellow|zhang.san|webhook"], CLAIMED, NOW, "a")
    b.mark(["x|t|s|yellow|zhang.san|webhook"], CLAIMED, NOW, "b")
    assert first.publish(a, "claim a")
    assert not second.publish(b, "claim b")
    assert second.load().entries["x|t|s|yellow|zhang.san|webhook"]["run"] == "a"


def _lit_key(archive: Path) -> str:
    from kesu.archive import Archive

    items, _ = alert_run.lit(Archive.find(str(archive)), NOW)
    [item] = items
    return item.key


# ------------------------------------------------------------------ the ledger itself
_entries = st.dictionaries(
    st.sampled_from([f"K{i}|plan|s|red|p|webhook" for i in range(6)]),
    st.fixed_dictionaries({"status": st.sampled_from([SENT, CLAIMED]),
                           "at": st.integers(0, 10_000).map(
                               lambda m: (NOW + timedelta(minutes=m)).isoformat()),
                           "run": st.sampled_from(["a", "b", "c"])}),
    max_size=6)


@settings(max_examples=60, deadline=None)
@given(_entries, _entries, _entries)
def test_merging_ledgers_is_order_free_and_a_send_is_never_forgotten(a, b, c):
    x, y, z = Ledger(a), Ledger(b), Ledger(c)
    assert x.merged(y).entries == y.merged(x).entries
    assert x.merged(y).merged(z).entries == x.merged(y.merged(z)).entries
    assert x.merged(x).entries == x.entries
    merged = x.merged(y)
    for token in {**a, **b}:
        sent = any(side.get(token, {}).get("status") == SENT for side in (a, b))
        assert (merged.entries[token]["status"] == SENT) == sent
        assert merged.taken(token, NOW, "someone-else") or not sent


def test_old_records_of_timers_no_longer_lit_are_dropped():
    ledger = Ledger()
    ledger.mark(["K1|plan|s|red|p|webhook"], SENT, NOW - timedelta(days=100), "a")
    ledger.mark(["K2|plan|s|red|p|webhook"], SENT, NOW - timedelta(days=100), "a")
    ledger.mark(["K3|plan|s|red|p|webhook"], SENT, NOW - timedelta(days=2), "a")
    ledger.prune({"K2|plan|s|red"}, NOW)
    assert sorted(ledger.entries) == ["K2|plan|s|red|p|webhook", "K3|plan|s|red|p|webhook"]


# ------------------------------------------------------------------ who hears
ROSTER = {
    "zhang.san": {"role": "front_desk", "store": "SH01"},
    "liu.yang": {"role": "front_desk", "store": "BJ01"},
    "li.ming": {"role": "supervisor", "store": "SH01"},
    "chen.jing": {"role": "supervisor", "store": "BJ01"},
    "wang.fang": {"role": "operations"},
    "sun.li": {"role": "operations", "store": "BJ01"},
    "zhao.lei": {"role": "legal"},
}


def _item(owner: str, light: str, store: str | None, risk: str = "medium") -> Item:
    return Item("KS-20261123-AAAAAA", "plan", "s", light, store, "dispatched", owner, risk, "",
                "", "", -5.0, "business", "")


@pytest.mark.parametrize("owner, light, store, risk, told", [
    ("zhang.san", "yellow", "SH01", "high", [("zhang.san", "owner")]),
    ("zhang.san", "red", "SH01", "medium", [("zhang.san", "owner"), ("li.ming", "superior")]),
    ("liu.yang", "red", "BJ01", "medium", [("liu.yang", "owner"), ("chen.jing", "superior")]),
    # the next rank up, chain-wide when the store has nobody there
    ("li.ming", "red", "SH01", "medium", [("li.ming", "owner"), ("wang.fang", "superior"),
                                          ("zhao.lei", "superior")]),
    # the store's own people come before the chain's
    ("chen.jing", "red", "BJ01", "high", [("chen.jing", "owner"), ("sun.li", "superior")]),
    ("zhang.san", "red", "SH01", "high", [("zhang.san", "owner"), ("li.ming", "superior"),
                                          ("wang.fang", "high_risk")]),
    ("wang.fang", "red", None, "high", [("wang.fang", "owner")]),
])
def test_who_hears_of_a_light(owner, light, store, risk, told):
    policy = Policy({"roster": ROSTER})
    assert who_hears(Roster(policy), _item(owner, light, store, risk)) == told


def test_a_stores_own_roster_list_names_its_superior():
    """kesu.yaml may list a store's people under the store (``stores: {X: {roster: [...]}}``)
    or give a member several stores: the alert goes to the superior the store really has."""
    roster = {"zhang.san": {"role": "front_desk"}, "li.ming": {"role": "supervisor"},
              "chen.jing": {"role": "supervisor", "stores": ["BJ01", "BJ02"]},
              "wang.fang": {"role": "operations"}}
    stores = {"SH01": {"name": "上海一店", "region": "华东", "roster": ["zhang.san", "li.ming"]},
              "BJ02": {"name": "北京二店", "region": "华北"}}
    roster_of = Roster(Policy({"roster": roster, "stores": stores}))
    assert who_hears(roster_of, _item("zhang.san", "red", "SH01")) == [
        ("zhang.san", "owner"), ("li.ming", "superior")]
    assert who_hears(roster_of, _item("zhang.san", "red", "BJ02")) == [
        ("zhang.san", "owner"), ("chen.jing", "superior")]
