"""Golden files: every template, both locales, every sample case, byte for byte.

Set KESU_REGEN_GOLDEN=1 to write the files again after a deliberate template
change, then read the diff before committing it.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from conftest import SAMPLE_CASES, kesu
from kesu import library, yamlio
from kesu.archive import Archive
from kesu.errors import UsageError
from kesu.render import LOCALES, Renderer
from kesu.replies import REPLY_KINDS, reply_context

GOLDEN = Path(__file__).parent / "golden"
NOW = datetime.fromisoformat("2026-11-24T12:00:00+08:00")
REGEN = os.environ.get("KESU_REGEN_GOLDEN") == "1"
SAMPLES = sorted(SAMPLE_CASES.glob("*/*/*.yaml"))


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    root = tmp_path_factory.mktemp("golden") / "desk"
    assert kesu("init", str(root)).returncode == 0
    shutil.copytree(SAMPLE_CASES, root / "cases")
    return Archive(root)


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, f"{name} differs from its golden file"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", REPLY_KINDS)
def test_replies_match_their_golden_files(samples, kind, locale):
    renderer = Renderer(samples, locale)
    rendered = 0
    for path in SAMPLES:
        case = yamlio.load(path.read_text(encoding="utf-8"))
        try:
            context = reply_context(samples, case, kind, NOW)
        except UsageError:
            continue  # the case has not reached the step this reply is about
        check(f"reply/{case['id']}.{kind}.{locale}.txt", renderer.render(f"reply/{kind}.{locale}.j2", context))
        rendered += 1
    if kind == "delay":  # the samples' one extension has run out: a notice sent as it is recorded
        case = yamlio.load((SAMPLE_CASES / "2026" / "11" / "KS-20261118-GNBB6D.yaml").read_text(encoding="utf-8"))
        case["extensions"] = [{"at": "2026-11-19T10:00:00+08:00", "by": "li.ming", "timer": "execute",
                               "duration": "1d", "minutes": 1440, "reason": "等待补货", "approved_by": "wang.fang"}]
        context = reply_context(samples, case, kind, datetime.fromisoformat("2026-11-19T10:00:00+08:00"))
        check(f"reply/{case['id']}.{kind}.{locale}.txt", renderer.render(f"reply/{kind}.{locale}.j2", context))
        rendered += 1
    if kind == "follow-up":  # the samples were visited already: the call's script as it is about to be made
        case = yamlio.load((SAMPLE_CASES / "2026" / "10" / "KS-20261008-JQ5FFJ.yaml").read_text(encoding="utf-8"))
        case.update(state="resolved", timeline=case["timeline"][:-1])
        for section in ("follow_up", "closure"):
            del case[section]
        context = reply_context(samples, case, kind, datetime.fromisoformat("2026-10-11T10:00:00+08:00"))
        check(f"reply/{case['id']}.{kind}.{locale}.txt", renderer.render(f"reply/{kind}.{locale}.j2", context))
        rendered += 1
    assert rendered >= 1


@pytest.mark.parametrize("locale", LOCALES)
def test_library_entries_and_index_match_their_golden_files(samples, locale):
    renderer = Renderer(samples, locale)
    cases = []
    for path in SAMPLES:
        case = yamlio.load(path.read_text(encoding="utf-8"))
        case["library"] = {"lessons": "教训 lessons", "value": "价值 value", "caveats": "注意 caveats",
                           "five_whys": ["为何一 why 1", "为何二 why 2"], "draft": case["state"] != "closed",
                           "at": "2026-11-24T12:00:00+08:00", "by": "li.ming"}
        check(f"library/{case['id']}.{locale}.md", library.render_entry(renderer, case))
        cases.append(case)
    check(f"library/README.{locale}.md", library.render_index(renderer, cases))
