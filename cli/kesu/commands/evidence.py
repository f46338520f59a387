"""kesu attach: keep an evidence file with a case."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from kesu.i18n import _
from kesu.commands.common import ActorOpt, ArchiveOpt, AtOpt, CaseArg, case_id_of, open_archive, step_for
from kesu.evidence import KINDS

Kind = Enum("Kind", {kind: kind for kind in KINDS}, type=str)


def attach(case_id: CaseArg,
           file: Annotated[str, typer.Argument(metavar="FILE", help="The file: a photo, receipt, call recording, QC report, signed agreement.")],
           kind: Annotated[Optional[Kind], typer.Option("--kind", help="photo, receipt, recording, qc_report, agreement or document (default: guessed from the file name).")] = None,
           note: Annotated[Optional[str], typer.Option("--note", help="What the file shows, e.g. 顾客签字的现金补偿收据.")] = None,
           at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Keep an evidence file with the case: one commit with the file and its record.

    The file is copied to evidence/ID/ and the case records its SHA-256, size,
    kind and who attached it; 'kesu validate' and 'kesu audit' report an
    evidence file that goes missing or is swapped. Cash compensation needs a
    signed agreement or receipt attached before 'kesu resolve'. Large media
    go through Git LFS when the archive tracks them (see README).

    Example: kesu attach KS-20261123-7F3KQ2 草莓.jpg --kind photo --note "霉变草莓，称重台"
    """
    from kesu import evidence
    from kesu.errors import UsageError
    from kesu.record import record_step

    arch = open_archive(archive)
    case_id = case_id_of(arch, case_id)
    source = Path(file)
    if not source.is_file():
        raise UsageError(_("{path}: no such file").format(path=file))
    try:
        sha, size = evidence.file_digest(source)
    except OSError as exc:
        raise UsageError(_("{path}: cannot read: {reason}").format(path=file, reason=exc.strerror)) from None
    recorded = arch.load_case(case_id).get("evidence") or []
    rel = evidence.free_path(arch.root, case_id, source.name, sha, recorded)
    chosen = kind.value if kind else evidence.guess_kind(source.name)
    step = step_for(arch, "attach", actor, at, {"path": rel, "sha256": sha, "size": str(size),
                                                "kind": chosen, "note": note})
    done = record_step(arch, case_id, step, extra_files=lambda case: {rel: source.read_bytes()})
    # a step line (codes, as scripts parse it), then what was attached
    print(f"{done.case_id}: attach ({done.to_state}) {done.commit[:10]} {rel} {chosen} sha256:{sha[:12]}")


COMMANDS = {"attach": attach}
