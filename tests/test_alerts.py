"""kesu alert against stand-ins on 127.0.0.1: a real SMTP server (aiosmtpd, with
STARTTLS and a login) and an HTTP server answering as each chat platform does,
checking its documented payload and signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from conftest import git, kesu, new_case

aiosmtpd = pytest.importorskip("aiosmtpd")

DING_SECRET = "SEC0123456789abcdef"
FEISHU_SECRET = "feishu-secret-42"
ROSTER = """roster:
  zhang.san: {name: 张三, role: front_desk, store: SH01, email: zhang.san@example.com}
  li.ming:   {name: 李明, role: supervisor, store: SH01, email: li.ming@example.com}
  chen.jing: {name: 陈静, role: supervisor, store: BJ01, email: chen.jing@example.com}
  wang.fang: {name: 王芳, role: operations, email: wang.fang@example.com}
  sun.li:    {name: 孙丽, role: operations, store: BJ01}
  zhao.lei:  {name: 赵磊, role: legal}
"""


# ------------------------------------------------------------------ the stand-ins
class Platforms:
    """One HTTP server for every platform: /wecom, /dingtalk, /feishu, /hook.

    Each answers as the platform does (an error code in a 200 answer when the
    payload or signature is wrong). ``script[path]`` lists what to do with the
    next requests: "ok", "fail" (HTTP 500) or "hang" (no answer)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: dict[str, list[str]] = {}
        self.release = threading.Event()
        platforms = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                url = urlparse(self.path)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
                plan = platforms.script.get(url.path) or ["ok"]
                what = plan.pop(0) if len(plan) > 1 else plan[0]
                platforms.requests.append({"path": url.path, "query": parse_qs(url.query),
                                           "raw_query": url.query, "body": body, "what": what})
                if what == "hang":
                    platforms.release.wait(30)
                    return
                if what == "fail":
                    self._answer(500, {"error": "down for maintenance"})
                    return
                self._answer(200, CHECKS[url.path](url, body))

            def _answer(self, status, data):
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def on(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path and r["what"] == "ok"]

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def check_wecom(url, body) -> dict:
    """WeCom group robot: POST {"msgtype":"markdown","markdown":{"content":...}} to ?key=."""
    if parse_qs(url.query).get("key") != ["wecom-key"]:
        return {"errcode": 93000, "errmsg": "invalid webhook url"}
    if body.get("msgtype") != "markdown" or not isinstance(body.get("markdown", {}).get("content"), str):
        return {"errcode": 40008, "errmsg": "invalid message type"}
    if len(body["markdown"]["content"].encode("utf-8")) > 4096:
        return {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
    return {"errcode": 0, "errmsg": "ok"}


def dingtalk_sign(timestamp: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def check_dingtalk(url, body) -> dict:
    """DingTalk robot: access_token, and timestamp (ms) & sign = urlencoded
    base64(HMAC-SHA256(key=secret, msg=timestamp+"\\n"+secret)) in the query."""
    query = parse_qs(url.query)
    if query.get("access_token") != ["ding-token"]:
        return {"errcode": 300001, "errmsg": "token is not exist"}
    stamp = query.get("timestamp", [""])[0]
    if not stamp.isdigit() or abs(int(stamp) / 1000 - time.time()) > 3600:
        return {"errcode": 310000, "errmsg": "invalid timestamp"}
    if query.get("sign") != [dingtalk_sign(stamp, DING_SECRET)]:
        return {"errcode": 310000, "errmsg": "sign not match"}
    markdown = body.get("markdown") or {}
    if body.get("msgtype") != "markdown" or not markdown.get("title") or not markdown.get("text"):
        return {"errcode": 40035, "errmsg": "缺少参数 markdown"}
    return {"errcode": 0, "errmsg": "ok"}


def feishu_sign(timestamp: str, secret: str) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def check_feishu(url, body) -> dict:
    """Feishu/Lark custom bot: timestamp (s) and sign = base64(HMAC-SHA256(key=
    timestamp+"\\n"+secret, msg="")) in the JSON body."""
    stamp = str(body.get("timestamp", ""))
    if not stamp.isdigit() or abs(int(stamp) - time.time()) > 3600:
        return {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}
    if body.get("sign") != feishu_sign(stamp, FEISHU_SECRET):
        return {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}
    if body.get("msg_type") != "text" or not (body.get("content") or {}).get("text"):
        return {"code": 9499, "msg": "Bad Request"}
    return {"code": 0, "msg": "success", "data": {}}


CHECKS = {"/wecom": check_wecom, "/dingtalk": check_dingtalk, "/feishu": check_feishu,
          "/hook": lambda url, body: {}}


@pytest.fixture
def platforms():
    server = Platforms()
    yield server
    server.close()


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    """A certificate for 127.0.0.1, trusted through SSL_CERT_FILE."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


class Mailbox:
    def __init__(self):
        self.messages = []
        self.logins = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(tls_files, monkeypatch):
    """An SMTP server on 127.0.0.1 that needs STARTTLS and a login."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    cert, key = tls_files
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mailbox = Mailbox()

    def authenticator(server, session, envelope, mechanism, auth_data):
        mailbox.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"desk", b"s3cret"))

    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port(), tls_context=context,
                            require_starttls=True, authenticator=authenticator, auth_require_tls=True)
    controller.start()
    mailbox.port = controller.port
    yield mailbox
    controller.stop()


