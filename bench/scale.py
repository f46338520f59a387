"""Whole-archive reads at scale: a chain's years of complaints in one archive.

    python bench/scale.py                    # 10,000 cases
    python bench/scale.py --cases 100000 --runs 5
    python bench/scale.py --cases 100000 --keep /tmp/scale100k --only list

``--keep DIR`` makes the archive in DIR the first time and reuses it after
(the steps the bench commits stay in it); ``--only`` runs the benchmarks whose
name contains the text.

The archive holds ``--cases`` complaints received over five years, about 30
to 60 a day as a 12-store chain records them: every case but the last two
weeks' closed after the whole road (acknowledged, dispatched, investigated,
planned, notified, executed, resolved, visited), the rest stopped in every
open state. Cases are made by kesu's step engine (a few dozen of them), then
moved in time and renamed; the archive is written with one ``git
fast-import`` commit, then checked out, as after a clone.

Each read is paired with a baseline in the same archive: ``git ls-files
cases | wc -l`` (the least any tool must pay to know the files), or ``git
grep -l`` of the same contact for ``kesu find --contact``. Peak memory is the
largest resident size of a kesu run. The cold build is ``kesu list`` after
deleting .git/kesu-index; "one changed case after a pull" is ``kesu list
--limit 10`` right after a commit that changes one case file, against the same
command with nothing changed.
"""

from __future__ import annotations

import argparse
import random
import resource
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402

ZONE = timezone(timedelta(hours=8))
END = datetime(2026, 11, 20, 9, 0, tzinfo=ZONE)
YEARS = 5
OPEN_DAYS = 14
_TIME = re.compile(r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00")
ROAD = [
    ("ack", "zhang.san", {"method": "phone"}),
    ("dispatch", "li.ming", {"category": "product", "subcategory": "quality_defect", "severity": "general",
                             "risk": "medium", "owner": "li.ming", "department": "fresh_food"}),
    ("investigate", "li.ming", {"findings": ["同批次抽检 10 盒，2 盒霉变"], "responsibility": "supplier",
                                "root_cause": "冷链断链"}),
    ("propose", "li.ming", {"step": ["全额退款"], "refund": "39.90"}),
    ("notify", "li.ming", {"method": "phone"}),
    ("accept", "li.ming", {}),
    ("act", "zhang.san", {"text": "退款已原路退回"}),
    ("resolve", "li.ming", {"summary": "已全额退款"}),
    ("follow-up", "zhang.san", {"satisfaction": "satisfied"}),
]


def shapes(policy) -> tuple[list[str], list[str]]:
    """Case texts made by the engine, received at END: closed ones, and open ones
    stopped after each step of the road."""
    from kesu import engine
    from kesu.casefile import case_text

    closed, open_ = [], []
    owners = ["li.ming", "wang.fang", "zhang.san"]
    for variant in range(12):
        for stop in range(len(ROAD) + 1):
            received = END
            intake = engine.Step("intake", "zhang.san", received.isoformat(), {
                "id": "KS-20261120-AAAAAA", "channel": ["counter", "hotline", "app", "email"][variant % 4],
                "store": f"S{variant:02d}", "customer": {"name": "顾客", "contact": "13800000000"},
                "complaint": {"summary": ["草莓霉变", "牛奶过期", "排队太久", "价签不符"][variant % 4],
                              "facts": "顾客反映购买的商品存在问题", "demands": "退款", "emotion": "calm",
                              "subjects": [{"kind": "product", "ref": "6901234567890"}]}})
            case = engine.apply(None, intake, policy).case
            clock = received
            for action, actor, args in ROAD[:stop]:
                clock += timedelta(minutes=25 + 7 * variant)
                if action == "dispatch":
                    args = {**args, "owner": owners[variant % 3],
                            "severity": ["general", "major"][variant % 2]}
                case = engine.apply(case, engine.Step(action, actor, clock.isoformat(), args), policy).case
            (closed if case["state"] == "closed" else open_).append(case_text(case))
    return closed, open_


def make_scale_archive(root: Path, cases: int, env: dict) -> list[str]:
    """The archive described above; returns the contacts used, most frequent first."""
    from kesu.config import Policy

    subprocess.run([bench.KESU, "init", str(root)], check=True, capture_output=True, env=env)
    closed, open_ = shapes(Policy.load(root / "kesu.yaml"))
    rng = random.Random(11)
    span = YEARS * 365 * 24 * 60
    files = []
    for n in range(cases):
        back = timedelta(minutes=rng.randrange(span))
        is_open = back < timedelta(days=OPEN_DAYS)
        text = rng.choice(open_ if is_open else closed)
        shift = -back
        text = _TIME.sub(lambda m: (datetime.fromisoformat(m.group()) + shift).isoformat(), text)
        received = END + shift
        suffix = "".join(rng.choice(bench.CROCKFORD) for _ in range(6))
        case_id = f"KS-{received:%Y%m%d}-{suffix}"
        text = text.replace("KS-20261120-AAAAAA", case_id).replace(
            "13800000000", f"139{n % 40000:08d}")
        files.append((f"cases/{received:%Y}/{received:%m}/{case_id}.yaml", text.encode()))
    parent = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, check=True, env=env,
                            capture_output=True, text=True).stdout.strip()
    stream = [b"commit refs/heads/main\n", b"committer Bench <bench@example.com> 1795000000 +0800\n",
              b"data 13\nbench import\n", f"from {parent}\n".encode()]
    for path, content in files:
        stream += [f"M 100644 inline {path}\n".encode(), b"data %d\n" % len(content), content, b"\n"]
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream), check=True, env=env)
    subprocess.run(["git", "reset", "-q", "--hard"], cwd=root, check=True, env=env)
    return [f"139{n:08d}" for n in range(3)]


