"""Where alerts go: e-mail, the WeCom, DingTalk and Feishu/Lark group robots, a JSON webhook.

kesu.yaml says which channels there are (``alerts.channels``); every secret
(a robot's URL with its token, a signing secret, the SMTP login) is named
there only by the environment variable that holds it, so the archive, which
every desk clones, never holds one. Each message has a time limit and is
tried again with growing pauses; an error never quotes a URL (it holds the
token).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from typing import Callable, Mapping
from urllib.parse import quote_plus

from kesu.alerts import messages
from kesu.alerts.plan import Recipient
from kesu.i18n import _

#: kind -> keys it needs, keys it may have (besides name, kind, timeout, retries)
KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "email": (("host", "from"), ("port", "security", "user_env", "password_env")),
    "wecom": (("url_env",), ()),
    "dingtalk": (("url_env",), ("secret_env",)),
    "feishu": (("url_env",), ("secret_env",)),
    "lark": (("url_env",), ("secret_env",)),
    "webhook": (("url_env",), ()),
}
COMMON = ("name", "kind", "timeout", "retries")
SECURITY_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRIES = 2
#: Seconds before the first retry; each further one waits twice as long.
BACKOFF = 1.0
#: A WeCom markdown message may hold 4096 bytes.
WECOM_LIMIT = 4096
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class DeliveryError(Exception):
    """A message did not get through; ``retry`` says whether trying again may help."""

    def __init__(self, message: str, retry: bool = True):
        super().__init__(message)
        self.retry = retry


def channel_id(spec: dict) -> str:
    return str(spec.get("name") or spec.get("kind"))


def spec_problems(alerts) -> list[tuple[tuple, str]]:
    """Every problem in kesu.yaml's ``alerts`` section, as (key path, message)."""
    if alerts is None:
        return []
    if not isinstance(alerts, dict):
        return [(("alerts",), _("alerts must be a mapping with a list of channels"))]
    problems: list[tuple[tuple, str]] = []
    channels = alerts.get("channels") or []
    if not isinstance(channels, list):
        return [(("alerts", "channels"), _("alerts.channels must be a list"))]
    seen: set[str] = set()
    for i, spec in enumerate(channels):
        where = ("alerts", "channels", i)
        if not isinstance(spec, dict) or spec.get("kind") not in KINDS:
            kind = spec.get("kind") if isinstance(spec, dict) else spec
            problems.append((where, _("unknown alert channel kind {kind!r} (use {kinds})").format(
                kind=kind, kinds=", ".join(KINDS))))
            continue
        start = len(problems)
        needed, optional = KINDS[spec["kind"]]
        for key in spec:
            if key in ("url", "secret", "password", "token"):
                problems.append((where + (key,), _("{key} must not be written in kesu.yaml: give "
                                                   "{key}_env, the environment variable that holds it").format(
                    key=key)))
            elif key not in (*COMMON, *needed, *optional):
                problems.append((where + (key,), _("unknown key {key!r} of a {kind} channel").format(
                    key=key, kind=spec["kind"])))
        for key in needed:
            if not spec.get(key):
                problems.append((where, _("the {kind} channel needs {key}").format(kind=spec["kind"], key=key)))
        for key in spec:
            if key.endswith("_env") and not _ENV_NAME.match(str(spec[key])):
                problems.append((where + (key,), _("{key} names an environment variable, not {value!r}").format(
                    key=key, value=spec[key])))
        if spec.get("security", "starttls") not in SECURITY_PORTS:
            problems.append((where + ("security",), _("security is one of {choices}").format(
                choices=", ".join(SECURITY_PORTS))))
        timeout, retries = spec.get("timeout", DEFAULT_TIMEOUT), spec.get("retries", DEFAULT_RETRIES)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 300:
            problems.append((where + ("timeout",), _("timeout is a number of seconds, at most 300")))
        if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= 10:
            problems.append((where + ("retries",), _("retries is a whole number from 0 to 10")))
        if channel_id(spec) in seen:
            problems.append((where + ("name",), _("two alert channels are called {name!r}; give each a "
                                                  "different name").format(name=channel_id(spec))))
        seen.add(channel_id(spec))
        problems[start:] = [(path, _("alert channel {name}: {problem}").format(name=channel_id(spec), problem=message))
                            for path, message in problems[start:]]
    return problems


