"""Interactive intake through a real pseudo-terminal: answers checked as typed, asked
again when wrong, every choice listed, and nothing lost to an error or Ctrl-C."""

from __future__ import annotations

import os
import re
import pty
import select
import signal
import time
from pathlib import Path

import pytest

from kesu import drafts, intakeprompt
from kesu.config import Policy

from conftest import KESU, commit_count, kesu
from e2e_support import read_case

WAIT = 30.0


class Terminal:
    """``kesu`` on a pseudo-terminal: wait for a prompt, type an answer."""

    def __init__(self, root: Path, *args: str, actor: str = "zhang.san"):
        self.output = ""
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: kesu on the terminal
            # A background job inherits SIGINT ignored; a clerk's terminal does not.
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.chdir(root)
            os.environ["KESU_ACTOR"] = actor
            os.execv(KESU, [KESU, "new", *args])

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.fd, 4096)
        except OSError:
            return False
        if not data:
            return False
        self.output += data.decode("utf-8", "replace").replace("\r\n", "\n")
        return True

    def expect(self, text: str) -> None:
        start = len(self.output) if not hasattr(self, "_seen") else self._seen
        deadline = time.monotonic() + WAIT
        while text not in self.output[start:]:
            if time.monotonic() > deadline or not self._read(0.2):
                raise AssertionError(f"never saw {text!r}; got:\n{self.output}")
        self._seen = self.output.index(text, start) + len(text)

    def answer(self, prompt: str, text: str) -> None:
        self.expect(prompt)
        os.write(self.fd, text.encode("utf-8") + b"\r")

    def finish(self) -> int:
        deadline = time.monotonic() + WAIT
        while self._read(0.2):
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                raise AssertionError(f"kesu did not finish; got:\n{self.output}")
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


def _case_id(output: str) -> str:
    return re.findall(r"^\s*(KS-\d{8}-[0-9A-Z]{6})\s*$", output, re.M)[-1]


STORY = [("reach us", "1"), ("name", "王女士"), ("phone or e-mail", "13800138000"), ("card number", ""),
         ("Summary", "草莓霉变"), ("Facts", "草莓约三分之一霉变"), ("Demands", "全额退款并补偿同价值商品"),
         ("mood", "焦急"), ("Where", "生鲜区称重台"), ("When", "2026-11-23T15:15"), ("Store", "旗舰店"),
         ("Product", "6901234567890=草莓 500g")]


def test_typos_are_corrected_in_place_and_every_choice_is_listed(archive):
    commits = commit_count(archive)
    term = Terminal(archive, "--at", "2026-11-23T16:10")
    term.expect("8. platform_12315  — 12315 platform")
    term.answer("reach us [counter]:", "服务台x")
    term.answer("is not one of the choices", "服务台")
    for prompt, text in STORY[1:2]:
        term.answer(prompt, text)
    term.answer("phone or e-mail", "王女士的电话")
    term.answer("does not look like a phone number", "13800138000")
    for prompt, text in STORY[3:7]:
        term.answer(prompt, text)
    term.expect("4. very_angry  — Very angry")
    term.answer("mood [calm]:", "生气")
    for prompt, text in STORY[8:9]:
        term.answer(prompt, text)
    term.answer("When", "yesterday")
    term.answer("Please answer again", "2026-11-23T15:15")
    for prompt, text in STORY[10:]:
        term.answer(prompt, text)
    assert term.finish() == 0, term.output
    case_id = _case_id(term.output)
    case = read_case(archive, case_id)
    assert case["channel"] == "counter" and case["store"] == "旗舰店"
    assert case["customer"] == {"name": "王女士", "contact": "13800138000"}
    assert case["complaint"]["emotion"] == "angry"
    assert case["complaint"]["location"] == "生鲜区称重台"
    assert case["complaint"]["demands"] == "全额退款并补偿同价值商品"
    assert case["complaint"]["subjects"] == [{"kind": "product", "ref": "6901234567890", "name": "草莓 500g"}]
    assert commit_count(archive) == commits + 1
    assert not drafts.draft_path(archive).exists()