# ------------------------------------------------------------------ the archive
def configure(root: Path, channels: str) -> None:
    """A roster with stores and e-mail addresses, and the alert channels, committed."""
    text = (root / "kesu.yaml").read_text(encoding="utf-8")
    start, end = text.index("roster:"), text.index("vocabularies:")
    text = text[:start] + ROSTER + "\n" + text[end:] + "\nalerts:\n  channels:\n" + channels
    (root / "kesu.yaml").write_text(text, encoding="utf-8")
    git(root, "commit", "-qam", "alert channels")


def dispatched(root: Path, owner: str = "zhang.san", risk: str = "medium", store: str = "SH01") -> str:
    """A case taken in on Monday 16:10, dispatched at 16:40: its plan timer (4 business
    hours) turns yellow at 19:04 and red on Tuesday at 10:40."""
    case = new_case(root, "--store", store, "--channel", "hotline")
    for step in (["ack", case, "--method", "phone", "--at", "2026-11-23T16:20"],
                 ["dispatch", case, "--category", "product", "--severity", "general", "--risk", risk,
                  "--owner", owner, "--at", "2026-11-23T16:40", "--force", "--reason", "test"]
                 if risk == "high" and owner == "zhang.san" else
                 ["dispatch", case, "--category", "product", "--severity", "general", "--risk", risk,
                  "--owner", owner, "--at", "2026-11-23T16:40"]):
        result = kesu(*step, "--actor", "li.ming", cwd=root)
        assert result.returncode == 0, result.stderr
    return case


EMAIL = """    - {{kind: email, host: 127.0.0.1, port: {port}, security: starttls, from: desk@example.com,
       user_env: KESU_SMTP_USER, password_env: KESU_SMTP_PASSWORD, timeout: 5, retries: 0}}
"""
HOOK = "    - {kind: webhook, url_env: KESU_HOOK_URL, timeout: 0.5, retries: 0}\n"


