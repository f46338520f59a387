"""Unit and property tests of the pure core: YAML in/out, money, IDs, the table."""

from __future__ import annotations

import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kesu import gitio, ids, lifecycle, yamlio
from kesu.errors import UsageError

# Text that trips naive YAML writers: YAML 1.1 booleans, numbers, times, colons,
# leading spaces, quotes, newlines, Chinese.
tricky_text = st.one_of(
    st.sampled_from(["yes", "no", "on", "off", "null", "~", "010", "1e3", "0x1F", "13800138000",
                     "2026-11-23T16:10:00+08:00", "2026-11-23", "a: b", "- x", "#note", " 前导空格",
                     "多行\n文本\n", "'引号'", '"双引号"', "", "王女士"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
    st.text(alphabet="草莓霉变退款 \n:#-'\"abc123", max_size=30),
)
scalars = st.one_of(tricky_text, st.integers(-10**9, 10**9), st.booleans(), st.none())
keys = st.text(alphabet="abcdefghij_", min_size=1, max_size=8)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, documents, max_size=6))
def test_dump_then_load_gives_the_same_data(document):
    assert yamlio.load(yamlio.dump(document)) == document


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_money_survives_the_file(amount):
    text = yamlio.dump({"amount": amount})
    assert yamlio.money(yamlio.load(text)["amount"]) == amount


def test_times_are_written_unquoted_outside_flow_and_read_back_as_text():
    text = yamlio.dump({"at": "2026-11-23T16:10:00+08:00", "entry": yamlio.flow({"at": "2026-11-23T16:10:00+08:00"})})
    assert "at: 2026-11-23T16:10:00+08:00\n" in text
    assert yamlio.load(text) == {"at": "2026-11-23T16:10:00+08:00",
                                 "entry": {"at": "2026-11-23T16:10:00+08:00"}}


def test_chinese_is_written_as_is():
    assert "王女士" in yamlio.dump({"name": "王女士"})


def test_aliases_are_refused_with_the_line():
    with pytest.raises(UsageError) as err:
        yamlio.load("a: &x [1, 2]\nb: *x\n", "case.yaml")
    assert "aliases are not allowed" in str(err.value)
    assert str(err.value).startswith("case.yaml:")


def test_a_billion_laughs_is_refused_before_it_expands():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))
    with pytest.raises(UsageError, match="aliases"):
        yamlio.load(bomb)


def test_oversized_text_is_refused():
    with pytest.raises(UsageError, match="larger than"):
        yamlio.load("x: " + "a" * (yamlio.MAX_BYTES + 1))


def test_syntax_errors_name_the_line():
    with pytest.raises(UsageError) as err:
        yamlio.load("a: 1\nb: [1, 2\nc: 3\n", "f.yaml")
    assert str(err.value).startswith("f.yaml:3: invalid YAML")


@pytest.mark.parametrize("value,expected", [(39.9, "39.90"), ("12.5", "12.50"), (1000, "1000.00"),
                                            (0.1, "0.10")])
def test_money_reads_floats_without_binary_noise(value, expected):
    assert yamlio.money(value) == Decimal(expected)


@pytest.mark.parametrize("value", [39.999, "abc", -1, True, "1,000"])
def test_money_refuses_what_is_not_an_amount(value):
    with pytest.raises(UsageError):
        yamlio.money(value)


def test_line_of_finds_nested_keys():
    text = "id: x\nplan:\n  compensation:\n    - {kind: refund, amount: 1}\n"
    document = yamlio.load_with_lines(text)
    assert yamlio.line_of(document, ("plan", "compensation", 0, "amount")) == 4
    assert yamlio.line_of(document, ("plan", "missing")) == 2


@settings(max_examples=100)
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
       st.sampled_from(["KS", "A", "SHOP1"]))
def test_new_ids_parse_back_to_their_date(day, prefix):
    case_id = ids.new_id(prefix, day)
    assert ids.parse_id(case_id) == (prefix, day)


@pytest.mark.parametrize("bad", ["../../etc/passwd", "KS-2026-XYZ", "KS-20261123-7F3KQI",
                                 "ks-20261123-7F3KQ2", "KS-20261323-7F3KQ2", "KS-20261123-7F3KQ2/..", ""])
def test_bad_ids_are_refused(bad):
    with pytest.raises(UsageError):
        ids.parse_id(bad)


def test_every_state_but_closed_is_open_and_reachable():
    reachable = {lifecycle.RECEIVED}
    frontier = [lifecycle.RECEIVED]
    while frontier:
        state = frontier.pop()
        for action in lifecycle.actions_from(state):
            for target in lifecycle.TABLE[action].targets:
                nxt = lifecycle.TABLE[action].target_for(state, target)
                if nxt not in reachable:
                    reachable.add(nxt)
                    frontier.append(nxt)
    assert reachable == set(lifecycle.STATES)


def test_illegal_step_names_the_state_and_the_allowed_actions():
    with pytest.raises(UsageError) as err:
        lifecycle.check_step("accept", lifecycle.RECEIVED)
    assert str(err.value) == ("cannot accept a case that is received; allowed from received: "
                              "ack, close, extend, note, assign, library add, edit, attach, claimant add, "
                              "report-back, refer, corrective")


def test_follow_up_may_close_or_stay_resolved_but_nothing_else():
    assert lifecycle.is_legal("follow-up", lifecycle.RESOLVED, lifecycle.CLOSED)
    assert lifecycle.is_legal("follow-up", lifecycle.RESOLVED, lifecycle.RESOLVED)
    assert not lifecycle.is_legal("follow-up", lifecycle.RESOLVED, lifecycle.INVESTIGATING)
    assert not lifecycle.is_legal("intake", lifecycle.RECEIVED, lifecycle.RECEIVED)


def test_index_matches_reads_the_index_and_says_so_only_when_sure(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    target = tmp_path / "cases" / "a.yaml"
    target.parent.mkdir()
    target.write_bytes(b"state: received\n")
    subprocess.run(["git", "add", "cases/a.yaml"], cwd=tmp_path, check=True)
    assert gitio.index_matches(tmp_path, "cases/a.yaml", b"state: received\n")
    assert not gitio.index_matches(tmp_path, "cases/a.yaml", b"state: closed\n")
    assert not gitio.index_matches(tmp_path, "cases/b.yaml", b"state: received\n")
    assert gitio.blob_id(b"state: received\n").hex() == subprocess.run(
        ["git", "hash-object", "cases/a.yaml"], cwd=tmp_path, capture_output=True, text=True).stdout.strip()


def test_head_read_from_files_agrees_with_git(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert gitio.head(tmp_path) is None
    (tmp_path / "f").write_text("x")
    subprocess.run(["git", "add", "f"], cwd=tmp_path, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "x"], cwd=tmp_path, check=True)
    expected = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True,
                              text=True).stdout.strip()
    assert gitio.head(tmp_path) == expected
    subprocess.run(["git", "pack-refs", "--all"], cwd=tmp_path, check=True)
    assert gitio.head(tmp_path) == expected
    assert Path(tmp_path / ".git" / "packed-refs").exists()
