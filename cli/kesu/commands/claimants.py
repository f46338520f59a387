"""kesu claimant add: the claimants of a mass complaint."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from kesu.i18n import _
from kesu.commands.common import ActorOpt, ArchiveOpt, AtOpt, CaseArg, case_id_of, open_archive, step_for

app = typer.Typer(help="The claimants of a mass complaint: one case, many customers.",
                  no_args_is_help=True, add_completion=False)


@app.command("add")
def add(case_id: CaseArg,
        customer: Annotated[Optional[str], typer.Option("--customer", help="The claimant's name (confidential).")] = None,
        contact: Annotated[Optional[str], typer.Option("--contact", help="Phone or e-mail (confidential).")] = None,
        member: Annotated[Optional[str], typer.Option("--member", help="Member or card number (confidential).")] = None,
        amount: Annotated[Optional[str], typer.Option("--amount", help="What the claimant is owed, e.g. 400.00.")] = None,
        from_file: Annotated[Optional[str], typer.Option("--from-file", metavar="CSV", help="Many claimants at once: a CSV with the columns customer,contact[,member][,amount] (or 姓名,电话,会员号,金额).")] = None,
        at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Add claimants to a mass complaint, in one commit; each gets a ref (C001, C002, ...).

    The plan applies to all of them; record each one's outcome with
    'kesu act ID TEXT --claimant REF --outcome paid|refused|unreachable'.
    Reports count claimants and never show their names or contacts.

    Example: kesu claimant add KS-20261123-7F3KQ2 --customer 刘先生 --contact 13900139000 --member VIP0042 --amount 400

    Example: kesu claimant add KS-20261123-7F3KQ2 --from-file members.csv
    """
    from kesu import claimants
    from kesu.errors import UsageError
    from kesu.record import record_step

    arch = open_archive(archive)
    case_id = case_id_of(arch, case_id)
    one = {"customer": customer, "contact": contact, "member": member, "amount": amount}
    given = [{k: v for k, v in one.items() if v is not None}] if any(one.values()) else []
    if from_file:
        path = Path(from_file)
        if not path.is_file():
            raise UsageError(_("{flag} {path}: no such file").format(flag="--from-file", path=from_file))
        given += claimants.read_csv(arch.read_text(path), from_file)
    if not given:
        raise UsageError(_("give --customer NAME --contact PHONE, or --from-file CSV"))
    done = record_step(arch, case_id, step_for(arch, "claimant-add", actor, at,
                                               {"claimants": given}))
    # a step line (codes, as scripts parse it), then how many claimants it added
    print(f"{done.case_id}: claimant-add ({done.to_state}) {done.commit[:10]} +{len(given)} claimants")


COMMANDS = {"claimant": app}
