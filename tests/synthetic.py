"""Synthetic archives: many cases with varied lives, made by kesu's own step engine.

Each case walks a random way along the lifecycle (some to closure, some
stopped in any open state, some escalated, objected, extended or reopened)
at times spread over months, so every timer, clock and light occurs.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from kesu import engine
from kesu.casefile import case_text
from kesu.errors import UsageError

ZONE = timezone(timedelta(hours=8))
CHANNELS = ["counter", "hotline", "app", "email", "letter"]
SEVERITIES = ["general", "general", "general", "major", "serious", "critical"]
CATEGORIES = ["product", "service", "price", "environment"]
OWNERS = ["li.ming", "wang.fang", "zhang.san"]
STORES = ["SH-001", "SH-002", "BJ-001"]
PRODUCTS = [("6901234567890", "草莓 500g"), ("6909876543210", "鲜牛奶 1L"), ("6900000000017", "面包")]


def walk(rng: random.Random, n: int) -> list[tuple[str, str, dict]]:
    """The steps of case ``n`` after intake: a prefix of the ordinary road, with detours."""
    severity = rng.choice(SEVERITIES)
    road = [
        ("ack", "zhang.san", {"method": "phone"}),
        ("dispatch", "li.ming", {"category": rng.choice(CATEGORIES), "subcategory": "quality_defect",
                                 "severity": severity, "risk": rng.choice(["low", "medium", "high"]),
                                 "owner": rng.choice(OWNERS), "department": "fresh_food"}),
        ("investigate", "li.ming", {"findings": [f"抽检第 {n} 批次，发现霉变"],
                                    "responsibility": rng.choice(["store", "supplier"]),
                                    "root_cause": rng.choice(["冷链断链", "陈列过期", None])}),
        ("propose", "li.ming", {"step": ["全额退款"], "refund": "39.90"}),
        ("notify", "li.ming", {"method": "phone"}),
        ("accept", "li.ming", {}),
        ("resolve", "li.ming", {"summary": "已全额退款"}),
        ("follow-up", "zhang.san", {"satisfaction": rng.choice(
            ["satisfied", "fairly_satisfied", "unsatisfied", "unreachable"])}),
    ]
    steps = road[:rng.randint(0, len(road))]
    if rng.random() < 0.15 and len(steps) >= 3:
        steps.insert(3, ("escalate", "li.ming", {"reason": "顾客不满处理进度"}))
    if rng.random() < 0.15 and len(steps) >= 2:
        steps.insert(2, ("extend", "li.ming", {"by": rng.choice(["30m", "1h", "1d"]),
                                                "reason": "等待检测", "approver": "wang.fang"}))
    if rng.random() < 0.1 and len(steps) == 5:
        steps.append(("object", "zhang.san", {"reason": "补偿太少"}))
    if rng.random() < 0.05 and len(steps) == len(road):
        steps.append(("close", "li.ming", {"reason": "resolved"}))
        steps.append(("reopen", "li.ming", {"reason": "顾客再次来电"}))
    return steps


def make_cases(policy, count: int, seed: int = 7, start: datetime | None = None,
               days: int = 120) -> dict[str, dict]:
    """``{path: case}`` for ``count`` cases received over ``days`` days from ``start``."""
    rng = random.Random(seed)
    start = start or datetime(2026, 8, 1, 9, 0, tzinfo=ZONE)
    found = {}
    for n in range(count):
        received = start + timedelta(minutes=rng.randrange(days * 24 * 60))
        suffix = "".join(rng.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(6))
        case_id = f"KS-{received:%Y%m%d}-{suffix}"
        product = rng.choice(PRODUCTS)
        customer = {"name": f"顾客{n % 500}", "contact": f"138{n % 700:08d}"}
        if rng.random() < 0.3:
            customer["member_id"] = f"VIP-{n % 300:05d}"
        intake = engine.Step("intake", "zhang.san", received.isoformat(), {
            "id": case_id, "channel": rng.choice(CHANNELS), "store": rng.choice(STORES),
            "customer": customer,
            "complaint": {"summary": f"{product[1]}质量问题 {n}", "facts": f"顾客反映购买的{product[1]}变质，编号 {n}",
                          "demands": "退款", "emotion": "calm",
                          "subjects": [{"kind": "product", "ref": product[0], "name": product[1]}]}})
        case = engine.apply(None, intake, policy).case
        clock = received
        for action, actor, args in walk(rng, n):
            clock += timedelta(minutes=rng.choice([5, 20, 45, 90, 300, 1500, 3000]))
            try:
                case = engine.apply(case, engine.Step(action, actor, clock.isoformat(), args),
                                    policy).case
            except UsageError:
                break
        found[f"cases/{case_id[3:7]}/{case_id[7:9]}/{case_id}.yaml"] = case
    return found


def write_cases(root, cases: dict[str, dict]) -> None:
    for path, case in cases.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(case_text(case), encoding="utf-8")
