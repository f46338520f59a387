"""How vocabulary codes read to people, per language: the one table every renderer uses.

Case files, JSON and CSV keep the codes (``product``, ``quality_defect``,
``counter``); wherever people read, a code is shown by its label. kesu.yaml
may add or change labels per locale::

    labels:
      zh-CN: {product: 商品类, counter: 一楼服务台}
      en: {counter: Front desk}

A code with no label anywhere is shown as it is.
"""

from __future__ import annotations

from typing import Any

#: code -> (zh-CN, en). Codes are unique across vocabularies, states and lights.
LABELS: dict[str, tuple[str, str]] = {
    # categories and subcategories
    "product": ("商品类", "Product"), "quality_defect": ("质量瑕疵", "Quality defect"),
    "not_as_described": ("货不对板", "Not as described"), "expired": ("过期变质", "Expired"),
    "service": ("服务类", "Service"), "attitude": ("服务态度", "Attitude"),
    "operational_error": ("操作失误", "Operational error"), "slow_response": ("响应迟缓", "Slow response"),
    "environment": ("环境类", "Environment"), "hygiene": ("卫生", "Hygiene"),
    "facilities": ("设施", "Facilities"), "layout": ("布局", "Layout"),
    "rules": ("规则类", "Rules"), "return_exchange": ("退换货", "Returns and exchanges"),
    "price_dispute": ("价格争议", "Price dispute"), "membership_rights": ("会员权益", "Membership rights"),
    "delivery": ("配送类", "Delivery"), "late": ("配送延误", "Late"), "damaged": ("配送破损", "Damaged"),
    "wrong_address": ("地址错误", "Wrong address"),
    "communication": ("沟通类", "Communication"), "slow_reply": ("回复迟缓", "Slow reply"),
    "other": ("其他", "Other"), "unclassified": ("未分类", "Unclassified"),
    # channels
    "counter": ("服务台", "Service counter"), "hotline": ("热线电话", "Hotline"), "app": ("App", "App"),
    "email": ("电子邮件", "E-mail"), "letter": ("信函", "Letter"), "social": ("社交媒体", "Social media"),
    "consumer_association": ("消费者协会", "Consumer association"),
    "platform_12315": ("12315 平台", "12315 platform"),
    # emotions, risks, severities
    "calm": ("平静", "Calm"), "anxious": ("焦虑", "Anxious"), "angry": ("生气", "Angry"),
    "very_angry": ("非常愤怒", "Very angry"),
    "low": ("低", "Low"), "medium": ("中", "Medium"), "high": ("高", "High"),
    "general": ("一般", "General"), "major": ("较大", "Major"), "serious": ("重大", "Serious"),
    "critical": ("特别重大", "Critical"),
    # roles
    "front_desk": ("前台", "Front desk"), "supervisor": ("主管", "Supervisor"),
    "operations": ("运营", "Operations"), "legal": ("法务", "Legal"),
    # responsibility
    "store": ("门店", "Store"), "staff": ("员工", "Staff"), "supplier": ("供应商", "Supplier"),
    "logistics": ("物流", "Logistics"), "tenant": ("租户", "Tenant"), "platform": ("平台", "Platform"),
    "customer": ("顾客", "Customer"), "none": ("无", "None"), "undetermined": ("待定", "Undetermined"),
    # departments
    "customer_service": ("客服部", "Customer service"), "fresh_food": ("生鲜部", "Fresh food"),
    "grocery": ("食品杂货部", "Grocery"), "purchasing": ("采购部", "Purchasing"),
    "quality_control": ("品控部", "Quality control"), "cashier": ("收银部", "Cashier"),
    "it": ("信息部", "IT"), "tenant_management": ("租户管理部", "Tenant management"),
    # compensation
    "refund": ("退款", "Refund"), "exchange": ("换货", "Exchange"), "repair": ("维修", "Repair"),
    "replacement": ("更换新品", "Replacement"), "voucher": ("购物券", "Voucher"),
    "cash": ("现金补偿", "Cash compensation"), "gift": ("礼品", "Gift"),
    "apology": ("书面致歉", "Written apology"), "experience": ("体验补偿", "Experience compensation"),
    # return visits
    "satisfied": ("满意", "Satisfied"), "fairly_satisfied": ("比较满意", "Fairly satisfied"),
    "unsatisfied": ("不满意", "Unsatisfied"), "unreachable": ("未联系上", "Unreachable"),
    # states
    "received": ("已受理", "Received"), "acknowledged": ("已确认", "Acknowledged"),
    "dispatched": ("已派发", "Dispatched"), "investigating": ("调查中", "Investigating"),
    "plan_proposed": ("方案待反馈", "Plan proposed"), "customer_notified": ("已反馈客户", "Customer notified"),
    "objected": ("客户有异议", "Objected"), "executing": ("处理中", "Executing"),
    "resolved": ("已解决", "Resolved"), "closed": ("已结案", "Closed"),
    # actions
    "intake": ("受理", "Intake"), "ack": ("确认接收", "Acknowledge"), "dispatch": ("定级派发", "Dispatch"),
    "investigate": ("调查核实", "Investigate"), "propose": ("确定方案", "Propose"),
    "approve": ("审批", "Approve"), "notify": ("反馈客户", "Notify"), "accept": ("客户接受", "Accept"),
    "object": ("客户异议", "Object"), "escalate": ("升级", "Escalate"), "act": ("执行", "Act"),
    "resolve": ("处理完毕", "Resolve"), "follow-up": ("回访", "Follow-up"), "close": ("结案", "Close"),
    "reopen": ("重新打开", "Reopen"), "extend": ("延期", "Extend"), "note": ("备注", "Note"),
    "assign": ("转派", "Assign"), "library": ("入库", "Library"), "edit": ("更正", "Edit"),
    "attach": ("附证据", "Attach"), "claimant-add": ("添加投诉人", "Add claimants"),
    "report-back": ("回复转办机构", "Report back"), "refer": ("移送", "Refer"), "corrective": ("整改", "Corrective"),
    # timers
    "acknowledge": ("确认接收", "Acknowledge"), "answer": ("答复", "Answer"), "execute": ("执行", "Execute"),
    "replan": ("重新出方案", "Replan"), "after_visit": ("回访后", "After visit"),
    "completion": ("办结", "Completion"), "follow_up": ("回访", "Follow-up"), "escalation": ("升级", "Escalation"),
    "investigation": ("调查", "Investigation"), "plan": ("出方案", "Plan"),
    # case file sections a state needs (investigation, plan and follow_up read as the timers above)
    "acknowledgement": ("确认接收记录", "Acknowledgement"), "classification": ("定级", "Classification"),
    "assignment": ("派发", "Assignment"), "customer_response": ("客户答复", "Customer response"),
    "resolution": ("处理结果", "Resolution"), "closure": ("结案记录", "Closure"),
    # timers' clocks
    "business": ("营业时间", "Business hours"), "wall": ("自然时间", "Wall clock"),
    "working_days": ("工作日", "Working days"),
    # close reasons (resolved and unsatisfied are a state and a return visit above)
    "no_follow_up": ("未回访结案", "No follow-up"), "withdrawn": ("顾客撤诉", "Withdrawn"),
    "duplicate": ("重复投诉", "Duplicate"), "invalid": ("无效投诉", "Invalid"),
    # how people were told (report-back and ack/notify --method)
    "phone": ("电话", "Phone"), "sms": ("短信", "SMS"), "in_person": ("当面", "In person"),
    # referrals
    "police": ("公安机关", "Police"), "market_regulator": ("市场监管部门", "Market regulator"),
    "food_safety": ("食品安全监管部门", "Food safety authority"),
    # evidence kinds
    "photo": ("照片", "Photo"), "receipt": ("收据", "Receipt"), "recording": ("录音", "Recording"),
    "qc_report": ("质检报告", "QC report"), "agreement": ("协议", "Agreement"), "document": ("文件", "Document"),
    # corrective actions (a voucher is the compensation above)
    "retraining": ("员工培训", "Retraining"), "purchasing_check": ("采购核查", "Purchasing check"),
    # claimants' outcomes (unreachable is a return visit above)
    "paid": ("已支付", "Paid"), "refused": ("已拒绝", "Refused"), "waiting": ("待处理", "Waiting"),
    # steps that are no lifecycle action
    "import": ("导入", "Import"),
    # lights
    "red": ("红灯", "red"), "yellow": ("黄灯", "yellow"), "green": ("绿灯", "green"),
}


