"""Benchmarks of kesu as whole processes, each against a baseline run side by side.

    python bench/run.py                 # every benchmark, 10,000 cases
    python bench/run.py ack show --cases 2000 --runs 10

Each benchmark alternates a kesu run with its baseline (paired runs, so
machine noise hits both alike) and reports the medians and their ratio. The
baseline of a transition is what any git-backed tracker must pay at least: a
bare ``git add && git commit`` of one file in the same archive.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BENCH_VENV = PROJECT / "bench" / "out" / "venv"
KESU = str(BENCH_VENV / "bin" / "kesu")
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

CASE = """id: {id}
schema_version: 1
state: received
received_at: {at}
channel: {channel}
customer:
  name: 顾客{n}
  contact: "138{n:08d}"
complaint:
  summary: 商品问题 {n}
  facts: 顾客反映购买的商品存在问题，编号 {n}
  demands: 退款
  emotion: calm
  subjects:
    - {{kind: product, ref: "69{n:011d}"}}
timeline:
  - {{at: {at}, action: intake, to: received, by: zhang.san}}
"""


def install() -> None:
    """Install kesu from this checkout into a venv of its own, as users get it.

    A wheel install, not an editable one: an editable install adds an import
    hook to every start-up that users never pay.
    """
    if not (BENCH_VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    subprocess.run([str(BENCH_VENV / "bin" / "python"), "-m", "pip", "install", "-q",
                    "--force-reinstall", "--no-deps", str(PROJECT)], check=True)
    subprocess.run([str(BENCH_VENV / "bin" / "python"), "-m", "pip", "install", "-q", str(PROJECT)],
                   check=True)


def make_archive(root: Path, cases: int) -> list[str]:
    """An archive with ``cases`` received complaints, committed in one go."""
    env = bench_env(root)
    subprocess.run([KESU, "init", str(root)], check=True, capture_output=True, env=env)
    rng = random.Random(7)
    ids = []
    channels = ["counter", "hotline", "app", "email"]
    for n in range(cases):
        day = 1 + n % 28
        month = 10 + (n // 28) % 2
        suffix = "".join(rng.choice(CROCKFORD) for _ in range(6))
        case_id = f"KS-2026{month:02d}{day:02d}-{suffix}"
        at = f"2026-{month:02d}-{day:02d}T{10 + n % 9:02d}:{n % 60:02d}:00+08:00"
        folder = root / "cases" / "2026" / f"{month:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{case_id}.yaml").write_text(
            CASE.format(id=case_id, at=at, channel=channels[n % 4], n=n), encoding="utf-8")
        ids.append(case_id)
    subprocess.run(["git", "add", "cases"], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", "bench cases"], cwd=root, check=True, env=env)
    return ids


def bench_env(root: Path) -> dict:
    home = root.parent / "home"
    home.mkdir(exist_ok=True)
    config = home / ".gitconfig"
    config.write_text("[user]\n\tname = Bench\n\temail = bench@example.com\n"
                      "[commit]\n\tgpgsign = false\n[init]\n\tdefaultBranch = main\n")
    return {**os.environ, "HOME": str(home), "GIT_CONFIG_GLOBAL": str(config),
            "GIT_CONFIG_NOSYSTEM": "1", "KESU_ACTOR": "zhang.san", "KESU_ARCHIVE": str(root)}


def timed(cmd: list[str] | str, cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, shell=isinstance(cmd, str),
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"benchmark command failed: {cmd}: {proc.stderr.decode()}")
    return elapsed


def bare_commit(root: Path, env: dict, counter=[0]) -> str:
    counter[0] += 1
    target = root / "bench-baseline.txt"
    target.write_text(f"baseline {counter[0]}\n")
    return "git add bench-baseline.txt && git commit -q -m baseline"


def paired(name: str, runs: int, kesu_cmd, baseline_cmd, root: Path, env: dict) -> dict:
    ours, base = [], []
    for i in range(runs):
        ours.append(timed(kesu_cmd(i), root, env))
        base.append(timed(baseline_cmd(i), root, env))
    result = {"benchmark": name, "runs": runs,
              "kesu_ms": round(statistics.median(ours) * 1000, 1),
              "baseline_ms": round(statistics.median(base) * 1000, 1)}
    result["ratio"] = round(result["kesu_ms"] / result["baseline_ms"], 2)
    return result


def run(selected: list[str], cases: int, runs: int) -> list[dict]:
    work = Path(tempfile.mkdtemp(prefix="kesu-bench-"))
    try:
        root = work / "desk"
        ids = make_archive(root, cases)
        env = bench_env(root)
        received = iter(ids)
        results = []
        commit = lambda i: bare_commit(root, env)  # noqa: E731
        if "show" in selected:
            results.append(paired("kesu show ID vs git add+commit", runs,
                                  lambda i: [KESU, "show", ids[i]], commit, root, env))
        if "new" in selected:
            new = [KESU, "new", "--channel", "counter", "--customer", "王女士", "--contact",
                   "13800138000", "--summary", "草莓霉变", "--facts", "草莓约三分之一霉变",
                   "--emotion", "anxious"]
            results.append(paired("kesu new vs git add+commit", runs, lambda i: new, commit, root, env))
        if "ack" in selected:
            results.append(paired("kesu ack ID vs git add+commit", runs,
                                  lambda i: [KESU, "ack", next(received)], commit, root, env))
        for extra in EXTRA:
            if extra.name in selected:
                results.append(extra(root, env, ids, runs))
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


#: Benchmarks added by later features: callables with a ``name`` attribute,
#: taking (root, env, ids, runs) and returning a result dict like ``paired``.
EXTRA: list = []


# ------------------------------------------------------------------ kesu audit
#: The history ``kesu audit`` replays: this many transitions, round-robin over
#: at most AUDIT_CASES cases (so each case gets several steps, as in real life).
AUDIT_TRANSITIONS = 10_000
AUDIT_CASES = 2_000
#: The ordinary road of a case: (action, actor, arguments as typed).
AUDIT_WALK = [
    ("ack", "zhang.san", {"method": "phone"}),
    ("dispatch", "li.ming", {"category": "product", "subcategory": "quality_defect",
                             "severity": "general", "risk": "medium", "owner": "li.ming",
                             "department": "fresh_food"}),
    ("investigate", "li.ming", {"findings": ["同批次草莓抽检 10 盒，2 盒霉变"],
                                "responsibility": "supplier"}),
    ("propose", "li.ming", {"step": ["全额退款"], "refund": "39.90"}),
    ("notify", "li.ming", {"method": "phone"}),
    ("accept", "li.ming", {}),
    ("act", "zhang.san", {"text": "退款 39.90 元已原路退回"}),
    ("resolve", "li.ming", {"summary": "已全额退款"}),
    ("follow-up", "zhang.san", {"satisfaction": "satisfied"}),
]


def make_audit_history(root: Path, env: dict, ids: list[str]) -> int:
    """An archive whose history is one import commit of the cases, then
    AUDIT_TRANSITIONS step commits made by kesu's own step engine (the files,
    timeline entries and trailers a desk would record), written with one
    ``git fast-import``; returns the number of commits the audit reads."""
    from datetime import datetime, timedelta, timezone

    from kesu import engine, trailers
    from kesu.casefile import case_text
    from kesu.config import Policy

    subprocess.run([KESU, "init", str(root)], check=True, capture_output=True, env=env)
    parent = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, check=True, env=env,
                            capture_output=True, text=True).stdout.strip()
    policy = Policy.load(root / "kesu.yaml")
    cases = ids[:max(AUDIT_CASES, -(-AUDIT_TRANSITIONS // len(AUDIT_WALK)))]
    zone = timezone(timedelta(hours=8))
    clock = datetime(2026, 12, 1, 8, 0, tzinfo=zone)
    stream: list[bytes] = []

    def commit(message: str, files: dict[str, str]) -> None:
        nonlocal parent
        data = message.encode()
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"committer Bench <bench@example.com> {int(clock.timestamp())} +0800\n".encode())
        stream.append(b"data %d\n%s\n" % (len(data), data))
        if parent:
            stream.append(f"from {parent}\n".encode())
            parent = None
        for path, text in files.items():
            content = text.encode()
            stream.append(f"M 100644 inline {path}\n".encode())
            stream.append(b"data %d\n%s\n" % (len(content), content))

    def path_of(case_id: str) -> str:
        return f"cases/{case_id[3:7]}/{case_id[7:9]}/{case_id}.yaml"

    docs, progress = {}, {}
    for n, case_id in enumerate(cases):
        received = f"{case_id[3:7]}-{case_id[7:9]}-{case_id[9:11]}T10:00:00+08:00"
        intake = engine.Step("intake", "zhang.san", received, {
            "id": case_id, "channel": "hotline",
            "customer": {"name": f"顾客{n}", "contact": f"138{n:08d}"},
            "complaint": {"summary": f"商品问题 {n}", "facts": f"顾客反映购买的商品存在问题，编号 {n}",
                          "demands": "退款", "emotion": "calm",
                          "subjects": [{"kind": "product", "ref": f"69{n:011d}"}]}})
        docs[case_id] = engine.apply(None, intake, policy).case
        progress[case_id] = 0
    commit(trailers.import_message(f"Import {len(cases)} complaints", "zhang.san",
                                   clock.isoformat()),
           {path_of(c): case_text(d) for c, d in docs.items()})
    done = 0
    while done < AUDIT_TRANSITIONS:
        progressed = False
        for case_id in cases:
            if progress[case_id] >= len(AUDIT_WALK) or done >= AUDIT_TRANSITIONS:
                continue
            action, actor, args = AUDIT_WALK[progress[case_id]]
            clock += timedelta(seconds=30)
            applied = engine.apply(docs[case_id], engine.Step(action, actor, clock.isoformat(),
                                                              args), policy)
            docs[case_id] = applied.case
            progress[case_id] += 1
            commit(trailers.step_message(case_id, action, applied.from_state, applied.to_state,
                                         actor, clock.isoformat(), applied.details),
                   {path_of(case_id): case_text(applied.case)})
            done += 1
            progressed = True
        if not progressed:
            break
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream), check=True,
                   env=env)
    subprocess.run(["git", "reset", "-q", "--hard"], cwd=root, check=True, env=env)
    return 2 + done  # kesu init, the import, the steps


def audit_bench(root: Path, env: dict, ids: list[str], runs: int) -> dict:
    """``kesu audit`` over the whole history against ``git log --name-status`` of it."""
    desk = root.parent / "audit-desk"
    commits = make_audit_history(desk, env, ids)
    audit_env = {**env, "KESU_ARCHIVE": str(desk)}
    check = subprocess.run([KESU, "audit", "--format", "json"], cwd=desk, env=audit_env,
                           capture_output=True, text=True)
    if check.returncode != 0:
        raise SystemExit(f"the benchmark history does not audit clean: {check.stdout[:2000]}{check.stderr}")
    result = paired(f"kesu audit ({commits - 2:,} steps) vs git log", runs,
                    lambda i: [KESU, "audit"],
                    lambda i: ["git", "log", "--reverse", "--name-status", "--full-history",
                               "--format=%H %(trailers)", "--", "cases/", "kesu.yaml"],
                    desk, audit_env)
    result["commits"] = commits
    return result


audit_bench.name = "audit"
EXTRA.append(audit_bench)


# --------------------------------------------------------- whole-archive reads
def _clear_cache(root: Path) -> None:
    shutil.rmtree(root / ".git" / "kesu-cache", ignore_errors=True)


def overdue_bench(root: Path, env: dict, ids: list[str], runs: int) -> dict:
    """kesu overdue (timers for every open case) against kesu list, both on a warm cache."""
    subprocess.run([KESU, "list"], cwd=root, env=env, capture_output=True)  # warm the cache
    return paired("kesu overdue vs kesu list (warm cache)", runs,
                  lambda i: [KESU, "overdue", "--fail-on", "never", "--now", "2026-11-24T12:00"],
                  lambda i: [KESU, "list"], root, env)


overdue_bench.name = "overdue"
EXTRA.append(overdue_bench)


def validate_bench(root: Path, env: dict, ids: list[str], runs: int) -> dict:
    """kesu validate with the scan cache warm (nothing changed) against a cold run."""
    def cold(i):
        _clear_cache(root)
        return [KESU, "validate"]

    result = paired("kesu validate, warm vs cold cache", runs,
                    lambda i: [KESU, "validate"], cold, root, env)
    _clear_cache(root)
    return result


validate_bench.name = "validate"
EXTRA.append(validate_bench)


def report_bench(root: Path, env: dict, ids: list[str], runs: int) -> dict:
    """kesu report monthly against kesu list, both on a warm cache."""
    subprocess.run([KESU, "list"], cwd=root, env=env, capture_output=True)  # warm the cache
    return paired("kesu report monthly vs kesu list (warm cache)", runs,
                  lambda i: [KESU, "report", "monthly", "--month", "2026-10", "--now", "2026-11-24T12:00"],
                  lambda i: [KESU, "list"], root, env)


report_bench.name = "report"
EXTRA.append(report_bench)


# ------------------------------------------------------------------ kesu sync
#: Steps each desk records between two syncs.
SYNC_STEPS = 10


def sync_bench(root: Path, env: dict, ids: list[str], runs: int) -> dict:
    """``kesu sync`` of SYNC_STEPS local steps onto a remote that gained SYNC_STEPS other
    steps, against ``git pull --rebase && git push`` of as many plain commits of the
    same size (one case file each), paired. Each side has its own remote (a bare clone
    of the archive) and a second desk that pushes the other steps before every run."""
    work = root.parent / "sync"
    work.mkdir()
    for side in ("kesu", "plain"):
        subprocess.run(["git", "clone", "-q", "--bare", str(root), str(work / f"{side}.git")],
                       check=True, env=env)
        for desk in ("desk", "other"):
            clone = [KESU, "clone"] if side == "kesu" else ["git", "clone", "-q"]
            subprocess.run([*clone, str(work / f"{side}.git"), str(work / f"{side}-{desk}")],
                           check=True, env=env, capture_output=True)
    # cases still received (the other benchmarks use the first ones), received before
    # today: each step acknowledges one
    today = time.strftime("%Y%m%d")
    fresh = iter([i for i in ids[len(ids) // 2:] if i[3:11] < today])
    kesu_times, plain_times = [], []

    def desk_env(folder: Path, actor: str) -> dict:
        return {**env, "KESU_ARCHIVE": str(folder), "KESU_ACTOR": actor}

    def plain_commits(folder: Path, label: str) -> None:
        for _ in range(SYNC_STEPS):
            case_id = next(fresh)
            path = folder / "cases" / case_id[3:7] / case_id[7:9] / f"{case_id}.yaml"
            with path.open("a", encoding="utf-8") as handle:
                handle.write(f"# {label}\n")
            subprocess.run(["git", "commit", "-q", "-am", f"{case_id}: {label}"], cwd=folder,
                           check=True, env=env)

    for _ in range(runs):
        other = work / "kesu-other"
        for _ in range(SYNC_STEPS):
            subprocess.run([KESU, "ack", next(fresh)], cwd=other, check=True,
                           env=desk_env(other, "li.ming"), capture_output=True)
        subprocess.run([KESU, "sync"], cwd=other, check=True, env=desk_env(other, "li.ming"),
                       capture_output=True)
        desk = work / "kesu-desk"
        for _ in range(SYNC_STEPS):
            subprocess.run([KESU, "ack", next(fresh)], cwd=desk, check=True,
                           env=desk_env(desk, "zhang.san"), capture_output=True)
        kesu_times.append(timed([KESU, "sync"], desk, desk_env(desk, "zhang.san")))
        subprocess.run([KESU, "sync"], cwd=other, check=True, env=desk_env(other, "li.ming"),
                       capture_output=True)

        other, desk = work / "plain-other", work / "plain-desk"
        plain_commits(other, "other")
        subprocess.run(["git", "push", "-q"], cwd=other, check=True, env=env)
        plain_commits(desk, "desk")
        plain_times.append(timed("git pull -q --rebase && git push -q", desk, env))
        subprocess.run(["git", "pull", "-q", "--rebase"], cwd=other, check=True, env=env)
    result = {"benchmark": f"kesu sync ({SYNC_STEPS}+{SYNC_STEPS} steps) vs git pull --rebase && git push",
              "runs": runs, "kesu_ms": round(statistics.median(kesu_times) * 1000, 1),
              "baseline_ms": round(statistics.median(plain_times) * 1000, 1)}
    result["ratio"] = round(result["kesu_ms"] / result["baseline_ms"], 2)
    return result


sync_bench.name = "sync"
EXTRA.append(sync_bench)



# ------------------------------------------------------------------ IDs as typed, claimants
def suffix_bench(root: Path, env: dict, ids: list[str], runs: int) -> dict:
    """``kesu show`` of a six-character ending (finds the case among the file names)
    against ``kesu show`` of the whole ID."""
    return paired("kesu show 7f3kq2 vs kesu show KS-...-7F3KQ2", runs,
                  lambda i: [KESU, "show", ids[i][-6:].lower()], lambda i: [KESU, "show", ids[i]],
                  root, env)


suffix_bench.name = "suffix"
EXTRA.append(suffix_bench)

CLAIMANTS = 300


def claimants_bench(root: Path, env: dict, ids: list[str], runs: int) -> dict:
    """``kesu claimant add --from-file`` of 300 claimants (one commit) against one
    ``kesu note`` on another case: a mass complaint's import costs about one step."""
    table = root.parent / "members.csv"
    table.write_text("customer,contact,member,amount\n" + "".join(
        f"会员{n:03d},139{n:08d},VIP{n:04d},400.00\n" for n in range(CLAIMANTS)), encoding="utf-8")
    return paired(f"kesu claimant add ({CLAIMANTS} from CSV) vs kesu note", runs,
                  lambda i: [KESU, "claimant", "add", ids[-1 - i], "--from-file", str(table)],
                  lambda i: [KESU, "note", ids[-1 - runs - i], "称重台复核"], root, env)


claimants_bench.name = "claimants"
EXTRA.append(claimants_bench)

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    names = ["show", "new", "ack"] + [e.name for e in EXTRA]
    parser.add_argument("which", nargs="*", metavar="NAME",
                        help=f"benchmarks to run (default all): {', '.join(names)}")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    unknown = set(args.which) - set(names)
    if unknown:
        parser.error(f"unknown benchmark {', '.join(sorted(unknown))}; choose from {', '.join(names)}")
    selected = args.which or names
    install()
    print(f"kesu benchmarks: {args.cases} cases, {args.runs} paired runs, median wall time")
    for result in run(selected, args.cases, args.runs):
        print(f"{result['benchmark']:<45} kesu {result['kesu_ms']:>8.1f} ms   "
              f"baseline {result['baseline_ms']:>8.1f} ms   ratio {result['ratio']:>5.2f}x")


if __name__ == "__main__":
    main()
