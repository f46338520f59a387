"""A big import: its commit is made as any other (hooks, the user's staged files,
all or nothing), and rows built on several cores are judged as in one process."""

from __future__ import annotations


import pytest

from kesu import gitio
from kesu.importer import cores

from conftest import git
from e2e_support import full_state, write_hook
from test_import import chain, ledger, run_import, write_csv  # noqa: F401 - chain is a fixture

ROWS = 120  # more paths than gitio.BULK: staged from stdin, committed as the index


def test_the_ledger_is_big_enough_for_the_bulk_commit():
    assert ROWS > gitio.BULK


@pytest.mark.parametrize("hook", ["pre-commit", "commit-msg"])
def test_a_hook_refusing_a_big_import_leaves_files_index_and_head_as_they_were(chain, tmp_path, hook):
    path = write_csv(tmp_path / "l.csv", ledger(ROWS, seed=9), "utf-8")
    (chain / "notes.txt").write_text("周会记录\n", encoding="utf-8")
    git(chain, "add", "notes.txt")  # the user's own staged file stays staged
    write_hook(chain, hook, "echo 'error: imports need a review' >&2\nexit 1\n")
    before = full_state(chain)
    result = run_import(chain, path)
    assert result.returncode == 2 and "imports need a review" in result.stderr
    assert "Traceback" not in result.stderr
    assert full_state(chain) == before
    assert not list((chain / ".git").glob("kesu-journal*"))


def test_a_passing_hook_sees_every_imported_file_staged_and_written(chain, tmp_path):
    path = write_csv(tmp_path / "l.csv", ledger(ROWS, seed=9), "utf-8")
    seen = tmp_path / "staged"
    write_hook(chain, "pre-commit", f"git diff --cached --name-only > '{seen}'\n"
                     f"for f in $(cat '{seen}'); do test -s \"$f\" || exit 1; done\n")
    result = run_import(chain, path)
    assert result.returncode == 0, result.stderr
    staged = seen.read_text(encoding="utf-8").split()
    assert len(staged) == ROWS and all(p.startswith("cases/") for p in staged)
    assert git(chain, "status", "--porcelain") == ""


def test_a_big_import_leaves_the_index_fresh(chain, tmp_path):
    path = write_csv(tmp_path / "l.csv", ledger(ROWS, seed=9), "utf-8")
    assert run_import(chain, path).returncode == 0
    assert git(chain, "diff-files", "--name-only") == ""  # stat data noted: no file to look at again
    assert git(chain, "status", "--porcelain") == ""


def test_a_clean_filter_on_case_files_is_applied_as_git_add_would(chain, tmp_path):
    (chain / ".gitattributes").write_text((chain / ".gitattributes").read_text(encoding="utf-8")
                                          + "cases/** filter=shout\n", encoding="utf-8")
    git(chain, "config", "filter.shout.clean", "tr a-z A-Z")
    git(chain, "config", "filter.shout.smudge", "cat")
    git(chain, "commit", "-qam", "shout")
    path = write_csv(tmp_path / "l.csv", ledger(ROWS, seed=9), "utf-8")
    assert run_import(chain, path).returncode == 0
    rel = git(chain, "show", "--name-only", "--format=", "HEAD").split()[0]
    assert git(chain, "show", f"HEAD:{rel}") == (chain / rel).read_text(encoding="utf-8").upper()


def test_the_users_staged_files_stay_out_of_a_big_import(chain, tmp_path):
    path = write_csv(tmp_path / "l.csv", ledger(ROWS, seed=9), "utf-8")
    (chain / "notes.txt").write_text("周会记录\n", encoding="utf-8")
    git(chain, "add", "notes.txt")
    assert run_import(chain, path).returncode == 0
    committed = git(chain, "show", "--name-only", "--format=", "HEAD").split()
    assert len(committed) == ROWS and "notes.txt" not in committed
    assert git(chain, "diff", "--cached", "--name-only").split() == ["notes.txt"]


def test_rows_built_on_several_cores_are_judged_as_in_one_process(chain, tmp_path, monkeypatch):
    rows = ledger(300, seed=11)
    rows[50][4] = ""  # no customer: the engine refuses the intake (a problem found while building)
    rows.append(list(rows[50]))  # the same bad row again: its own problem, not a duplicate
    rows.append(list(rows[60]))  # a good row again: a duplicate of row 61
    rows[70][17] = "已撤诉"  # a state the mapping may not import
    path = write_csv(tmp_path / "l.csv", rows, "utf-8")
    monkeypatch.setattr(cores, "cores", lambda: 2)
    monkeypatch.setattr(cores, "MINIMUM", 10**9)
    alone = run_import(chain, path, "--dry-run")
    monkeypatch.setattr(cores, "MINIMUM", 20)
    shared = run_import(chain, path, "--dry-run")
    assert alone.returncode == shared.returncode == 1
    assert (alone.stdout, alone.stderr) == (shared.stdout, shared.stderr)
    assert f"{path}:{len(rows)}: note: duplicate of row 61" in shared.stderr
    assert shared.stderr.count("missing intake fields: --customer") == 2


def test_map_in_order_keeps_the_order_on_several_workers():
    items = list(range(cores.MINIMUM * 3))
    assert list(cores.map_in_order(_square, items, workers=2)) == [i * i for i in items]


def _square(n: int) -> int:
    return n * n
