"""kesu demo: the guided walk that `make demo` runs."""

from __future__ import annotations

import re

from conftest import kesu


def test_the_demo_walks_the_strawberry_complaint_to_closed_and_leaves_no_trace(tmp_path):
    before = sorted(p.name for p in tmp_path.iterdir())
    result = kesu("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # every step is printed before it runs, in lifecycle order
    steps = re.findall(r"^\$ (?:KESU_ACTOR=\S+ )?kesu (\S+)", out, re.M)
    assert steps == ["init", "new", "ack", "dispatch", "investigate", "propose", "approve", "notify",
                     "accept", "act", "attach", "resolve", "reply", "follow-up", "library", "history", "list"]
    case_id = re.search(r"^(KS-\d{8}-[0-9A-HJKMNP-TV-Z]{6})$", out, re.M).group(1)
    assert f"{case_id}: follow-up (resolved -> closed)" in out
    assert "statutory compensation: 1000.00" in out
    # one reply (the return-visit script) and one library entry, without the customer's contact
    assert "您对本次「草莓霉变」投诉的处理结果是否满意？" in out
    entry = out[out.index(f"$ cat library/{case_id}.md"):out.index(f"$ kesu history {case_id}")]
    assert "## 五、推广要点与注意事项" in entry and "13800138000" not in entry and "王女士" not in entry
    # the git log shows one commit per step, newest first
    log = re.findall(rf"^[0-9a-f]{{7,}} {case_id}: (\S+)", out, re.M)
    assert log == ["library", "follow-up", "resolve", "attach", "act", "accept", "notify", "approve", "propose",
                   "investigate", "dispatch", "ack", "intake"]
    # the list holds the sample cases and the walked case, closed
    assert re.search(rf"^{case_id}\s+closed\s", out, re.M)
    assert "儿童乐园撤场后预付卡无法使用" in out
    # the user's folder is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_the_demo_can_keep_its_archive_for_a_look_around(tmp_path):
    target = tmp_path / "kept"
    result = kesu("demo", "--keep", str(target))
    assert result.returncode == 0, result.stderr
    assert (target / "kesu.yaml").is_file()
    validate = kesu("validate", "--archive", str(target))
    assert validate.returncode == 0, validate.stdout + validate.stderr
    audit = kesu("audit", "--archive", str(target))
    assert audit.returncode == 0, audit.stdout + audit.stderr
