"""The lifecycle commands: one per step, each one git commit."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from kesu import lifecycle
from kesu.i18n import _
from kesu.claimants import OUTCOMES
from kesu.obligations import REFER_TO, REPORT_METHODS
from kesu.commands.common import (ActorOpt, ArchiveOpt, AtOpt, CaseArg, case_id_of, open_archive,
                                  step_for)


def _choices(name: str, values) -> type[Enum]:
    """A typer choice list made from the transition table's own names."""
    return Enum(name, {value: value for value in values}, type=str)


Satisfaction = _choices("Satisfaction", lifecycle.SATISFACTION_CLOSES)
CloseReason = _choices("CloseReason", lifecycle.CLOSE_REASONS)
TellMethod = _choices("TellMethod", lifecycle.TELL_METHODS)
Outcome = _choices("Outcome", OUTCOMES)
ReportMethod = _choices("ReportMethod", REPORT_METHODS)
ReferTo = _choices("ReferTo", REFER_TO)


Reason = Annotated[str, typer.Option("--reason", help="Why (recorded in the case and the commit).")]


def _step(action: str, case_id: str, archive, actor, at, **args) -> None:
    """Record one step with the arguments as given, and say what happened."""
    from kesu.record import record_step

    arch = open_archive(archive)
    done = record_step(arch, case_id_of(arch, case_id), step_for(arch, action, actor, at, args))
    arrow = f"{done.from_state} -> {done.to_state}" if done.from_state != done.to_state else done.to_state
    print(f"{done.case_id}: {action} ({arrow}) {done.commit[:10]}")


