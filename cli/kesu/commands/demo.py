"""kesu demo: a guided walk through one complaint's whole life."""

from __future__ import annotations

from kesu.i18n import _

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

CUSTOMER = ["--channel", "counter", "--customer", "王女士", "--contact", "13800138000",
            "--summary", "草莓霉变", "--facts", "生鲜区称重台购买的草莓约三分之一霉变",
            "--demands", "全额退款并补偿同价值商品", "--emotion", "anxious",
            "--location", "生鲜区称重台", "--product", "6901234567890=草莓 500g"]

#: (actor, kesu arguments after the case ID); "{id}" is the new case.
WALK: list[tuple[str, list[str]]] = [
    ("zhang.san", ["ack", "{id}", "--method", "in_person", "--message", "已复述事实并登记，一小时内答复"]),
    ("li.ming", ["dispatch", "{id}", "--category", "product", "--subcategory", "quality_defect",
                 "--severity", "general", "--risk", "medium", "--owner", "li.ming",
                 "--department", "fresh_food"]),
    ("li.ming", ["investigate", "{id}", "--findings", "同批次草莓抽检 10 盒，2 盒霉变",
                 "--responsibility", "supplier", "--root-cause", "供应商冷链运输温度超标"]),
    ("li.ming", ["propose", "{id}", "--step", "全额退款", "--step", "同批次下架检测并公示结果",
                 "--step", "赠送 20 元购物券", "--refund", "39.90", "--voucher", "20",
                 "--cash", "1000", "--legal-basis", "《食品安全法》第一百四十八条：退一赔十，不足一千元的按一千元计",
                 "--commitment", "三日内完成，期间随时告知进展"]),
    ("wang.fang", ["approve", "{id}"]),
    ("li.ming", ["notify", "{id}", "--method", "phone"]),
    ("li.ming", ["accept", "{id}"]),
    ("zhang.san", ["act", "{id}", "退款 39.90 元已原路退回，法定赔偿已支付", "--statutory", "39.90"]),
    # 000: 现金补偿需客户签字确认 — the signed receipt is kept with the case before it resolves
    ("zhang.san", ["attach", "{id}", "{receipt}", "--kind", "receipt", "--note", "顾客签字确认的赔偿收据"]),
    ("li.ming", ["resolve", "{id}", "--summary", "已退款、赔偿并赠券，同批次草莓已下架"]),
    (None, ["reply", "{id}", "follow-up"]),  # the script for the return visit, before it is made
    ("zhang.san", ["follow-up", "{id}", "--satisfaction", "satisfied",
                   "--note", "顾客表示满意"]),
    ("li.ming", ["library", "add", "{id}", "--lessons", "生鲜到货须逐批抽检，冷链温度记录随货核对",
                 "--value", "典型的食品质量投诉：先行赔付、同批次排查并公示",
                 "--five-whys", "为何草莓霉变？运输途中温度超标",
                 "--five-whys", "为何温度超标？供应商冷链车制冷故障未被发现",
                 "--caveats", "推广时隐去顾客信息，只讲处理过程"]),
]



def demo(
    keep: Annotated[Optional[Path], typer.Option(
        "--keep", metavar="DIR", help="Build the demo archive in DIR and keep it (default: a temp folder, removed after).")] = None,
) -> None:
    """Walk the mouldy-strawberry complaint through its whole life in a throw-away archive.

    Prints every command before running it, then the git log and the case list.
    Your own folders are not touched.
    """
    from kesu.errors import UsageError

    if keep is not None and keep.exists() and any(keep.iterdir()):
        raise UsageError(_("--keep {path}: folder is not empty").format(path=keep))
    temp = None if keep else tempfile.mkdtemp(prefix="kesu-demo-")
    root = keep.resolve() if keep else Path(temp) / "desk"
    try:
        _walk(root)
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)


def _kesu(root: Path, args: list[str], actor: str | None = None, show: bool = True) -> str:
    from kesu.errors import KesuError

    shown = (["KESU_ACTOR=" + actor] if actor else []) + ["kesu", *args]
    if show:
        print(f"\n$ {' '.join(shlex.quote(a) for a in shown)}", flush=True)
    env = {"KESU_ARCHIVE": str(root), **({"KESU_ACTOR": actor} if actor else {})}
    proc = subprocess.run([sys.executable, "-m", "kesu", *args], cwd=root.parent,
                          env={**os.environ, **env}, capture_output=True, text=True)
    if proc.returncode != 0:
        raise KesuError(_("demo step failed: kesu {command}: {error}").format(
            command=" ".join(args), error=proc.stderr.strip()))
    if show:
        print(proc.stdout, end="", flush=True)
    return proc.stdout


def _walk(root: Path) -> None:
    from kesu.githistory import oneline_log

    print(_("kesu demo: a complaint desk in {folder}").format(folder=root))
    _kesu(root.parent, ["init", str(root)])
    _import_samples(root)
    case_id = _kesu(root, ["new", *CUSTOMER], actor="zhang.san").strip()
    with tempfile.TemporaryDirectory(prefix="kesu-demo-") as scans:
        receipt = Path(scans) / "signed-receipt.txt"
        receipt.write_text("赔偿收据：已收到法定赔偿 1000.00 元。顾客签字：王**\n", encoding="utf-8")
        for actor, args in WALK:
            _kesu(root, [a.replace("{id}", case_id).replace("{receipt}", str(receipt))
                         for a in args], actor=actor)
    print(f"\n$ cat library/{case_id}.md")
    print((root / "library" / f"{case_id}.md").read_text(encoding="utf-8"), end="")
    _kesu(root, ["history", case_id])
    print(f"\n$ git log --oneline -{len(WALK) + 1}")
    for line in oneline_log(root, len(WALK) + 1):
        print(line)
    _kesu(root, ["list"])


def _import_samples(root: Path) -> None:
    """Copy the shipped sample cases in, as one commit, so the list has company."""
    from kesu import gitio, trailers
    from kesu.resources import shipped

    samples = shipped("cases")
    count = 0
    for source in sorted(samples.glob("*/*/*.yaml")):
        target = root / "cases" / source.relative_to(samples)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        count += 1
    print("\n$ cp -r <kesu>/cases . && git commit   # " + _("{n} sample cases").format(n=count))
    gitio.add(root, ["cases"])
    now = datetime.now().astimezone().isoformat(timespec="seconds")
    # The trailers put the import on the record, so kesu audit accepts it.
    gitio.commit_staged(root, trailers.import_message("Import sample cases", "wang.fang", now))


COMMANDS = {"demo": demo}