@dataclass
class Channel:
    id: str
    kind: str
    spec: dict
    #: Secrets and URLs from the environment, by key (url, secret, user, password).
    secrets: dict
    #: Why this channel cannot send at all (a variable not set), else None.
    problem: str | None = None

    @property
    def timeout(self) -> float:
        return float(self.spec.get("timeout", DEFAULT_TIMEOUT))

    @property
    def retries(self) -> int:
        return int(self.spec.get("retries", DEFAULT_RETRIES))

    def reaches(self, recipient: Recipient) -> bool:
        """E-mail goes only to people with an address in the roster; robots post for anyone."""
        return self.kind != "email" or bool(recipient.email)

    def address(self, recipient: Recipient) -> str:
        return f"{self.id} <{recipient.email}>" if self.kind == "email" else self.id

    def send(self, recipient: Recipient, locale: str,
             sleep: Callable[[float], None] | None = None) -> None:
        """Deliver one message, retrying what may pass on a second try; raise DeliveryError."""
        if self.problem:
            raise DeliveryError(self.problem, retry=False)
        attempt = 0
        while True:
            try:
                return SENDERS[self.kind](self, recipient, locale)
            except DeliveryError as exc:
                if not exc.retry or attempt >= self.retries:
                    raise DeliveryError(_("{error} (after {n} tries)").format(error=exc, n=attempt + 1)
                                        if attempt else str(exc),
                                        exc.retry) from None
            (sleep or time.sleep)(BACKOFF * 2 ** attempt)
            attempt += 1


def build(specs: list, environ: Mapping[str, str]) -> list[Channel]:
    """The channels of kesu.yaml, their secrets taken from ``environ``."""
    channels = []
    for spec in specs or []:
        secrets, missing = {}, []
        for key, value in spec.items():
            if key.endswith("_env"):
                if environ.get(str(value)):
                    secrets[key[:-4]] = environ[str(value)]
                else:
                    missing.append(str(value))
        problem = (_("environment variable {names} is not set").format(names=", ".join(missing))
                   if missing else None)
        if not problem and "url" in secrets and not secrets["url"].startswith(("https://", "http://")):
            problem = _("{name} does not hold an http(s) URL").format(name=spec["url_env"])
        channels.append(Channel(channel_id(spec), spec["kind"], spec, secrets, problem))
    return channels


