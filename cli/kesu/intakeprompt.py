"""Interactive intake: each answer checked as it is typed, asked again when wrong.

A clerk at the service desk types a complaint while the customer talks;
losing it to one typo at the end is not acceptable. Every question shows
its choices with their labels (a number picks one), optional questions are
skipped with an empty answer, and a bad answer is explained and asked
again. Nothing here touches the terminal: the command passes ``ask``
(prompt text, default -> answer) and ``say`` (a line), so the questions can
be tested and translated. Every text a clerk reads is in ``TEXT`` below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from kesu import intake
from kesu.errors import UsageError
from kesu.i18n import N_, _

#: Every prompt and message of interactive intake, in one place for translation.
TEXT = {
    "actor": N_("Who is recording this complaint (your roster name)"),
    "channel": N_("How did the complaint reach us"),
    "customer": N_("Customer's name"),
    "contact": N_("Customer's phone or e-mail"),
    "member": N_("Member / card number (Enter to skip)"),
    "summary": N_("Summary, one line"),
    "facts": N_("Facts: what happened, as the customer tells it"),
    "demands": N_("Demands: what the customer asks for (Enter to skip)"),
    "emotion": N_("The customer's mood"),
    "location": N_("Where it happened, e.g. 生鲜区称重台 (Enter to skip)"),
    "occurred_at": N_("When it happened, e.g. 2026-11-23T15:20 (Enter to skip)"),
    "store": N_("Store / site (Enter to skip)"),
    "product": N_("Product barcode or model, REF or REF=name (Enter to skip)"),
    "choices": N_("Choose one (number or name):"),
    "required": N_("An answer is needed here."),
    "not_a_choice": N_("{answer!r} is not one of the choices; type its number or its name."),
    "not_a_contact": N_("{answer!r} does not look like a phone number or an e-mail address."),
    "again": N_("Please answer again."),
}

def choice_labels(choices, policy=None) -> dict[str, str]:
    """What each choice means to a clerk: its label in kesu's language, one per code, as
    ``show`` has it (``kesu.vocab``); a label typed in full picks its choice too."""
    from kesu.i18n import language
    from kesu.vocab import label

    lang = language()
    return {choice: label(choice, lang, policy, readable=True) for choice in choices}


#: Chinese words clerks use for a choice, besides its label.
SYNONYMS = {"服务台": "counter", "前台": "counter", "热线": "hotline", "电话": "hotline",
            "小程序": "app", "邮件": "email", "信函": "letter", "消协": "consumer_association",
            "12315": "platform_12315", "平静": "calm", "焦急": "anxious", "着急": "anxious",
            "生气": "angry", "愤怒": "angry", "激动": "very_angry", "非常生气": "very_angry"}
#: The answer Enter gives for a question with a usual answer.
DEFAULTS = {"channel": "counter", "emotion": "calm"}
#: Questions in the order a clerk asks them (the customer's story, then where and what).
ORDER = ("channel", "customer", "contact", "member", "summary", "facts", "demands", "emotion",
         "location", "occurred_at", "store", "product")
_VOCABULARY = {"channel": "channels", "emotion": "emotions"}

Ask = Callable[[str, Any], str]
Say = Callable[[str], None]


@dataclass
class Prompter:
    policy: Any
    ask: Ask
    say: Say

    def choose(self, key: str, vocabulary: str, default: str | None) -> str:
        """Show the numbered choices with labels; take a number, a name or a label."""
        choices = self.policy.vocabulary(vocabulary)
        labels = choice_labels(choices, self.policy)
        self.say(_(TEXT["choices"]))
        for number, choice in enumerate(choices, start=1):
            label = labels.get(choice)
            same = not label or label.lower() == choice.lower()
            self.say(f"  {number:>2}. {choice}" + ("" if same else f"  — {label}"))
        while True:
            answer = self.ask(_(TEXT[key]), default if default in choices else None).strip()
            picked = pick(answer, choices, labels)
            if picked:
                return picked
            self.say(_(TEXT["not_a_choice"]).format(answer=answer))

    def text(self, key: str, required: bool, check: Callable[[str], str | None] | None = None) -> str:
        while True:
            answer = self.ask(_(TEXT[key]), None if required else "").strip()
            if not answer:
                if not required:
                    return ""
                self.say(_(TEXT["required"]))
                continue
            problem = check(answer) if check else None
            if problem is None:
                return answer
            self.say(f"{problem} {_(TEXT['again'])}")


def pick(answer: str, choices: list[str], labels: dict[str, str]) -> str | None:
    """The choice ``answer`` names: its number, its name, its label (in either language)
    or a Chinese word for it."""
    from kesu.vocab import LABELS

    if answer.isdigit() and 1 <= int(answer) <= len(choices):
        return choices[int(answer) - 1]
    lowered = answer.lower()
    for choice in choices:
        names = {choice, labels.get(choice, ""), *LABELS.get(choice, ())}
        if lowered in {name.lower() for name in names if name}:
            return choice
    synonym = SYNONYMS.get(answer)
    return synonym if synonym in choices else None


def ask_missing(data: dict, policy, ask: Ask, say: Say) -> None:
    """Ask for every intake field ``data`` lacks, checking each answer as it comes.

    ``data`` is filled in place, so whatever was answered before an error or
    Ctrl-C is still there to keep as a draft."""
    prompter = Prompter(policy, ask, say)
    for key in ORDER:
        if key == "product":
            _ask_products(data, prompter)
            continue
        path, required, _ = intake.FIELDS[key]
        if intake.get_path(data, path) not in (None, "") or key in data.get("_asked", []):
            continue
        if key in _VOCABULARY:
            answer = prompter.choose(key, _VOCABULARY[key], DEFAULTS.get(key))
        else:
            answer = prompter.text(key, required, CHECKS.get(key) and
                                   (lambda text, check=CHECKS[key]: check(text, policy)))
        if answer:
            intake.set_path(data, path, answer)
        data.setdefault("_asked", []).append(key)


def _ask_products(data: dict, prompter: Prompter) -> None:
    subjects = intake.get_path(data, ("complaint", "subjects"))
    if subjects or "product" in data.get("_asked", []):
        return
    answer = prompter.text("product", False)
    if answer:
        ref, _, name = answer.partition("=")
        intake.set_path(data, ("complaint", "subjects"),
                        [{"kind": "product", "ref": ref.strip(), **({"name": name.strip()} if name.strip() else {})}])
    data.setdefault("_asked", []).append("product")


def _check_contact(text: str, policy) -> str | None:
    digits = sum(ch.isdigit() for ch in text)
    return None if "@" in text or digits >= 5 else _(TEXT["not_a_contact"]).format(answer=text)


def _check_time(text: str, policy) -> str | None:
    from kesu.values import read_time

    try:
        read_time(text, policy.tz, "--occurred-at")
    except UsageError as exc:
        return exc.message
    return None


def _check_store(text: str, policy) -> str | None:
    from kesu.stores import resolve_store

    try:
        resolve_store(policy, text)
    except UsageError as exc:
        return exc.message
    return None


CHECKS = {"contact": _check_contact, "occurred_at": _check_time, "store": _check_store}


def ask_actor(policy, ask: Ask, say: Say, given: str | None) -> str:
    """The person recording the complaint, asked for until the roster knows them."""
    roster = list(policy.roster)
    if not roster:
        return given or ""
    if given in roster:
        return given
    if given:
        say(_("{given!r} is not in the roster.").format(given=given))
    for number, name in enumerate(roster, start=1):
        say(f"  {number:>2}. {name}  — {policy.roster[name].get('name', '')}")
    while True:
        answer = ask(_(TEXT["actor"]), None).strip()
        picked = roster[int(answer) - 1] if answer.isdigit() and 1 <= int(answer) <= len(roster) else answer
        if picked in roster:
            return picked
        say(_(TEXT["not_a_choice"]).format(answer=answer))
