"""Screenshots of the HTML monthly report and KPI card in both languages (docs/img/).

    .venv/bin/python scripts/screenshots.py            # needs chromium on PATH

Builds a three-store archive of 400 complaints (made by kesu's step engine,
most walked to the end, some stopped on the way) in a temp folder,
writes ``report monthly`` and ``report kpi`` as HTML for 2026-10 in zh-CN and
en, and has headless Chromium photograph each full page. Look at them after
any change to report_html.py or its labels.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KESU = str(Path(sys.executable).parent / "kesu")
MONTH, NOW = "2026-10", "2026-11-05T12:00:00+08:00"
OWNERS = ["li.ming", "wang.fang"]
STORES = """
stores:
  SH-001: {name: 南京路店, region: 华东}
  SH-002: {name: 徐家汇店, region: 华东}
  BJ-001: {name: 王府井店, region: 华北}
"""


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


ROAD = ["ack", "dispatch", "investigate", "propose", "notify", "accept", "resolve", "follow-up"]


def steps(rng, policy, recent: bool) -> list[tuple[str, str, dict]]:
    """A case's road: walked to the end, but for some of the last days' cases, still on the way."""
    category = rng.choice(policy.vocabulary("categories"))
    args = {
        "ack": {"method": "phone"},
        "dispatch": {"category": category, "subcategory": rng.choice(policy.subcategories(category) or [None]),
                     "severity": rng.choice(["general"] * 15 + ["major"]),
                     "risk": rng.choice(["low", "low", "medium"]), "owner": rng.choice(OWNERS)},
        "investigate": {"findings": ["现场核实"], "responsibility": rng.choice(["store", "supplier", "customer"]),
                        "root_cause": rng.choice(["冷链断链", "陈列过期", "员工培训不足", "系统故障", None])},
        "propose": {"step": ["退款并致歉"], "refund": rng.choice(["19.90", "39.90", "88.00"])},
        "notify": {"method": "phone"}, "accept": {}, "resolve": {"summary": "已处理"},
        "follow-up": {"satisfaction": rng.choice(["satisfied"] * 5 + ["fairly_satisfied"] * 3 + ["unsatisfied"])},
    }
    stop = rng.randrange(len(ROAD)) if recent and rng.random() < 0.6 else len(ROAD)
    return [(action, "li.ming" if action != "ack" else "zhang.san", args[action]) for action in ROAD[:stop]]


def archive(folder: Path) -> Path:
    """A three-store desk with 400 complaints from August to October, made by kesu's step engine."""
    import random
    from datetime import datetime, timedelta

    from kesu import engine
    from kesu.casefile import case_text
    from kesu.config import Policy

    root = folder / "desk"
    subprocess.run([KESU, "init", str(root)], check=True, capture_output=True)
    with open(root / "kesu.yaml", "a", encoding="utf-8") as config:
        config.write(STORES)
    policy, rng = Policy.load(root / "kesu.yaml"), random.Random(11)
    # complaints an outside body transferred owe it a report-back before closing: left out here
    channels = [c for c in policy.vocabulary("channels") if c not in ("consumer_association", "platform_12315")]
    start = datetime.fromisoformat("2026-08-01T09:00:00+08:00")
    for n in range(400):
        received = start + timedelta(minutes=rng.randrange(92 * 24 * 60))
        case_id = f"KS-{received:%Y%m%d}-{n:06d}"
        case = engine.apply(None, engine.Step("intake", "zhang.san", received.isoformat(), {
            "id": case_id, "channel": rng.choice(channels),
            "store": rng.choice(["SH-001", "SH-002", "BJ-001"]),
            "customer": {"name": f"顾客{n}", "contact": f"138{n:08d}"},
            "complaint": {"summary": f"投诉 {n}", "facts": "顾客来电反映", "demands": "退款", "emotion": "calm"}}),
            policy).case
        clock = received
        for action, actor, args in steps(rng, policy, recent=received.day >= 28 and received.month == 10):
            # the desk acknowledges and dispatches at once (a counter complaint within a minute), then
            # takes its time; now and then a step waits overnight
            quick = action in ("ack", "dispatch")
            clock += timedelta(minutes=rng.choice([1] if quick else [5, 10, 15, 20, 30, 45, 60] * 6 + [600]))
            case = engine.apply(case, engine.Step(action, actor, clock.isoformat(), args), policy).case
        target = root / "cases" / case_id[3:7] / case_id[7:9] / f"{case_id}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(case_text(case), encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Complaints for the report screenshots")
    return root


def shoot(page: Path, image: Path, profile: Path, height: int) -> None:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", f"--window-size=1100,{height}"]
    subprocess.run(["chromium", *flags, f"--screenshot={image}", page.as_uri()], check=True,
                   capture_output=True, timeout=180)


def main() -> int:
    if shutil.which("chromium") is None:
        print("chromium is not on PATH (apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        os.environ["GIT_CONFIG_GLOBAL"] = str(folder / "gitconfig")
        git(folder, "config", "--global", "user.name", "kesu")
        git(folder, "config", "--global", "user.email", "kesu@example.com")
        root = archive(folder)
        for report in ("monthly", "kpi"):
            for language in ("zh-CN", "en"):
                page = folder / f"{report}.{language}.html"
                subprocess.run([KESU, "report", report, "--month", MONTH, "--now", NOW, "--format", "html",
                                "--output", str(page)], cwd=root, check=True, capture_output=True,
                               env={**os.environ, "KESU_LANG": language})
                image = ROOT / "docs" / "img" / f"{report}.{language}.png"
                shoot(page, image, folder / "profile", 2900 if report == "monthly" else 1100)
                print(image.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