@pytest.fixture
def env(platforms, monkeypatch):
    values = {"KESU_HOOK_URL": f"{platforms.base}/hook", "KESU_WECOM_URL": f"{platforms.base}/wecom?key=wecom-key",
              "KESU_DING_URL": f"{platforms.base}/dingtalk?access_token=ding-token",
              "KESU_DING_SECRET": DING_SECRET, "KESU_FEISHU_URL": f"{platforms.base}/feishu",
              "KESU_FEISHU_SECRET": FEISHU_SECRET, "KESU_SMTP_USER": "desk", "KESU_SMTP_PASSWORD": "s3cret"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def hook_messages(platforms) -> list[tuple[str, list[tuple[str, str, str]]]]:
    return [(r["body"]["recipient"], [(c["id"], c["light"], c["timer"]) for c in r["body"]["cases"]])
            for r in platforms.on("/hook")]


def mails(smtp) -> list[tuple[str, str]]:
    return [(to[0], message["Subject"]) for to, message in smtp.messages]


# ------------------------------------------------------------------ tests
def test_green_yellow_red_sends_one_message_per_recipient_per_change(archive, platforms, smtp, env):
    configure(archive, HOOK + EMAIL.format(port=smtp.port))
    case = dispatched(archive)
    run = lambda now: kesu("alert", "--now", now, cwd=archive)

    green = run("2026-11-23T17:00")
    assert green.returncode == 0, green.stderr
    assert "alert: 0 messages sent" in green.stdout
    assert platforms.requests == [] and smtp.messages == []

    yellow = run("2026-11-23T19:30")
    assert yellow.returncode == 0, yellow.stderr
    assert hook_messages(platforms) == [("zhang.san", [(case, "yellow", "plan")])]
    assert [to for to, _ in mails(smtp)] == ["zhang.san@example.com"]
    assert "sent to zhang.san via webhook" in yellow.stdout

    again = run("2026-11-23T19:50")
    assert again.returncode == 0 and "alert: 0 messages sent" in again.stdout
    assert len(platforms.requests) == 1 and len(smtp.messages) == 1

    red = run("2026-11-24T11:00")
    assert red.returncode == 0, red.stderr
    # the owner and the owner's superior in the same store (li.ming, not chen.jing of BJ01)
    assert hook_messages(platforms)[1:] == [("li.ming", [(case, "red", "plan")]),
                                            ("zhang.san", [(case, "red", "plan")])]
    assert sorted(to for to, _ in mails(smtp)[1:]) == ["li.ming@example.com", "zhang.san@example.com"]

    after = run("2026-11-24T12:00")
    assert after.returncode == 0 and "alert: 0 messages sent" in after.stdout
    assert len(platforms.requests) == 3 and len(smtp.messages) == 3
    assert smtp.logins == [(b"desk", b"s3cret")] * 3


def test_one_message_groups_a_recipients_cases(archive, platforms, env):
    configure(archive, HOOK)
    first, second = dispatched(archive), dispatched(archive)
    result = kesu("alert", "--now", "2026-11-23T19:30", cwd=archive)
    assert result.returncode == 0, result.stderr
    [(recipient, cases)] = hook_messages(platforms)
    assert recipient == "zhang.san"
    assert sorted(cases) == sorted([(first, "yellow", "plan"), (second, "yellow", "plan")])


def test_red_on_a_high_risk_case_tells_operations_of_its_store(archive, platforms, env):
    configure(archive, HOOK)
    case = dispatched(archive, owner="zhao.lei", risk="high", store="BJ01")
    result = kesu("alert", "--now", "2026-11-24T11:00", cwd=archive)
    assert result.returncode == 0, result.stderr
    # zhao.lei (legal) has nobody above; operations of BJ01 is sun.li, not the chain's wang.fang
    assert [r for r, _ in hook_messages(platforms)] == ["sun.li", "zhao.lei"]
    why = {r["body"]["recipient"]: r["body"]["cases"][0]["why"] for r in platforms.on("/hook")}
    assert why == {"sun.li": "high_risk", "zhao.lei": "owner"}
    assert case in hook_messages(platforms)[0][1][0]


def test_each_platform_gets_its_documented_payload_and_signature(archive, platforms, env):
    configure(archive, "    - {kind: wecom, url_env: KESU_WECOM_URL}\n"
                       "    - {kind: dingtalk, url_env: KESU_DING_URL, secret_env: KESU_DING_SECRET}\n"
                       "    - {kind: feishu, url_env: KESU_FEISHU_URL, secret_env: KESU_FEISHU_SECRET}\n")
    case = dispatched(archive)
    result = kesu("alert", "--now", "2026-11-23T19:30", cwd=archive)
    assert result.returncode == 0, result.stderr
    for path in ("/wecom", "/dingtalk", "/feishu"):
        [request] = platforms.on(path)
        text = json.dumps(request["body"], ensure_ascii=False)
        assert case in text and "黄灯" in text and "出方案" in text and "2026-11-24 10:40" in text
        assert "王女士" not in text and "13800138000" not in text
    ding = platforms.on("/dingtalk")[0]
    stamp = ding["query"]["timestamp"][0]
    assert len(stamp) == 13  # milliseconds
    raw_sign = ding["raw_query"].split("sign=")[1]
    assert unquote(raw_sign) == dingtalk_sign(stamp, DING_SECRET)
    feishu = platforms.on("/feishu")[0]["body"]
    assert len(feishu["timestamp"]) == 10 and feishu["sign"] == feishu_sign(feishu["timestamp"], FEISHU_SECRET)
    assert DING_SECRET not in json.dumps(platforms.requests) and FEISHU_SECRET not in json.dumps(platforms.requests)


def test_a_wrong_signature_is_a_failure_named_on_stderr(archive, platforms, env, monkeypatch):
    configure(archive, "    - {kind: dingtalk, url_env: KESU_DING_URL, secret_env: KESU_DING_SECRET, retries: 0}\n"
                       + HOOK)
    dispatched(archive)
    monkeypatch.setenv("KESU_DING_SECRET", "not-the-secret")
    result = kesu("alert", "--now", "2026-11-23T19:30", cwd=archive)
    assert result.returncode == 1
    assert "alert to zhang.san via dingtalk failed: the robot refused the message: 310000 sign not match" in result.stderr
    assert "ding-token" not in result.stderr + result.stdout
    assert len(platforms.on("/hook")) == 1


def test_a_channel_that_fails_is_tried_again_next_run_and_nothing_is_sent_twice(archive, platforms, smtp, env):
    configure(archive, HOOK + EMAIL.format(port=smtp.port))
    case = dispatched(archive)
    platforms.script["/hook"] = ["fail", "ok"]
    first = kesu("alert", "--now", "2026-11-23T19:30", cwd=archive)
    assert first.returncode == 1
    assert ("kesu: alert to zhang.san via webhook failed: HTTP 500 Internal Server Error; "
            "it is tried again on the next run") in first.stderr
    assert "alert: 1 message sent, 1 failed" in first.stdout
    assert len(smtp.messages) == 1  # the other channel went on

    second = kesu("alert", "--now", "2026-11-23T19:45", cwd=archive)
    assert second.returncode == 0, second.stderr
    assert hook_messages(platforms) == [("zhang.san", [(case, "yellow", "plan")])]
    assert len(smtp.messages) == 1

    third = kesu("alert", "--now", "2026-11-23T19:50", cwd=archive)
    assert third.returncode == 0 and "alert: 0 messages sent" in third.stdout
    assert len(platforms.requests) == 2 and len(smtp.messages) == 1


def test_retries_within_a_run_wait_longer_each_time(archive, platforms, env, monkeypatch):
    from kesu.alerts import channels

    waits = []
    monkeypatch.setattr(channels.time, "sleep", waits.append)
    configure(archive, "    - {kind: webhook, url_env: KESU_HOOK_URL, retries: 3}\n")
    dispatched(archive)
    platforms.script["/hook"] = ["fail", "fail", "ok"]
    result = kesu("alert", "--now", "2026-11-23T19:30", cwd=archive)
    assert result.returncode == 0, result.stderr
    assert [r["what"] for r in platforms.requests] == ["fail", "fail", "ok"]
    assert waits == [channels.BACKOFF, 2 * channels.BACKOFF]


def test_a_channel_that_hangs_times_out_and_the_others_go_on(archive, platforms, smtp, env):
    configure(archive, HOOK + EMAIL.format(port=smtp.port))
    dispatched(archive)
    platforms.script["/hook"] = ["hang"]
    result = kesu("alert", "--now", "2026-11-24T11:00", cwd=archive)
    assert result.returncode == 1
    # the second recipient is not tried on a channel that just hung
    assert "alert to li.ming via webhook failed: no answer within 0.5 s" in result.stderr
    assert "alert to zhang.san via webhook failed: not tried: no answer within 0.5 s" in result.stderr
    assert len([r for r in platforms.requests]) == 1
    assert sorted(to for to, _ in mails(smtp)) == ["li.ming@example.com", "zhang.san@example.com"]


def test_a_missing_secret_fails_its_channel_only(archive, platforms, env, monkeypatch):
    configure(archive, "    - {kind: wecom, url_env: KESU_WECOM_URL}\n" + HOOK)
    dispatched(archive)
    monkeypatch.delenv("KESU_WECOM_URL")
    result = kesu("alert", "--now", "2026-11-23T19:30", cwd=archive)
    assert result.returncode == 1
    assert "alert to zhang.san via wecom failed: environment variable KESU_WECOM_URL is not set" in result.stderr
    assert len(platforms.on("/hook")) == 1


def test_dry_run_prints_the_messages_and_sends_nothing(archive, platforms, env):
    configure(archive, HOOK)
    case = dispatched(archive)
    before = git(archive, "for-each-ref")
    result = kesu("alert", "--dry-run", "--now", "2026-11-24T11:00", cwd=archive)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:6] == [
        "--- to li.ming via webhook",
        "客诉预警：1 个客诉亮灯",
        "",
        "李明（li.ming），以下客诉需要您处理：",
        "",
        f"🔴 红灯 {case}｜SH01｜草莓霉变（您是负责人的上级）",
    ]
    assert "   - 出方案：应于 2026-11-24 10:40 前完成，已超时 20 分钟（营业时间）" in result.stdout
    assert platforms.requests == [] and git(archive, "for-each-ref") == before
    as_json = json.loads(kesu("alert", "--dry-run", "--format", "json", "--now", "2026-11-24T11:00",
                              cwd=archive).stdout)
    assert [(m["recipient"], m["cases"][0]["id"], m["cases"][0]["light"], m["cases"][0]["timer"])
            for m in as_json["messages"]] == [("li.ming", case, "red", "plan"), ("zhang.san", case, "red", "plan")]