#: kesu's own words (states, steps, timers, lights) are documented in English as
#: they are spelt, so English shows them as they are.
def _own_words() -> frozenset[str]:
    from kesu.lifecycle import STATES, TABLE

    return frozenset(STATES) | frozenset(TABLE) | {
        "acknowledge", "answer", "execute", "replan", "after_visit", "completion", "follow_up",
        "escalation", "investigation", "plan", "red", "yellow", "green"}


_OWN = _own_words()


def label(code: Any, locale: str = "en", policy=None, readable: bool = False) -> str:
    """The label of ``code`` in ``locale`` (kesu.yaml ``labels`` first); the code itself if none.

    In English the codes are words already, and the tables and ``show`` keep
    them; reports (``readable``) use the English labels of vocabulary codes."""
    if code is None or code == "":
        return ""
    text = str(code)
    if policy is not None:
        configured = ((policy.get("labels") or {}).get(locale) or {}) if hasattr(policy, "get") else {}
        if isinstance(configured, dict) and configured.get(text):
            return str(configured[text])
    pair = LABELS.get(text)
    base, mark, number = text.partition("#")
    if pair is None and mark and number.isdigit() and base:  # a numbered timer: retraining#1
        return f"{label(base, locale, policy, readable)}#{number}"
    if pair is None or (locale != "zh-CN" and (text in _OWN or not readable)):
        return text
    return pair[0] if locale == "zh-CN" else pair[1]


def labels_of(text: str, locale: str, policy=None, sep: str = "/", readable: bool = False,
              joiner: str | None = None) -> str:
    """``product/quality_defect`` as ``商品类/质量瑕疵``; the labels joined by ``joiner``
    (``resolved, satisfied`` as ``已解决，满意``), else by ``sep``."""
    return (joiner or sep).join(label(part, locale, policy, readable) for part in str(text).split(sep))


def label_and_code(code: str, locale: str, typed: str | None = None) -> str:
    """A code people must type, read by its label: ``执行 (execute)``; in English, where
    the label is the code, just what is typed. ``typed`` is the command for a step
    whose command differs from its code (``claimant add``)."""
    typed = typed or code
    said = label(code, locale)
    return typed if said == code else f"{said} ({typed})"
