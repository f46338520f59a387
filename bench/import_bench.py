"""kesu import of a 10,000-row ledger against a plain script committing the same files.

    python bench/import_bench.py                  # 10,000 rows, 3 paired runs
    python bench/import_bench.py --rows 2000 --runs 5

The ledger is a store's 投诉登记表 as CSV: mostly closed complaints with their
dates, owner, refund, result and return visit, so kesu rebuilds ten steps per
case through the engine. The baseline is what any importer must pay at least:
a plain Python script writes the very files kesu wrote (taken from a first
import) and runs ``git add -A && git commit``. Each run starts from the same
fresh archive; runs alternate, and the medians and their ratio are printed.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from run import KESU, bench_env, install

HEADER = ["登记时间", "门店", "投诉渠道", "顾客姓名", "联系电话", "投诉摘要", "投诉内容", "顾客情绪",
          "投诉类别", "处理人", "退款金额", "处理结果", "解决时间", "回访结果", "结案时间", "状态"]


def write_ledger(path: Path, rows: int) -> None:
    rng = random.Random(1)
    start = datetime(2026, 1, 5, 9, 0)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            received = start + timedelta(minutes=37 * n)
            resolved = received + timedelta(hours=rng.randint(2, 40))
            closed = resolved + timedelta(hours=rng.randint(1, 10))
            done = n % 8 != 0
            writer.writerow([f"{received:%Y-%m-%d %H:%M}", "", "热线", "王女士", f"138{n:08d}",
                             f"商品问题 {n}", "顾客反映购买的商品存在问题", "焦虑", "商品质量", "李明",
                             "39.90" if done and n % 3 == 0 else "", "已退款" if done else "",
                             f"{resolved:%Y-%m-%d %H:%M}" if done else "", "满意" if done else "",
                             f"{closed:%Y-%m-%d %H:%M}" if done else "", "已结案" if done else "处理中"])


BASELINE = """
import json, subprocess, sys
from pathlib import Path
root, files = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
for rel, text in files.items():
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
subprocess.run("git add -A && git commit -q -m import", shell=True, cwd=root, check=True)
"""


def timed(cmd: list[str], cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed: {cmd}: {proc.stderr.decode()}")
    return elapsed


def reset(root: Path, env: dict, start: str) -> None:
    subprocess.run(["git", "reset", "-q", "--hard", start], cwd=root, env=env, check=True)
    subprocess.run(["git", "clean", "-qfdx", "cases"], cwd=root, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    install()
    work = Path(tempfile.mkdtemp(prefix="kesu-import-bench-"))
    try:
        root = work / "desk"
        env = bench_env(root)
        env["KESU_ACTOR"] = "wang.fang"
        subprocess.run([KESU, "init", str(root)], env=env, check=True, stdout=subprocess.DEVNULL)
        start = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, env=env, capture_output=True,
                               text=True, check=True).stdout.strip()
        ledger = work / "ledger.csv"
        write_ledger(ledger, args.rows)
        command = [KESU, "import", str(ledger), "--owner", "li.ming"]
        timed(command, root, env)  # a first import gives the files the baseline writes
        files = {rel: (root / rel).read_text(encoding="utf-8") for rel in subprocess.run(
            ["git", "diff", "--name-only", start, "HEAD"], cwd=root, env=env, capture_output=True,
            text=True, check=True).stdout.split()}
        dump = work / "files.json"
        dump.write_text(json.dumps(files, ensure_ascii=False), encoding="utf-8")
        baseline = [sys.executable, "-c", BASELINE, str(root), str(dump)]
        ours, base = [], []
        for _ in range(args.runs):
            reset(root, env, start)
            ours.append(timed(command, root, env))
            reset(root, env, start)
            base.append(timed(baseline, root, env))
        kesu_s, base_s = statistics.median(ours), statistics.median(base)
        print(f"kesu import of {args.rows} rows ({len(files)} cases, one commit): {kesu_s:.2f} s   "
              f"plain script + git add -A && git commit: {base_s:.2f} s   ratio {kesu_s / base_s:.2f}x "
              f"({args.runs} paired runs, medians)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