def test_messages_in_english_mask_the_customer(archive, platforms, env):
    configure(archive, HOOK)
    text = (archive / "kesu.yaml").read_text(encoding="utf-8").replace("locale: zh-CN", "locale: en")
    (archive / "kesu.yaml").write_text(text, encoding="utf-8")
    git(archive, "commit", "-qam", "English")
    case = new_case(archive, "--store", "SH01", "--channel", "hotline", "--summary", "王女士 13800138000 草莓霉变")
    result = kesu("alert", "--now", "2026-11-23T16:45", cwd=archive)
    assert result.returncode == 0, result.stderr
    # not dispatched yet: whoever took it in owns it, and their superior hears of the red light
    assert [r["body"]["recipient"] for r in platforms.on("/hook")] == ["li.ming", "zhang.san"]
    request = platforms.on("/hook")[1]
    [item] = [c for c in request["body"]["cases"] if c["timer"] == "acknowledge"]
    assert item["summary"] == "王** 138****8000 草莓霉变"
    assert item["late"] == "5 min business late" and item["id"] == case
    assert request["body"]["text"].startswith("Complaint alert: 1 case(s)")
    assert "🔴 RED " + case + " | SH01 | 王** 138****8000 草莓霉变 (you own it)" in request["body"]["text"]


@pytest.mark.parametrize("channel, message", [
    ("{kind: webhook, url: 'https://example.com/?token=x'}",
     "alert channel webhook: url must not be written in kesu.yaml: give url_env, the environment "
     "variable that holds it"),
    ("{kind: pager, url_env: X}", "alerts/channels/0/kind: 'pager' is not one of: email, wecom"),
    ("{kind: email, host: smtp.example.com}", "alert channel email: the email channel needs from"),
])
def test_secrets_never_come_from_the_archive(archive, channel, message):
    configure(archive, f"    - {channel}\n")
    result = kesu("alert", "--now", "2026-11-23T19:30", cwd=archive)
    assert result.returncode == 2
    # every command refuses a kesu.yaml it cannot use, at the line of the channel
    assert result.stderr.startswith("kesu.yaml:") and message in result.stderr
    validate = kesu("validate", cwd=archive)
    assert validate.returncode == 1 and message in validate.stdout