# ------------------------------------------------------------------ senders
def _post(channel: Channel, url: str, body: dict) -> dict | None:
    """POST ``body`` as JSON; the answer's JSON (None when it is not JSON)."""
    import socket
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "kesu-alert"})
    try:
        with urllib.request.urlopen(request, timeout=channel.timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryError(_("HTTP {code} {reason}").format(code=exc.code, reason=exc.reason), retry=exc.code >= 500 or exc.code == 429) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise DeliveryError(_no_answer(channel)) from None
        raise DeliveryError(_("cannot connect: {error}").format(
            error=getattr(reason, "strerror", None) or reason)) from None
    except (socket.timeout, TimeoutError):
        raise DeliveryError(_no_answer(channel)) from None
    except OSError as exc:
        raise DeliveryError(_("cannot connect: {error}").format(error=exc.strerror or exc)) from None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _robot_answer(answer: dict | None, *keys: str) -> None:
    """The robots answer HTTP 200 with an error code in the body (0 is success)."""
    if not isinstance(answer, dict):
        raise DeliveryError(_("the robot's answer is not JSON"))
    code = next((answer[k] for k in keys if k in answer), None)
    if code not in (0, "0"):
        message = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
        raise DeliveryError(_("the robot refused the message: {code} {message}").format(
            code=code, message=message).rstrip())


def _no_answer(channel: Channel) -> str:
    return _("no answer within {seconds} s").format(seconds=f"{channel.timeout:g}")


def _signature(key: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode("ascii")


def send_wecom(channel: Channel, recipient: Recipient, locale: str) -> None:
    content = messages.markdown(recipient, locale).encode("utf-8")
    if len(content) > WECOM_LIMIT:
        content = content[:WECOM_LIMIT - 3].decode("utf-8", "ignore").encode("utf-8") + "…".encode()
    body = {"msgtype": "markdown", "markdown": {"content": content.decode("utf-8")}}
    _robot_answer(_post(channel, channel.secrets["url"], body), "errcode")


def send_dingtalk(channel: Channel, recipient: Recipient, locale: str) -> None:
    url = channel.secrets["url"]
    secret = channel.secrets.get("secret")
    if secret:  # 加签: HMAC-SHA256 of "timestamp\nsecret", keyed by the secret
        stamp = str(int(time.time() * 1000))
        sign = quote_plus(_signature(secret.encode(), f"{stamp}\n{secret}".encode()))
        url += f"{'&' if '?' in url else '?'}timestamp={stamp}&sign={sign}"
    body = {"msgtype": "markdown", "markdown": {"title": messages.title(recipient, locale),
                                                "text": messages.markdown(recipient, locale)}}
    _robot_answer(_post(channel, url, body), "errcode")


def send_feishu(channel: Channel, recipient: Recipient, locale: str) -> None:
    body: dict = {"msg_type": "text", "content": {"text": messages.text(recipient, locale)}}
    secret = channel.secrets.get("secret")
    if secret:  # 签名校验: HMAC-SHA256 keyed by "timestamp\nsecret" over nothing
        stamp = str(int(time.time()))
        body = {"timestamp": stamp, "sign": _signature(f"{stamp}\n{secret}".encode(), b""), **body}
    _robot_answer(_post(channel, channel.secrets["url"], body), "code", "StatusCode")


def send_webhook(channel: Channel, recipient: Recipient, locale: str) -> None:
    _post(channel, channel.secrets["url"], messages.payload(recipient, locale))


def send_email(channel: Channel, recipient: Recipient, locale: str) -> None:
    import smtplib
    import ssl
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    spec = channel.spec
    security = spec.get("security", "starttls")
    port = int(spec.get("port") or SECURITY_PORTS[security])
    message = EmailMessage()
    message["Subject"] = messages.title(recipient, locale)
    message["From"] = spec["from"]
    message["To"] = recipient.email
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid("kesu")
    message.set_content(messages.text(recipient, locale))
    try:
        if security == "ssl":
            server = smtplib.SMTP_SSL(spec["host"], port, timeout=channel.timeout,
                                      context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(spec["host"], port, timeout=channel.timeout)
        with server:
            if security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if channel.secrets.get("user"):
                server.login(channel.secrets["user"], channel.secrets.get("password", ""))
            server.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(_("the mail server refused the login: {code}").format(code=exc.smtp_code),
                            retry=False) from None
    except smtplib.SMTPRecipientsRefused:
        raise DeliveryError(_("the mail server refused {address}").format(address=recipient.email),
                            retry=False) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(_("the mail server answered {code}").format(code=exc.smtp_code),
                            retry=exc.smtp_code >= 400 and exc.smtp_code < 500) from None
    except ssl.SSLError as exc:
        raise DeliveryError(_("TLS with the mail server failed: {error}").format(error=exc.reason or exc),
                            retry=False) from None
    except (TimeoutError, smtplib.SMTPServerDisconnected) as exc:
        raise DeliveryError(_("no answer from the mail server within {seconds} s").format(
            seconds=f"{channel.timeout:g}") if isinstance(exc, TimeoutError)
            else _("the mail server hung up")) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(_("cannot reach the mail server: {error}").format(
            error=getattr(exc, "strerror", None) or exc)) from None


SENDERS = {"email": send_email, "wecom": send_wecom, "dingtalk": send_dingtalk,
           "feishu": send_feishu, "lark": send_feishu, "webhook": send_webhook}