def test_an_interrupted_intake_is_kept_and_resumed(archive):
    commits = commit_count(archive)
    term = Terminal(archive, "--at", "2026-11-23T16:10")
    for prompt, text in STORY[:5]:
        term.answer(prompt, text)
    term.expect("Facts")
    os.kill(term.pid, signal.SIGINT)
    assert term.finish() == 130, term.output
    assert "kesu new --resume" in term.output
    assert commit_count(archive) == commits
    kept = drafts.load(archive)
    assert kept["customer"] == {"name": "王女士", "contact": "13800138000"}

    again = Terminal(archive, "--resume", "--at", "2026-11-23T16:12", "--store", "旗舰店")
    for prompt, text in STORY[5:10]:
        again.answer(prompt, text)
    again.answer("Product", "")
    assert again.finish() == 0, again.output
    asked = again.output
    assert "Customer's name" not in asked and "Summary" not in asked and "Store" not in asked
    assert "card number" not in asked  # skipped before the interruption: not asked again
    case = read_case(archive, _case_id(asked))
    assert case["customer"]["name"] == "王女士" and case["complaint"]["summary"] == "草莓霉变"
    assert case["store"] == "旗舰店" and case["complaint"]["emotion"] == "anxious"
    assert not drafts.draft_path(archive).exists()
    assert commit_count(archive) == commits + 1


def test_an_error_at_the_end_keeps_the_draft_and_an_unknown_actor_is_asked_first(archive):
    term = Terminal(archive, "--at", "2026-11-23T16:10", actor="nobody")
    term.answer("your roster name", "someone")
    term.answer("is not one of the choices", "1")
    story = dict(STORY)
    for prompt, text in STORY:
        term.answer(prompt, "2099-01-01T10:00" if prompt == "When" else story[prompt])
    assert term.finish() == 2, term.output
    assert "future" in term.output and "kesu new --resume" in term.output
    assert drafts.load(archive)["complaint"]["summary"] == "草莓霉变"
    resumed = kesu("new", "--resume", "--occurred-at", "2026-11-23T15:15", "--at", "2026-11-23T16:10",
                   "--actor", "zhang.san", cwd=archive)
    assert resumed.returncode == 0, resumed.stderr
    assert read_case(archive, resumed.stdout.strip())["complaint"]["location"] == "生鲜区称重台"


def test_resume_without_a_draft_is_refused(archive):
    result = kesu("new", "--resume", cwd=archive)
    assert result.returncode == 2 and "no interrupted" in result.stderr


def test_flags_without_a_terminal_behave_as_before(archive):
    result = kesu("new", "--channel", "服务台", "--customer", "王", "--contact", "1", "--summary", "s",
                  "--facts", "f", "--emotion", "calm", cwd=archive)
    assert result.returncode == 2 and "--channel" in result.stderr
    assert not drafts.draft_path(archive).exists()


@pytest.mark.parametrize("typed, chosen", [("2", "hotline"), ("HOTLINE", "hotline"), ("热线", "hotline"),
                                           ("12315", "platform_12315"), ("消协", "consumer_association"),
                                           ("0", None), ("10", None), ("counterx", None)])
def test_a_choice_is_picked_by_number_name_label_or_word(typed, chosen):
    choices = Policy.default().vocabulary("channels")
    assert intakeprompt.pick(typed, choices, intakeprompt.choice_labels(choices)) == chosen


def test_a_chinese_desk_lists_each_choice_by_its_one_label(monkeypatch):
    """The choices read as ``show`` shows the code (焦虑, not 焦急), with no English gloss."""
    from kesu import i18n
    from kesu.vocab import label

    monkeypatch.setattr(i18n, "_language", "zh-CN")
    monkeypatch.setattr(i18n, "_translation", i18n.translation_for("zh-CN"))
    policy = Policy.default()
    said, answers = [], iter(["焦虑"])
    picked = intakeprompt.Prompter(policy, lambda question, default: next(answers), said.append).choose(
        "emotion", "emotions", "calm")
    assert picked == "anxious"
    listed = [line for line in said if re.match(r"\s+\d+\. ", line)]
    assert [line.split("— ")[1] for line in listed] == [label(e, "zh-CN") for e in policy.vocabulary("emotions")]
    assert "   2. anxious  — 焦虑" in said and not any(re.search("[A-Za-z]{3,}", line.split("— ")[1]) for line in listed)


def test_every_prompt_text_is_in_one_table():
    source = Path(intakeprompt.__file__).read_text(encoding="utf-8")
    for key in intakeprompt.ORDER:
        assert key in intakeprompt.TEXT
    # questions are asked by key, never spelt out where they are asked
    assert "ask(\"" not in source and "say(\"" not in source