def test_without_channels_alert_says_where_to_set_them(archive):
    result = kesu("alert", cwd=archive)
    assert result.returncode == 2
    assert "kesu.yaml has no alerts.channels" in result.stderr


def test_text_from_case_files_is_inert_in_every_message(archive, platforms, env):
    configure(archive, HOOK + "    - {kind: wecom, url_env: KESU_WECOM_URL}\n")
    hostile = "\x1b]0;pwned\x07草莓\n🔴 红灯 KS-20261123-FAKE00 <script>alert(1)</script>"
    new_case(archive, "--store", "SH01", "--channel", "hotline", "--summary", hostile)
    dry = kesu("alert", "--dry-run", "--now", "2026-11-23T16:45", cwd=archive)
    assert dry.returncode == 0, dry.stderr
    assert "\x1b" not in dry.stdout and "\\x1b]0;pwned\\x07草莓 🔴 红灯 KS-20261123-FAKE00" in dry.stdout
    assert not any(line.startswith("🔴 红灯 KS-20261123-FAKE00") for line in dry.stdout.splitlines())
    assert kesu("alert", "--now", "2026-11-23T16:45", cwd=archive).returncode == 0
    content = platforms.on("/wecom")[0]["body"]["markdown"]["content"]
    assert "<script>" not in content and "&lt;script&gt;" in content


def test_json_says_what_was_sent_and_what_failed(archive, platforms, env, monkeypatch):
    configure(archive, HOOK + "    - {kind: wecom, url_env: KESU_WECOM_URL, retries: 0}\n")
    case = dispatched(archive)
    monkeypatch.setenv("KESU_WECOM_URL", f"{platforms.base}/wecom?key=wrong")
    result = kesu("alert", "--format", "json", "--now", "2026-11-23T19:30", cwd=archive)
    assert result.returncode == 1
    assert json.loads(result.stdout)["messages"] == [
        {"recipient": "zhang.san", "channel": "webhook", "sent": True, "error": None, "cases": [case]},
        {"recipient": "zhang.san", "channel": "wecom", "sent": False,
         "error": "the robot refused the message: 93000 invalid webhook url", "cases": [case]}]
    assert "alert: 1 message sent, 1 failed" in result.stderr