def ack(case_id: CaseArg,
        method: Annotated[Optional[TellMethod], typer.Option("--method", help="How the customer was told (default from the channel).")] = None,
        message: Annotated[Optional[str], typer.Option("--message", help="What was said.")] = None,
        at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Confirm to the customer that the complaint was received.

    Example: kesu ack KS-20261123-7F3KQ2 --method phone
    """

    _step("ack", case_id, archive, actor, at, method=method.value if method else None,
          message=message)


def dispatch(case_id: CaseArg,
             category: Annotated[str, typer.Option("--category", help="product, service, environment, rules, delivery, communication, other.")],
             severity: Annotated[str, typer.Option("--severity", help="general, major, serious or critical.")],
             risk: Annotated[str, typer.Option("--risk", help="low, medium or high.")],
             owner: Annotated[str, typer.Option("--owner", help="Who handles it (roster name).")],
             subcategory: Annotated[Optional[str], typer.Option("--subcategory", help="e.g. quality_defect.")] = None,
             department: Annotated[Optional[str], typer.Option("--department", help="e.g. fresh_food.")] = None,
             force: Annotated[bool, typer.Option("--force", help="Give a high-risk case to an owner below operations/legal (needs --reason).")] = False,
             reason: Annotated[Optional[str], typer.Option("--reason", help="Why --force is needed.")] = None,
             at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Grade the complaint and hand it to an owner.

    Example: kesu dispatch KS-20261123-7F3KQ2 --category product --subcategory quality_defect
    --severity general --risk medium --owner li.ming --department fresh_food
    """
    _step("dispatch", case_id, archive, actor, at, category=category, severity=severity,
          risk=risk, owner=owner, subcategory=subcategory, department=department, force=force,
          reason=reason)


def investigate(case_id: CaseArg,
                findings: Annotated[list[str], typer.Option("--findings", help="What was found (repeatable): CCTV, statements, QC report.")],
                responsibility: Annotated[Optional[str], typer.Option("--responsibility", help="Who is responsible: store, staff, supplier, logistics, ...")] = None,
                root_cause: Annotated[Optional[str], typer.Option("--root-cause", help="The root cause (5 Whys).")] = None,
                at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Record what the investigation found.

    Example: kesu investigate KS-20261123-7F3KQ2 --findings "同批次草莓抽检 2/10 霉变" --responsibility supplier
    """

    _step("investigate", case_id, archive, actor, at, findings=findings,
          responsibility=responsibility, root_cause=root_cause)


def propose(case_id: CaseArg,
            step: Annotated[list[str], typer.Option("--step", help="A step of the plan, in order (repeatable).")],
            refund: Annotated[Optional[str], typer.Option("--refund", help="Refund amount, e.g. 39.90.")] = None,
            voucher: Annotated[Optional[str], typer.Option("--voucher", help="Voucher value.")] = None,
            cash: Annotated[Optional[str], typer.Option("--cash", help="Cash compensation (needs the customer's signature).")] = None,
            compensation: Annotated[Optional[list[str]], typer.Option("--compensation", metavar="KIND=AMOUNT", help="Other compensation, e.g. gift=50 or apology=0 (repeatable).")] = None,
            legal_basis: Annotated[Optional[str], typer.Option("--legal-basis", help="The law or rule the plan rests on.")] = None,
            commitment: Annotated[Optional[str], typer.Option("--commitment", help="The time promised to the customer, e.g. 三日内完成.")] = None,
            at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Propose a plan and its compensation; flags it for approval when needed.

    Example: kesu propose KS-20261123-7F3KQ2 --step "全额退款" --step "同批次下架检测并公示"
    --refund 39.90 --voucher 20
    """
    _step("propose", case_id, archive, actor, at, step=step, refund=refund, voucher=voucher,
          cash=cash, compensation=compensation, legal_basis=legal_basis, commitment=commitment)


def approve(case_id: CaseArg, at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Approve the proposed plan (needed above the proposer's authority or on high risk).

    Example: kesu approve KS-20261123-7F3KQ2 --actor wang.fang
    """

    _step("approve", case_id, archive, actor, at)


def notify(case_id: CaseArg,
           method: Annotated[Optional[TellMethod], typer.Option("--method", help="How the customer was told.")] = None,
           message: Annotated[Optional[str], typer.Option("--message", help="What was said.")] = None,
           at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Tell the customer the plan. Refused until a required approval is recorded.

    Example: kesu notify KS-20261123-7F3KQ2 --method phone
    """

    _step("notify", case_id, archive, actor, at, method=method.value if method else None,
          message=message)


def accept(case_id: CaseArg, at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """The customer accepted the plan; carrying it out starts.

    Example: kesu accept KS-20261123-7F3KQ2
    """

    _step("accept", case_id, archive, actor, at)


def object_(case_id: CaseArg, reason: Reason, at: AtOpt = None, actor: ActorOpt = None,
            archive: ArchiveOpt = None) -> None:
    """The customer objected to the plan; escalate within 2 business hours.

    Example: kesu object KS-20261123-7F3KQ2 --reason "要求三倍赔偿"
    """

    _step("object", case_id, archive, actor, at, reason=reason)


def escalate(case_id: CaseArg, reason: Reason,
             owner: Annotated[Optional[str], typer.Option("--owner", help="New owner (roster name): someone whose role ranks above the current owner's. Leave out to keep the owner.")] = None,
             at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Raise the case one level and send it back to investigation.

    An escalation goes up: a new --owner must hold a higher role than the
    current owner (front_desk < supervisor < operations, legal; kesu.yaml
    approval.role_ranks). Without --owner the owner stays and the level rises.
    A new plan is then due within 4 business hours.

    Example: kesu escalate KS-20261123-7F3KQ2 --reason "客户不接受方案" --owner wang.fang
    """

    _step("escalate", case_id, archive, actor, at, reason=reason, owner=owner)


def act(case_id: CaseArg,
        text: Annotated[str, typer.Argument(metavar="TEXT", help="What was done, e.g. 退款 39.90 元已到账.")],
        statutory: Annotated[Optional[str], typer.Option("--statutory", metavar="PRICE", help="Food safety: compute 10x PRICE, at least 1000 yuan, and record it.")] = None,
        claimant: Annotated[Optional[list[str]], typer.Option("--claimant", metavar="REF", help="Mass complaint: the claimant it was done for (C001, or their contact or member number; repeatable; 'all' for everyone still waiting). Needs --outcome.")] = None,
        outcome: Annotated[Optional[Outcome], typer.Option("--outcome", help="What became of the claimants' claims: paid, refused or unreachable.")] = None,
        outcomes_file: Annotated[Optional[str], typer.Option("--outcomes-file", metavar="CSV", help="Mass complaint: outcomes of many claimants, a CSV with the columns claimant,outcome.")] = None,
        at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Record an action carried out (refund paid, voucher sent, product sealed).

    In a mass complaint, say for whom: each claimant gets an outcome (paid,
    refused, unreachable), and the case resolves once every claimant has one.

    Example: kesu act KS-20261123-7F3KQ2 "退款 39.90 元已原路退回" --statutory 39.90

    Example: kesu act KS-20261123-7F3KQ2 "预付卡余额已退回" --claimant C001 --claimant C002 --outcome paid
    """
    from kesu.errors import UsageError

    if bool(claimant) != (outcome is not None):
        raise UsageError(_("--claimant and --outcome go together"))
    outcomes = [f"{who}={outcome.value}" for who in claimant or []]
    if outcomes_file:
        from kesu.claimants import read_outcomes

        outcomes += read_outcomes(open_archive(archive), outcomes_file)
    _step("act", case_id, archive, actor, at, text=text, statutory=statutory,
          outcomes=outcomes or None)
    if statutory is not None:
        from kesu.money import money_arg, statutory_compensation

        policy = open_archive(archive).policy
        amount = statutory_compensation(money_arg(statutory, "--statutory", policy))
        print(_("statutory compensation: {amount}").format(amount=f"{amount:.2f}"))


def resolve(case_id: CaseArg,
            summary: Annotated[str, typer.Option("--summary", help="What was done, in one or two sentences.")],
            signature_kept: Annotated[Optional[str], typer.Option("--signature-kept", metavar="WHERE", help="Cash paid: where the customer's signed paper receipt is filed, when it is not attached with 'kesu attach'.")] = None,
            at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Mark the plan as carried out; the return visit is due within 24 business hours.

    Example: kesu resolve KS-20261123-7F3KQ2 --summary "已退款并补偿20元券"
    """

    _step("resolve", case_id, archive, actor, at, summary=summary, signature_kept=signature_kept)


def follow_up(case_id: CaseArg,
              satisfaction: Annotated[Satisfaction, typer.Option("--satisfaction", help="satisfied and fairly_satisfied close the case.")],
              note: Annotated[Optional[str], typer.Option("--note", help="What the customer said.")] = None,
              at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Record the return visit; closes the case when the customer is satisfied.

    When it does not (unsatisfied, unreachable), escalate, reopen or close the
    case within 24 business hours.

    Example: kesu follow-up KS-20261123-7F3KQ2 --satisfaction satisfied
    """

    _step("follow-up", case_id, archive, actor, at, satisfaction=satisfaction.value, note=note)


def close(case_id: CaseArg,
          reason: Annotated[CloseReason, typer.Option("--reason", help="resolved, unsatisfied, no_follow_up (after resolve); withdrawn, duplicate, invalid (any time).")],
          of: Annotated[Optional[str], typer.Option("--of", metavar="ID", help="With --reason duplicate: the case this one duplicates.")] = None,
          note: Annotated[Optional[str], typer.Option("--note", help="A closing note.")] = None,
          at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Close the case.

    Example: kesu close KS-20261123-7F3KQ2 --reason withdrawn --note "顾客撤回投诉"
    """

    if of:
        arch = open_archive(archive)
        of = case_id_of(arch, of)
        arch.existing_case_path(of)
    _step("close", case_id, archive, actor, at, reason=reason.value, of=of, note=note)


def reopen(case_id: CaseArg, reason: Reason, at: AtOpt = None, actor: ActorOpt = None,
           archive: ArchiveOpt = None) -> None:
    """Reopen a closed case, or an unsatisfied one, for more investigation.

    A new plan is then due within 4 business hours.

    Example: kesu reopen KS-20261123-7F3KQ2 --reason "顾客再次来电，问题未解决"
    """

    _step("reopen", case_id, archive, actor, at, reason=reason)


def extend(case_id: CaseArg,
           by: Annotated[str, typer.Option("--by", metavar="DURATION", help="How much longer: 90m, 2h, 1d, or 3wd (working days).")],
           reason: Reason,
           approver: Annotated[Optional[str], typer.Option("--approver", help="Who approved it: another person, a supervisor or above (required).")] = None,
           timer: Annotated[Optional[str], typer.Option("--timer", help="Which deadline (default: the one due first).")] = None,
           at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Extend the current stage's deadline, with a reason and an approver.

    The approver is someone other than you whose role may approve extensions
    (kesu.yaml approval.extension_roles: supervisor, operations, legal). All
    the extensions of one deadline together may add at most its own limit
    again (a 4 h plan deadline: 4 h more in all); kesu names what is left.

    Example: kesu extend KS-20261123-7F3KQ2 --by 2h --reason "等待供应商质检报告" --approver wang.fang
    """

    _step("extend", case_id, archive, actor, at, by=by, reason=reason,
          timer=timer, approver=approver)


def note(case_id: CaseArg,
         text: Annotated[str, typer.Argument(metavar="TEXT", help="The note.")],
         at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Add a note to an open case.

    Example: kesu note KS-20261123-7F3KQ2 "顾客来电询问进度"
    """

    _step("note", case_id, archive, actor, at, text=text)


def assign(case_id: CaseArg,
           owner: Annotated[str, typer.Option("--owner", help="New owner (roster name).")],
           department: Annotated[Optional[str], typer.Option("--department", help="New department.")] = None,
           at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Give an open case to another owner.

    Example: kesu assign KS-20261123-7F3KQ2 --owner wang.fang
    """

    _step("assign", case_id, archive, actor, at, owner=owner, department=department)


def report_back(case_id: CaseArg,
                method: Annotated[ReportMethod, typer.Option("--method", help="How the body was told: platform (its complaint system), phone, letter, email, in_person, other.")],
                text: Annotated[str, typer.Option("--text", help="What it was told: the outcome and how it was reached.")],
                reference: Annotated[Optional[str], typer.Option("--reference", help="The body's own reference number for the complaint.")] = None,
                at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Record that the consumer association or 12315 was told how its complaint ended.

    A complaint transferred by one of them (channel consumer_association or
    platform_12315) cannot close until this is recorded.

    Example: kesu report-back KS-20261123-7F3KQ2 --method platform --text "已退款并致歉，顾客满意" --reference 12315-2026-0001
    """

    _step("report-back", case_id, archive, actor, at, method=method.value, text=text,
          reference=reference)


def refer(case_id: CaseArg,
          to: Annotated[ReferTo, typer.Option("--to", help="police, market_regulator, food_safety, consumer_association or other.")],
          text: Annotated[str, typer.Option("--text", help="What was reported, and to whom.")],
          reference: Annotated[Optional[str], typer.Option("--reference", help="Their reference (case or receipt number).")] = None,
          at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Record a referral to the police or a regulator (an unlawful event, e.g. a lost deposit).

    Example: kesu refer KS-20261123-7F3KQ2 --to police --text "寄存柜物品遗失，已报辖区派出所" --reference 110-20261123-17
    """

    _step("refer", case_id, archive, actor, at, to=to.value, text=text, reference=reference)


def corrective(case_id: CaseArg,
               text: Annotated[str, typer.Argument(metavar="TEXT", help="What is to be done (or, with --done, what was done).")],
               kind: Annotated[Optional[str], typer.Option("--kind", help="retraining (3 working days), voucher (1), purchasing_check (5): kesu.yaml obligations.corrective.")] = None,
               due: Annotated[Optional[str], typer.Option("--due", metavar="DURATION", help="Another time limit than the policy's, e.g. 2wd.")] = None,
               done: Annotated[Optional[str], typer.Option("--done", metavar="N", help="Mark corrective action N of the case as done.")] = None,
               at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Record a corrective action with its own deadline, or that it was done.

    Retraining is due within 3 working days and a voucher within one, by
    default; 'kesu overdue' shows the ones running late, even after the case
    closed, until they are marked done.

    Example: kesu corrective KS-20261123-7F3KQ2 --kind retraining "收银组情景模拟培训"

    Example: kesu corrective KS-20261123-7F3KQ2 --done 1 "培训完成，考核通过"
    """

    _step("corrective", case_id, archive, actor, at, text=text, kind=kind, due=due, done=done)


#: One command per step of the transition table (``object`` is a Python keyword).
def _command_of(action: str):
    name = action.replace("-", "_")
    return globals().get(f"{name}_") or globals()[name]


COMMANDS = {action: _command_of(action) for action in lifecycle.STEP_COMMANDS}