def peak_mb(cmd: list[str], root: Path, env: dict) -> float | None:
    """The largest resident size of one run of ``cmd``, in MB, as GNU time reports it
    (measured from a small process: a child forked from this one would count the
    benchmark's own memory)."""
    if not Path("/usr/bin/time").exists():
        return None
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], cwd=root, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return round(int(proc.stderr.strip().splitlines()[-1]) / 1024, 1)


def cpu_timed(cmd: list[str], root: Path, env: dict) -> tuple[float, float]:
    """Wall and CPU seconds (user and system, of the command and every process it
    waited for) of one run: CPU time does not depend on what else runs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = bench.timed(cmd, root, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def scale(cases: int, runs: int, keep: Path | None = None, only: str = "") -> list[dict]:
    work = keep or Path(tempfile.mkdtemp(prefix="kesu-scale-"))
    try:
        root = work / "desk"
        work.mkdir(parents=True, exist_ok=True)
        env = bench.bench_env(root)
        started = time.perf_counter()
        if keep and (root / ".git").exists():
            contacts = [f"139{n:08d}" for n in range(3)]
            print(f"archive reused from {root}", flush=True)
        else:
            contacts = make_scale_archive(root, cases, env)
            print(f"archive of {cases:,} cases made in {time.perf_counter() - started:.0f} s", flush=True)
        wanted = lambda name: only in name  # noqa: E731
        results = []
        index = root / ".git" / "kesu-index"
        if wanted("cold"):
            cold = []
            for _ in range(1 if cases >= 50_000 else max(1, min(runs, 3))):
                shutil.rmtree(index, ignore_errors=True)
                cold.append(cpu_timed([bench.KESU, "list", "--limit", "1"], root, env))
            results.append({"benchmark": "cold index build (kesu list after deleting the index)",
                            "runs": len(cold), "kesu_ms": round(statistics.median(w for w, _ in cold) * 1000, 1),
                            "cpu_s": round(statistics.median(c for _, c in cold), 1),
                            "baseline_ms": None, "ratio": None})
        else:
            subprocess.run([bench.KESU, "list", "--limit", "1"], cwd=root, env=env, capture_output=True)
        files = "git ls-files cases | wc -l"
        reads = [
            ("kesu list", [bench.KESU, "list"]),
            ("kesu list --open --owner li.ming --format json",
             [bench.KESU, "list", "--open", "--owner", "li.ming", "--format", "json"]),
            ("kesu list --open --owner li.ming --limit 100",
             [bench.KESU, "list", "--open", "--owner", "li.ming", "--limit", "100"]),
            ("kesu overdue", [bench.KESU, "overdue", "--fail-on", "never"]),
            ("kesu report monthly", [bench.KESU, "report", "monthly", "--month", "2026-10"]),
            ("kesu report kpi", [bench.KESU, "report", "kpi", "--month", "2026-10"]),
        ]
        for name, cmd in reads:
            if not wanted(name):
                continue
            result = bench.paired(f"{name} vs {files}", runs, lambda i, c=cmd: c, lambda i: files, root, env)
            result["cpu_s"] = round(statistics.median(cpu_timed(cmd, root, env)[1] for _ in range(runs)), 2)
            result["peak_mb"] = peak_mb(cmd, root, env)
            results.append(result)
        if wanted("kesu find --contact"):
            result = bench.paired("kesu find --contact vs git grep -l", runs,
                                  lambda i: [bench.KESU, "find", "--contact", contacts[i % 3]],
                                  lambda i: ["git", "grep", "-l", contacts[i % 3], "--", "cases"], root, env)
            result["peak_mb"] = peak_mb([bench.KESU, "find", "--contact", contacts[0]], root, env)
            results.append(result)
        if wanted("one changed case"):
            results.append(_one_change(root, env, runs))
        if wanted("kesu ack ID"):
            results.append(_transition(root, env, runs))
        return [r for r in results if r]
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def _one_change(root: Path, env: dict, runs: int) -> dict:
    """``kesu list --limit 10`` after a commit changing one case, against it with no change."""
    files = sorted((root / "cases").glob("*/*/*.yaml"))
    changed, same = [], []
    cmd = [bench.KESU, "list", "--limit", "10"]
    for i in range(runs):
        target = files[i * 97 % len(files)]
        with target.open("a", encoding="utf-8") as handle:
            handle.write(f"# pulled {i}\n")
        subprocess.run(["git", "commit", "-q", "-am", "a pulled change"], cwd=root, check=True, env=env)
        changed.append(bench.timed(cmd, root, env))
        same.append(bench.timed(cmd, root, env))
    result = {"benchmark": "one changed case re-indexed (list --limit 10) vs nothing changed",
              "runs": runs, "kesu_ms": round(statistics.median(changed) * 1000, 1),
              "baseline_ms": round(statistics.median(same) * 1000, 1)}
    result["ratio"] = round(result["kesu_ms"] / result["baseline_ms"], 2)
    return result


def _transition(root: Path, env: dict, runs: int) -> dict:
    listed = subprocess.run([bench.KESU, "list", "--state", "received", "--format", "json"], cwd=root,
                            env=env, capture_output=True, text=True).stdout
    import json

    received = [row["id"] for row in json.loads(listed)]
    if len(received) < runs:  # a kept archive whose received cases earlier runs acknowledged
        return None
    fresh = iter(received)
    return bench.paired("kesu ack ID vs git add+commit", runs,
                        lambda i: [bench.KESU, "ack", next(fresh)],
                        lambda i: bench.bare_commit(root, env), root, env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-install", action="store_true", help="use the bench venv as it is")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="make the archive in DIR once and reuse it on later runs")
    parser.add_argument("--only", default="", metavar="TEXT",
                        help="run only the benchmarks whose name contains TEXT (e.g. 'cold', 'kesu list')")
    args = parser.parse_args()
    if not args.no_install:
        bench.install()
    print(f"kesu at scale: {args.cases:,} cases, {args.runs} paired runs, median wall time, "
          "median CPU seconds (user+system)")
    for r in scale(args.cases, args.runs, args.keep, args.only):
        base = f"baseline {r['baseline_ms']:>8.1f} ms   ratio {r['ratio']:>5.2f}x" if r["baseline_ms"] else ""
        cpu = f"   cpu {r['cpu_s']:.2f} s" if r.get("cpu_s") is not None else ""
        peak = f"   peak {r['peak_mb']:.0f} MB" if r.get("peak_mb") else ""
        print(f"{r['benchmark']:<75} kesu {r['kesu_ms']:>8.1f} ms   {base}{cpu}{peak}", flush=True)


if __name__ == "__main__":
    main()
