"""Case IDs as people type them: lower case, a unique ending, ambiguity named."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from kesu import ids
from kesu.idresolve import normalize

from conftest import git, kesu, new_case, snapshot


def test_a_lower_case_id_is_the_case(archive):
    case_id = new_case(archive)
    shown = kesu("show", case_id.lower(), cwd=archive)
    assert shown.returncode == 0, shown.stderr
    assert case_id in shown.stdout


@pytest.mark.parametrize("cut", [4, 6, 9, 15])
def test_a_unique_ending_resolves_for_show_and_steps(archive, cut):
    case_id = new_case(archive)
    ending = case_id[-cut:].lower()
    assert kesu("show", ending, cwd=archive).returncode == 0
    done = kesu("ack", ending, "--actor", "zhang.san", "--at", "2026-11-23T16:11", cwd=archive)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{case_id}: ack (received -> acknowledged)")
    assert kesu("history", ending, cwd=archive).returncode == 0


def test_lookalike_letters_read_as_digits(archive):
    case_id = new_case(archive)
    typed = case_id[-6:].replace("1", "l").replace("0", "o").lower()
    assert kesu("show", typed, "--format", "json", cwd=archive).returncode == 0


def _rename(root, old: str, new: str) -> None:
    old_path = next(root.glob(f"cases/*/*/{old}.yaml"))
    text = old_path.read_text(encoding="utf-8").replace(old, new)
    new_path = old_path.with_name(f"{new}.yaml")
    new_path.write_text(text, encoding="utf-8")
    git(root, "rm", "-q", str(old_path))
    git(root, "add", str(new_path))
    git(root, "commit", "-q", "-m", "test: fixed IDs")


def test_an_ambiguous_ending_lists_the_candidates_and_changes_nothing(archive):
    first, second = new_case(archive), new_case(archive)
    _rename(archive, first, "KS-20261123-AB7KQ2")
    _rename(archive, second, "KS-20261123-CD7KQ2")
    before = snapshot(archive)
    result = kesu("ack", "7kq2", "--actor", "zhang.san", cwd=archive)
    assert result.returncode == 2
    assert "ambiguous" in result.stderr
    assert "KS-20261123-AB7KQ2" in result.stderr and "KS-20261123-CD7KQ2" in result.stderr
    assert snapshot(archive) == before
    assert kesu("show", "ab7kq2", cwd=archive).returncode == 0


def test_too_short_or_unknown_endings_are_refused(archive):
    new_case(archive)
    short = kesu("show", "7kq", cwd=archive)
    assert short.returncode == 2 and "is not a case ID" in short.stderr
    unknown = kesu("show", "ZZZZZZ", cwd=archive)
    assert unknown.returncode == 2 and "no case ID ends with ZZZZZZ" in unknown.stderr
    assert kesu("show", "../../etc", cwd=archive).returncode == 2


@given(st.text(alphabet=ids.CROCKFORD, min_size=6, max_size=6))
def test_any_id_in_lower_case_normalizes_to_itself(suffix):
    case_id = f"KS-20261123-{suffix}"
    assert normalize(case_id.lower()) == case_id
    assert ids.ID_PATTERN.match(normalize(case_id.lower()))
