"""A fake of the Twilio REST API (Messages resource) and of Twilio's webhooks, for tests.

The real ``twilio`` SDK (9.x) talks to it over HTTP on 127.0.0.1; nothing is mocked inside the
SDK. Standard library only (``http.server``); the ``twilio`` package is imported lazily, only to
sign webhooks with the SDK's own ``RequestValidator`` and for the :meth:`FakeTwilio.client`
convenience.

Pointing the SDK at another base URL (verified against twilio 9.13 source)
--------------------------------------------------------------------------
``Client.messages`` is ``client.api.account.messages``; ``client.api`` is a ``Domain`` whose
``base_url`` attribute (``"https://api.twilio.com"``) is joined with ``/2010-04-01/Accounts/
{AccountSid}/Messages.json``. ``ClientBase.get_hostname`` then rewrites the host name only when
``client.edge`` / ``client.region`` are set (they are read from ``TWILIO_EDGE`` /
``TWILIO_REGION`` in the environment), which would mangle ``127.0.0.1``. The HTTP timeout is the
``TwilioHttpClient(timeout=...)`` float, passed to ``requests`` as both the connect and the read
timeout (default ``None`` = wait forever)::

    from twilio.rest import Client
    from twilio.http.http_client import TwilioHttpClient

    http_client = TwilioHttpClient(timeout=10.0)       # seconds; must be > 0
    client = Client(account_sid, auth_token, http_client=http_client)
    if api_url:                                        # TWILIO_API_URL, e.g. http://127.0.0.1:8765
        client.api.base_url = api_url.rstrip("/")
        client.edge = None                             # never rewrite the host name
        client.region = None
    message = client.messages.create(to="+6281...", from_="+1...",   # or messaging_service_sid="MG..."
                                     body="...", status_callback=public_base_url + "/sms/twilio/status")
    # reconciliation after an ambiguous failure:
    client.messages(message_sid).fetch()               # GET .../Messages/{Sid}.json
    client.messages.list(to="+6281...", date_sent_after=dt, limit=20)

``make_twilio_client()`` below is exactly this recipe. ``TwilioHttpClient`` mounts its pooled
adapter only for ``https://``; over ``http://`` requests' default pool (10 connections per host)
is used, which only matters (a "Connection pool is full" warning) when one client is shared by
more than 10 threads.

What the SDK raises (asserted in ``test_twilio_server.py``)
-----------------------------------------------------------
* any non-2xx create answer -> ``twilio.base.exceptions.TwilioRestException`` with ``.status``
  (HTTP status), ``.code`` (the JSON ``code``; the HTTP status when the body is not JSON),
  ``.msg`` (``"Unable to create record: <message>"``), ``.method`` ``"POST"``, ``.uri``
  (``"/Accounts/{AccountSid}/Messages.json"``). The response headers (``Retry-After``) are NOT
  on the exception; they are readable on ``client.http_client._test_only_last_response.headers``
  or through ``TwilioHttpClient(request_hooks={"response": hook})``.
* a reset / dropped connection -> ``requests.exceptions.ConnectionError`` (never retried by the
  SDK; ``TwilioHttpClient`` has no retries unless ``max_retries`` is given).
* no answer within the timeout -> ``requests.exceptions.ReadTimeout`` (a
  ``requests.exceptions.Timeout``, not a ``ConnectionError``).

Using it
--------
In process (pytest)::

    from tests.fakes.twilio_server import Fault, fake_twilio   # noqa: F401  (the fixture)

    def test_x(fake_twilio):
        fake_twilio.script(Fault.timeout(1.0), Fault.ok())      # next two creates
        settings = {"TWILIO_API_URL": fake_twilio.base_url,
                    "TWILIO_ACCOUNT_SID": fake_twilio.account_sid,
                    "TWILIO_AUTH_TOKEN": fake_twilio.auth_token}
        ...
        assert [c.to for c in fake_twilio.creates] == ["+6281345678901"]
        fake_twilio.send_status_callback(sid, "delivered")

or ``with FakeTwilio() as fake: ...``. Celery workers in other processes simply use
``fake.base_url``; everything they do is recorded in the test process.

As a separate process::

    python -m tests.fakes.twilio_server --port 0 --state-file /tmp/twilio.json
    # prints "FAKE_TWILIO_URL=http://127.0.0.1:PORT" once listening; SIGTERM/SIGINT stops it.

``spawn_fake_twilio_process()`` does that and returns ``(process, FakeTwilioRemote)``; the
remote object drives the same state through the JSON control endpoints under ``/_fake/``
(``GET /_fake/state``, ``POST /_fake/script``, ``/_fake/reset``, ``/_fake/status_callback``,
``/_fake/inbound``, ``/_fake/message_status``, ``/_fake/auto_callbacks``, ``/_fake/block``,
``/_fake/default``). The state file is rewritten (atomically) after every change.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import datetime as dt
import email.utils
import json
import math
import os
import re
import secrets
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit

DEFAULT_ACCOUNT_SID = "AC" + "0" * 31 + "1"
DEFAULT_AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
#: the number a Messaging Service "assigns" to messages created with MessagingServiceSid only
DEFAULT_SERVICE_SENDER = "+15005550006"
API_VERSION = "2010-04-01"

#: Twilio error codes -> (HTTP status of the REST answer, message template)
ERRORS: dict[int, tuple[int, str]] = {
    20003: (401, "Authenticate"),
    20404: (404, "The requested resource {path} was not found"),
    20429: (429, "Too Many Requests"),
    20500: (500, "An internal server error has occurred"),
    21211: (400, "The 'To' number {to} is not a valid phone number."),
    21408: (400, "Permission to send an SMS has not been enabled for the region indicated by "
                 "the 'To' number: {to}."),
    21602: (400, "Message body is required."),
    21603: (400, "A 'From' phone number is required."),
    21604: (400, "A 'To' phone number is required."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21612: (400, "The 'To' phone number: {to}, is not currently reachable using the 'From' "
                 "phone number: {from_} via SMS."),
    21614: (400, "'To' number is not a valid mobile number"),
    21617: (400, "The concatenated message body exceeds the 1600 character limit."),
    30003: (400, "Unreachable destination handset"),
    30004: (400, "Message blocked"),
    30005: (400, "Unknown destination handset"),
    30006: (400, "Landline or unreachable carrier"),
    30007: (400, "Message filtered"),
    30008: (400, "Unknown error"),
    21655: (400, "The ContentSid is Invalid."),
    63003: (400, "Channel could not find To address"),
    63007: (400, "Twilio could not find a Channel with the specified From address"),
    63016: (400, "Failed to send freeform message because you are outside the allowed window. If you want "
                 "to send a message outside this window, you need to use a pre-approved template."),
    63024: (400, "Invalid message recipient"),
}
WHATSAPP = "whatsapp:"
#: WhatsApp's customer-service window: free-form messages only within 24 h of the user's last message
WHATSAPP_WINDOW_SECONDS = 24 * 3600

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_STATUS_RANK = {"accepted": 0, "scheduled": 0, "queued": 1, "sending": 2, "sent": 3,
                "delivered": 4, "undelivered": 4, "failed": 4, "read": 5, "canceled": 4}
_FINAL_ERROR_STATUSES = {"failed", "undelivered"}

# GSM 03.38 default alphabet and extension table (extension characters cost two septets)
_GSM_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
                 "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM_EXT = set("^{}\\[~]|€\f")


def sms_segments(body: str) -> tuple[str, int]:
    """(encoding, segments) the way Twilio counts them: GSM-7 160/153, UCS-2 70/67."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXT for ch in body):
        septets = sum(2 if ch in _GSM_EXT else 1 for ch in body)
        return "GSM-7", 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(body.encode("utf-16-le")) // 2
    return "UCS-2", 1 if units <= 70 else math.ceil(units / 67)


def _rfc2822(t: float | None = None) -> str:
    return email.utils.format_datetime(
        dt.datetime.fromtimestamp(time.time() if t is None else t, dt.timezone.utc))


class _Defaulting(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _error_body(code: int, status: int | None = None, message: str | None = None,
                **fmt: Any) -> tuple[int, dict]:
    default_status, template = ERRORS.get(code, (400, "Error {code}"))
    status = status or default_status
    if message is None:
        message = template.format_map(_Defaulting(code=code, **fmt))
    body = {"code": code, "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}
    if code == 20003:
        body["detail"] = "Your AccountSid or AuthToken was incorrect."
    return status, body


# --------------------------------------------------------------------------------------------
# Scripted behaviours
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fault:
    """One scripted behaviour of the fake for one upcoming request.

    Build with the static constructors: ``Fault.ok()``, ``Fault.http_500()``,
    ``Fault.html_502()``, ``Fault.reset()``, ``Fault.drop()``, ``Fault.timeout(seconds)``,
    ``Fault.created_then_reset()``, ``Fault.rate_limited(retry_after)``,
    ``Fault.error(code, status=400, message=None)``. Strings are accepted wherever a Fault is:
    ``"ok"``, ``"http_500"``, ``"timeout:2.5"``, ``"error:21211"``, ``"rate_limited:3"``.
    """

    kind: str
    seconds: float = 0.0            # ok: delay before answering; timeout: how long to stall
    status: int | None = None       # error: HTTP status
    code: int | None = None         # error / http_500: Twilio error code
    message: str | None = None      # error: message text (default from ERRORS)
    retry_after: int | None = None  # rate_limited: Retry-After header
    record: str = "after"           # timeout: record the message "before"/"after" the stall, or "never"
    callbacks: tuple[str, ...] | None = None  # ok: auto status callbacks for this message only
    error_code: int | None = None   # ok: ErrorCode sent with failed/undelivered auto callbacks

    KINDS = ("ok", "http_500", "html_502", "reset", "drop", "timeout", "created_then_reset",
             "rate_limited", "error")

    @staticmethod
    def ok(delay: float = 0.0, callbacks: Iterable[str] | None = None,
           error_code: int | None = None) -> "Fault":
        """201 Created (after ``delay`` seconds). ``callbacks`` overrides the auto callbacks."""
        return Fault("ok", seconds=delay,
                     callbacks=None if callbacks is None else tuple(callbacks),
                     error_code=error_code)

    @staticmethod
    def http_500(code: int = 20500, message: str | None = None) -> "Fault":
        """500 with Twilio's JSON error body; nothing created."""
        return Fault("http_500", status=500, code=code, message=message)

    @staticmethod
    def html_502() -> "Fault":
        """502 with an HTML body (text/html), as a load balancer would answer; nothing created."""
        return Fault("html_502", status=502)

    @staticmethod
    def reset() -> "Fault":
        """Read the request, then close with RST (SO_LINGER 0) without answering; nothing created."""
        return Fault("reset")

    @staticmethod
    def drop() -> "Fault":
        """Read the request, then close cleanly (FIN) without answering; nothing created."""
        return Fault("drop")

    @staticmethod
    def timeout(seconds: float = 3.0, record: str = "after") -> "Fault":
        """Stall ``seconds`` (longer than the client's read timeout), then create the message
        anyway and (try to) answer 201: "Twilio accepted it but the answer was lost".
        ``record="before"`` creates it on arrival instead, ``"never"`` not at all."""
        if record not in ("before", "after", "never"):
            raise ValueError(record)
        return Fault("timeout", seconds=float(seconds), record=record)

    @staticmethod
    def created_then_reset() -> "Fault":
        """Create the message, then close with RST without answering."""
        return Fault("created_then_reset")

    @staticmethod
    def rate_limited(retry_after: int = 1) -> "Fault":
        """429, Twilio code 20429, ``Retry-After`` header; nothing created."""
        return Fault("rate_limited", status=429, code=20429, retry_after=retry_after)

    @staticmethod
    def error(code: int, status: int | None = None, message: str | None = None) -> "Fault":
        """A Twilio API error, e.g. ``Fault.error(21211)`` (400), ``Fault.error(21610)``;
        status defaults to the code's usual HTTP status (400 for 21xxx/30xxx)."""
        return Fault("error", status=status or ERRORS.get(code, (400, ""))[0], code=code,
                     message=message)

    @staticmethod
    def parse(value: "Fault | str | dict") -> "Fault":
        if isinstance(value, Fault):
            return value
        if isinstance(value, dict):
            value = dict(value)
            if value.get("callbacks") is not None:
                value["callbacks"] = tuple(value["callbacks"])
            return Fault(**value)
        name, _, arg = str(value).partition(":")
        if name not in Fault.KINDS:
            raise ValueError(f"unknown fault {value!r}")
        if name == "timeout":
            return Fault.timeout(float(arg)) if arg else Fault.timeout()
        if name == "error":
            return Fault.error(int(arg))
        if name == "rate_limited":
            return Fault.rate_limited(int(arg)) if arg else Fault.rate_limited()
        if name == "ok":
            return Fault.ok(float(arg)) if arg else Fault.ok()
        return getattr(Fault, name)()

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------

@dataclass
class CreateRecord:
    """One POST .../Messages.json that passed authentication.

    ``sid`` is set when (and only when) the fake created the message; ``response_status`` is
    the HTTP status it answered (or tried to answer, late, for ``timeout``), ``None`` when it
    dropped the connection without answering."""

    time: float
    form: dict[str, str]
    form_items: list[tuple[str, str]]
    account_sid: str
    fault: str
    sid: str | None = None
    response_status: int | None = None
    created_time: float | None = None

    @property
    def to(self) -> str | None:
        return self.form.get("To")

    @property
    def from_(self) -> str | None:
        return self.form.get("From")

    @property
    def body(self) -> str | None:
        return self.form.get("Body")

    @property
    def messaging_service_sid(self) -> str | None:
        return self.form.get("MessagingServiceSid")

    @property
    def status_callback(self) -> str | None:
        return self.form.get("StatusCallback")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class WebhookResult:
    """One webhook POST the fake made (status callback or inbound SMS)."""

    kind: str                  # "status" | "inbound"
    url: str                   # where it was POSTed
    signed_url: str            # the URL the signature was computed over
    params: dict[str, str]     # the form actually sent (after any tampering)
    signed_params: dict[str, str]
    headers: dict[str, str]
    signature: str | None      # the X-Twilio-Signature header sent (None: no header)
    status_code: int | None = None
    text: str | None = None
    error: str | None = None
    time: float = 0.0

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class _Message:
    resource: dict[str, Any]
    status_callback: str | None
    created: float


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------

class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 256
    fake: "FakeTwilio"

    def handle_error(self, request, client_address):  # noqa: D401 - quiet on client hang-ups
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, OSError)) or self.fake._stopping.is_set():
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    # Answers go out as two writes (headers, body): without this, Nagle's algorithm makes each
    # one wait for the client's delayed ACK (about 40 ms per request).
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"
    server_version = "FakeTwilio/1.0"
    sys_version = ""
    server: _Server

    def log_message(self, format, *args):  # noqa: A002 - silence the access log
        pass

    def setup(self):
        super().setup()
        self.server.fake._track(self.connection, add=True)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.fake._track(self.connection, add=False)

    def do_GET(self):
        self.server.fake._handle(self)

    do_POST = do_DELETE = do_PUT = do_GET


class _Answered(Exception):
    """Raised inside a handler after the connection was deliberately dropped."""


def _direct_opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def urllib_transport(url: str, params: dict[str, str], headers: dict[str, str],
                     timeout: float = 10.0) -> tuple[int, str]:
    """Default webhook transport: a real HTTP POST (form-encoded)."""
    data = urlencode(params).encode("utf-8")
    req = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with _direct_opener().open(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def flask_test_client_transport(test_client) -> Callable[[str, dict, dict], tuple[int, str]]:
    """Deliver webhooks into a Flask test client instead of over the network. The full URL is
    passed through, so ``request.url`` in the app is exactly the URL that was signed."""
    def send(url: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, str]:
        headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        resp = test_client.post(url, data=params, headers=headers)
        return resp.status_code, resp.get_data(as_text=True)
    return send


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------

class FakeTwilio:
    """Fake Twilio REST API + webhook sender. Thread-safe; start()/stop() or use as a context
    manager. Public state (all read under the lock, returned as copies):

    ``creates``            messages created (CreateRecord, in creation order)
    ``create_attempts``    every authenticated POST .../Messages.json, whatever the outcome
    ``requests``           every HTTP request: dicts (method, path, query, form, auth_ok, status)
    ``webhooks``           WebhookResult of every callback / inbound POST the fake made
    """

    def __init__(self, account_sid: str = DEFAULT_ACCOUNT_SID,
                 auth_token: str = DEFAULT_AUTH_TOKEN, host: str = "127.0.0.1", port: int = 0,
                 *, validate_numbers: bool = True, service_sender: str = DEFAULT_SERVICE_SENDER,
                 state_file: str | None = None,
                 webhook_transport: Callable[[str, dict, dict], tuple[int, str]] | None = None,
                 whatsapp_window_error: str = "create", clock: Callable[[], float] = time.time):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.host = host
        self.port = port
        self.validate_numbers = validate_numbers
        self.service_sender = service_sender
        self.state_file = state_file
        #: callable(url, params, headers) -> (status_code, text); default: real HTTP POST
        self.webhook_transport = webhook_transport
        #: a free-form WhatsApp message outside the window: "create" refuses it with 63016 (a
        #: REST 400), "status" accepts it and reports it failed with 63016 (as WhatsApp does)
        self.whatsapp_window_error = whatsapp_window_error
        #: the fake's clock for the WhatsApp window (seconds since the epoch): tests move it
        self.clock = clock
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._bg: list[threading.Thread] = []
        self._changed = threading.Condition(self._lock)
        self._clear()

    # ---------------------------------------------------------------- lifecycle
    def _clear(self) -> None:
        self._create_attempts: list[CreateRecord] = []
        self._creates: list[CreateRecord] = []
        self._requests: list[dict] = []
        self._webhooks: list[WebhookResult] = []
        self._messages: dict[str, _Message] = {}
        self._queues: dict[str, list[Fault]] = {"create": [], "fetch": []}
        self._defaults: dict[str, Fault] = {"create": Fault.ok(), "fetch": Fault.ok()}
        self._auto: dict | None = None
        self._blocked: dict[str, int] = {}
        # WhatsApp: approved templates (ContentSid -> text with {{1}}…), each number's last
        # inbound WhatsApp message (its 24-hour window), numbers whose WhatsApp path is cut.
        self.whatsapp_templates: dict[str, str] = {}
        self._whatsapp_inbound: dict[str, float] = {}
        self._whatsapp_cut: dict[str, str] = {}

    def start(self) -> "FakeTwilio":
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server((self.host, self.port), _Handler)
        server.fake = self
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"fake-twilio-{self.port}", daemon=True)
        self._thread.start()
        self._persist()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        for t in list(self._bg):
            t.join(5)
        self._bg.clear()

    def __enter__(self) -> "FakeTwilio":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The value for TWILIO_API_URL (``http://127.0.0.1:PORT``)."""
        return f"http://{self.host}:{self.port}"

    def messages_url(self, sid: str | None = None) -> str:
        if sid is None:
            return f"{self.base_url}/{API_VERSION}/Accounts/{self.account_sid}/Messages.json"
        return f"{self.base_url}/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json"

    def client(self, timeout: float | None = 5.0, auth_token: str | None = None,
               account_sid: str | None = None):
        """A real ``twilio.rest.Client`` pointed at this fake (see make_twilio_client)."""
        return make_twilio_client(account_sid or self.account_sid, auth_token or self.auth_token,
                                  api_url=self.base_url, timeout=timeout)

    # ---------------------------------------------------------------- scripting
    def script(self, *faults: Fault | str | dict, target: str = "create") -> "FakeTwilio":
        """Queue behaviours for the next requests of ``target`` ("create" or "fetch"), consumed
        in order; when the queue is empty the default applies."""
        parsed = [Fault.parse(f) for f in faults]
        with self._lock:
            self._queues[target].extend(parsed)
            self._persist()
        return self

    def set_default(self, fault: Fault | str | dict, target: str = "create") -> None:
        with self._lock:
            self._defaults[target] = Fault.parse(fault)
            self._persist()

    def clear_script(self, target: str | None = None) -> None:
        with self._lock:
            for name in ([target] if target else list(self._queues)):
                self._queues[name].clear()

    @property
    def pending_script(self) -> list[Fault]:
        with self._lock:
            return list(self._queues["create"])

    def block_recipient(self, phone: str, code: int = 21610) -> None:
        """Every later create to ``phone`` fails with ``code`` (21610: the recipient replied
        STOP, as real Twilio enforces; 21211, 21408, 21612, 21614 …)."""
        with self._lock:
            self._blocked[phone] = code
            self._persist()

    def unblock_recipient(self, phone: str) -> None:
        with self._lock:
            self._blocked.pop(phone, None)
            self._persist()

    # ---------------------------------------------------------------- WhatsApp
    def add_whatsapp_template(self, content_sid: str, text: str) -> None:
        """An approved template (Content API): ``text`` with ``{{1}}``, ``{{2}}``… variables."""
        with self._lock:
            self.whatsapp_templates[content_sid] = text

    def render_template(self, content_sid: str, variables_json: str) -> str:
        variables = json.loads(variables_json or "{}")
        text = self.whatsapp_templates[content_sid]
        return re.sub(r"\{\{(\w+)\}\}", lambda m: str(variables.get(m.group(1), "")), text)

    def open_whatsapp_window(self, phone: str, at: float | None = None) -> None:
        """As if ``phone`` (E.164, with or without ``whatsapp:``) wrote to us on WhatsApp at ``at``."""
        with self._lock:
            self._whatsapp_inbound[phone.removeprefix(WHATSAPP)] = self.clock() if at is None else at

    def whatsapp_window_open(self, phone: str) -> bool:
        with self._lock:
            last = self._whatsapp_inbound.get(phone.removeprefix(WHATSAPP))
        return last is not None and self.clock() - last < WHATSAPP_WINDOW_SECONDS

    def cut_whatsapp(self, phone: str | None = "*", mode: str = "silent") -> None:
        """Cut the WhatsApp path to ``phone`` ("*": to everyone; None: restore every path).
        Creates still succeed (Twilio takes the message); then ``silent``: no status ever comes
        (the phone is offline), ``undelivered``: callbacks ``sent`` then ``undelivered`` (63024)."""
        if mode not in ("silent", "undelivered"):
            raise ValueError(f"unknown mode {mode!r}")
        with self._lock:
            if phone is None:
                self._whatsapp_cut.clear()
            else:
                self._whatsapp_cut[phone.removeprefix(WHATSAPP)] = mode

    def _whatsapp_fault(self, form: dict[str, str]) -> "Fault | None":
        """The status callbacks a created WhatsApp message gets from the fake's WhatsApp rules
        (None: the usual ones)."""
        to = form.get("To") or ""
        if not to.startswith(WHATSAPP):
            return None
        number = to[len(WHATSAPP):]
        with self._lock:
            cut = self._whatsapp_cut.get(number) or self._whatsapp_cut.get("*")
        if form.get("ContentSid") is None and not self.whatsapp_window_open(number):
            return Fault.ok(callbacks=("failed",), error_code=63016)  # whatsapp_window_error="status"
        if cut == "undelivered":
            return Fault.ok(callbacks=("sent", "undelivered"), error_code=63024)
        if cut == "silent":
            return Fault.ok(callbacks=())
        return None

    def auto_callbacks(self, statuses: Iterable[str] | None = ("sent", "delivered"), *,
                       delay: float = 0.02, copies: int = 1, error_code: int | None = None,
                       update_state: bool = True) -> None:
        """After each successful create, send these status callbacks in this order from a
        background thread (``delay`` seconds before each). ``("delivered", "sent")`` sends them
        out of order; ``copies=3`` sends every one three times at once (concurrently).
        ``None`` turns it off."""
        with self._lock:
            self._auto = None if statuses is None else {
                "statuses": list(statuses), "delay": delay, "copies": copies,
                "error_code": error_code, "update_state": update_state}
            self._persist()

    def reset_state(self) -> None:
        """Forget every record and message; scripts, defaults, blocks and auto callbacks too."""
        with self._lock:
            self._clear()
            self._persist()
            self._changed.notify_all()

    # ---------------------------------------------------------------- introspection
    @property
    def creates(self) -> list[CreateRecord]:
        with self._lock:
            return list(self._creates)

    @property
    def create_attempts(self) -> list[CreateRecord]:
        with self._lock:
            return list(self._create_attempts)

    @property
    def requests(self) -> list[dict]:
        with self._lock:
            return list(self._requests)

    @property
    def webhooks(self) -> list[WebhookResult]:
        with self._lock:
            return list(self._webhooks)

    def creates_to(self, phone: str) -> list[CreateRecord]:
        with self._lock:
            return [c for c in self._creates if c.to == phone]

    def message(self, sid: str) -> dict | None:
        """The current Message resource JSON of ``sid`` (a copy), or None."""
        with self._lock:
            m = self._messages.get(sid)
            return None if m is None else json.loads(json.dumps(m.resource))

    @property
    def messages(self) -> dict[str, dict]:
        with self._lock:
            return {sid: json.loads(json.dumps(m.resource)) for sid, m in self._messages.items()}

    def wait_for(self, predicate: Callable[["FakeTwilio"], bool], timeout: float = 5.0) -> bool:
        """Block until ``predicate(self)`` is true (re-checked on every state change)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.1))
            return True

    def wait_for_creates(self, n: int, timeout: float = 5.0) -> list[CreateRecord]:
        if not self.wait_for(lambda f: len(f._creates) >= n, timeout):
            raise AssertionError(f"expected {n} creates within {timeout}s, got {len(self.creates)}")
        return self.creates

    def wait_for_webhooks(self, n: int, timeout: float = 5.0) -> list[WebhookResult]:
        if not self.wait_for(lambda f: len(f._webhooks) >= n, timeout):
            raise AssertionError(f"expected {n} webhooks within {timeout}s, got {len(self.webhooks)}")
        return self.webhooks

    def state(self) -> dict:
        """Everything, JSON-serialisable (what the state file and GET /_fake/state hold)."""
        with self._lock:
            return {
                "base_url": self.base_url, "account_sid": self.account_sid,
                "creates": [c.to_dict() for c in self._creates],
                "create_attempts": [c.to_dict() for c in self._create_attempts],
                "messages": {sid: m.resource for sid, m in self._messages.items()},
                "status_callbacks": {sid: m.status_callback for sid, m in self._messages.items()},
                "webhooks": [w.to_dict() for w in self._webhooks],
                "pending_script": {k: [f.to_dict() for f in v] for k, v in self._queues.items()},
                "blocked": dict(self._blocked),
                "auto_callbacks": self._auto,
            }

    # ---------------------------------------------------------------- message state
    def set_message_status(self, sid: str, status: str, error_code: int | None = None) -> dict:
        """Force the stored Message resource to ``status`` (what a later fetch returns)."""
        with self._lock:
            msg = self._messages.get(sid)
            if msg is None:
                raise KeyError(sid)
            self._apply_status(msg, status, error_code)
            self._persist()
            self._changed.notify_all()
            return json.loads(json.dumps(msg.resource))

    def _apply_status(self, msg: _Message, status: str, error_code: int | None) -> None:
        r = msg.resource
        now = time.time()
        r["status"] = status
        r["date_updated"] = _rfc2822(now)
        if status in ("sending", "sent", "delivered", "undelivered", "failed", "read") \
                and r.get("from") is None:
            r["from"] = self.service_sender
        if status in ("sent", "delivered", "undelivered", "read") and r.get("date_sent") is None:
            r["date_sent"] = _rfc2822(now)
        if status in ("sent", "delivered", "undelivered", "read") and r.get("price") is None:
            r["price"] = f"{-0.0075 * int(r.get('num_segments') or 1):.5f}"
        if r.get("num_segments") == "0" and status not in ("accepted", "scheduled"):
            r["num_segments"] = str(sms_segments(r.get("body") or "")[1])
        if status in _FINAL_ERROR_STATUSES:
            code = error_code if error_code is not None else (r.get("error_code") or 30008)
            r["error_code"] = code
            r["error_message"] = ERRORS.get(code, (400, "Unknown error"))[1]
        elif error_code is not None:
            r["error_code"] = error_code
            r["error_message"] = ERRORS.get(error_code, (400, "Unknown error"))[1]
        else:
            r["error_code"] = None
            r["error_message"] = None

    def _new_message(self, form: dict[str, str], attempt: CreateRecord) -> _Message:
        sid = "SM" + secrets.token_hex(16)
        now = time.time()
        body = form.get("Body", "")
        if form.get("ContentSid") in self.whatsapp_templates:
            body = self.render_template(form["ContentSid"], form.get("ContentVariables") or "{}")
        via_service = bool(form.get("MessagingServiceSid")) and not form.get("From")
        status = "accepted" if via_service else "queued"
        segments = "0" if via_service else str(sms_segments(body)[1])
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json"
        resource = {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": body,
            "date_created": _rfc2822(now),
            "date_sent": None,
            "date_updated": _rfc2822(now),
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From") or None,
            "messaging_service_sid": form.get("MessagingServiceSid") or None,
            "num_media": str(sum(1 for k, _ in attempt.form_items if k == "MediaUrl")),
            "num_segments": segments,
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": status,
            "subresource_uris": {
                "media": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}/Media.json",
                "feedback": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}/Feedback.json",
            },
            "to": form.get("To"),
            "uri": uri,
        }
        msg = _Message(resource, form.get("StatusCallback") or None, now)
        with self._lock:
            self._messages[sid] = msg
            attempt.sid = sid
            attempt.created_time = now
            self._creates.append(attempt)
            self._persist()
            self._changed.notify_all()
        return msg

    def _validate_create(self, form: dict[str, str]) -> tuple[int, dict] | None:
        to, from_ = form.get("To"), form.get("From")
        if not to:
            return _error_body(21604)
        if not from_ and not form.get("MessagingServiceSid"):
            return _error_body(21603)
        if not form.get("Body") and not form.get("MediaUrl") and not form.get("ContentSid"):
            return _error_body(21602)
        if len(form.get("Body", "")) > 1600:
            return _error_body(21617)
        whatsapp = to.startswith(WHATSAPP)
        if whatsapp:
            if not (from_ or "").startswith(WHATSAPP):
                return _error_body(63007)
            to = to[len(WHATSAPP):]
            content_sid = form.get("ContentSid")
            if content_sid is not None and content_sid not in self.whatsapp_templates:
                return _error_body(21655)
            if content_sid is None and not self.whatsapp_window_open(to) \
                    and self.whatsapp_window_error == "create":
                return _error_body(63016)
        if self.validate_numbers and not _E164.match(to):
            return _error_body(21211, to=to)
        with self._lock:
            blocked = self._blocked.get(to)
        if blocked is not None:
            return _error_body(blocked, to=to, from_=from_ or "")
        return None

    # ---------------------------------------------------------------- HTTP handling
    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            (self._connections.add if add else self._connections.discard)(conn)

    def _next_fault(self, target: str) -> Fault:
        with self._lock:
            queue = self._queues[target]
            fault = queue.pop(0) if queue else self._defaults[target]
            self._persist()
            return fault

    def _handle(self, h: _Handler) -> None:
        parts = urlsplit(h.path)
        path = parts.path
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        form_items = parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True) \
            if "json" not in (h.headers.get("Content-Type") or "") else []
        query_items = parse_qsl(parts.query, keep_blank_values=True)
        entry = {"time": time.time(), "method": h.command, "path": path, "query": dict(query_items),
                 "form": dict(form_items), "auth_ok": None, "status": None}
        h._fake_entry = None
        h._fake_attempt = None
        if not path.startswith("/_fake/"):
            h._fake_entry = entry
            with self._lock:
                self._requests.append(entry)
        try:
            if path.startswith("/_fake/"):
                self._control(h, path, raw)
                return
            entry["auth_ok"] = self._authorized(h)
            m_list = re.fullmatch(rf"/{API_VERSION}/Accounts/([^/]+)/Messages\.json", path)
            m_one = re.fullmatch(rf"/{API_VERSION}/Accounts/([^/]+)/Messages/([^/]+)\.json", path)
            if not entry["auth_ok"]:
                status, body = _error_body(20003)
                self._send_json(h, status, body,
                                {"WWW-Authenticate": 'Basic realm="Twilio API"'})
                return
            account = (m_list or m_one).group(1) if (m_list or m_one) else None
            if account is None or account != self.account_sid:
                self._send_json(h, *_error_body(20404, path=path))
                return
            if m_list and h.command == "POST":
                self._create(h, dict(form_items), form_items)
            elif m_list and h.command == "GET":
                self._list(h, path, dict(query_items))
            elif m_one and h.command == "GET":
                self._fetch(h, m_one.group(2))
            else:
                self._send_json(h, *_error_body(20404, path=path))
        except _Answered:
            pass
        finally:
            with self._lock:
                self._changed.notify_all()

    def _authorized(self, h: _Handler) -> bool:
        header = h.headers.get("Authorization") or ""
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return secrets.compare_digest(user, self.account_sid) and \
            secrets.compare_digest(password, self.auth_token)

    def _send(self, h: _Handler, status: int, body: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
        # record the outcome before the client can see it
        entry = getattr(h, "_fake_entry", None)
        attempt = getattr(h, "_fake_attempt", None)
        with self._lock:
            if entry is not None:
                entry["status"] = status
            if attempt is not None:
                attempt.response_status = status
                self._persist()
            self._changed.notify_all()
        try:
            h.send_response(status)
            h.send_header("Content-Type", content_type)
            h.send_header("Content-Length", str(len(body)))
            h.send_header("Twilio-Request-Id", "RQ" + secrets.token_hex(16))
            h.send_header("Date", email.utils.formatdate(usegmt=True))
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(body)
            h.wfile.flush()
        except OSError:  # the client went away (e.g. after its read timeout)
            h.close_connection = True

    def _send_json(self, h: _Handler, status: int, payload: Any,
                   headers: dict[str, str] | None = None) -> None:
        self._send(h, status, json.dumps(payload).encode("utf-8"),
                   "application/json;charset=utf-8", headers)

    def _rst(self, h: _Handler) -> None:
        """Close the connection with a TCP RST and no answer."""
        conn = h.connection
        try:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        h.close_connection = True
        conn.close()
        h.rfile.close()   # drops the last reference: the fd is closed now, sending the RST
        raise _Answered

    def _fin(self, h: _Handler) -> None:
        """Close the connection cleanly (FIN) with no answer."""
        h.close_connection = True
        try:
            h.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        raise _Answered

    def _answer_fault(self, h: _Handler, fault: Fault, fmt: dict | None = None) -> int | None:
        """Answer the transport-level / error faults shared by create and fetch. Returns the
        HTTP status sent, or raises _Answered after dropping the connection."""
        if fault.kind == "http_500":
            status, body = _error_body(fault.code or 20500, 500, fault.message)
            self._send_json(h, status, body)
            return status
        if fault.kind == "html_502":
            html = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n")
            self._send(h, 502, html, "text/html")
            return 502
        if fault.kind == "rate_limited":
            status, body = _error_body(20429, 429)
            self._send_json(h, status, body, {"Retry-After": str(fault.retry_after or 1)})
            return status
        if fault.kind == "error":
            status, body = _error_body(fault.code or 20500, fault.status, fault.message,
                                       **(fmt or {}))
            self._send_json(h, status, body)
            return status
        if fault.kind == "reset":
            self._rst(h)
        if fault.kind == "drop":
            self._fin(h)
        raise ValueError(f"unhandled fault {fault.kind}")

    def _create(self, h: _Handler, form: dict[str, str], form_items: list) -> None:
        fault = self._next_fault("create")
        attempt = CreateRecord(time=time.time(), form=form, form_items=list(form_items),
                               account_sid=self.account_sid, fault=fault.kind)
        with self._lock:
            self._create_attempts.append(attempt)
            self._persist()
        h._fake_attempt = attempt   # _send() stores the answered status before writing it

        if fault.kind not in ("ok", "timeout", "created_then_reset"):
            self._answer_fault(h, fault, {"to": form.get("To", ""), "from_": form.get("From", "")})
            return
        invalid = self._validate_create(form)
        if fault.kind == "ok":
            if fault.seconds and self._stopping.wait(fault.seconds):
                self._fin(h)
            if invalid:
                self._send_json(h, *invalid)
                return
            msg = self._new_message(form, attempt)
            with self._lock:
                resource = dict(msg.resource)
            self._send_json(h, 201, resource)
            self._schedule_callbacks(msg, self._whatsapp_fault(form) or fault)
            return
        if fault.kind == "created_then_reset":
            if not invalid:
                self._schedule_callbacks(self._new_message(form, attempt), fault)
            self._rst(h)
        # timeout: stall, create (unless record="never"/"before"), then answer late
        msg = None
        if not invalid and fault.record == "before":
            msg = self._new_message(form, attempt)
            self._schedule_callbacks(msg, fault)
        if self._stopping.wait(fault.seconds):
            self._fin(h)
        if not invalid and fault.record == "after":
            msg = self._new_message(form, attempt)
            self._schedule_callbacks(msg, fault)
        if invalid:
            self._send_json(h, *invalid)
            return
        if msg is None:
            self._fin(h)
        with self._lock:
            resource = dict(msg.resource)
        self._send_json(h, 201, resource)

    def _fetch(self, h: _Handler, sid: str) -> None:
        fault = self._next_fault("fetch")
        if fault.kind in ("ok", "timeout"):
            if fault.seconds:
                if self._stopping.wait(fault.seconds):
                    self._fin(h)
            with self._lock:
                msg = self._messages.get(sid)
                resource = None if msg is None else json.loads(json.dumps(msg.resource))
            if resource is None:
                self._send_json(h, *_error_body(20404, path=urlsplit(h.path).path))
                return
            self._send_json(h, 200, resource)
            return
        if fault.kind == "created_then_reset":
            self._rst(h)
        self._answer_fault(h, fault, {"path": urlsplit(h.path).path})

    def _list(self, h: _Handler, path: str, query: dict[str, str]) -> None:
        def parse_date(value: str) -> tuple[dt.datetime, bool]:
            value = value.strip()
            if len(value) == 10:
                return dt.datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc), True
            return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc), False

        def sent_at(r: dict) -> dt.datetime:
            return email.utils.parsedate_to_datetime(r.get("date_sent") or r["date_created"])

        with self._lock:
            rows = [json.loads(json.dumps(m.resource)) for m in
                    sorted(self._messages.values(), key=lambda m: m.created, reverse=True)]
        if query.get("To"):
            rows = [r for r in rows if r.get("to") == query["To"]]
        if query.get("From"):
            rows = [r for r in rows if r.get("from") == query["From"]]
        # DateSent filters: on date_sent, falling back to date_created for unsent messages
        for key, op in (("DateSent>", "ge"), ("DateSent<", "le"), ("DateSent", "eq")):
            if query.get(key):
                bound, day = parse_date(query[key])
                if op == "ge":
                    rows = [r for r in rows if sent_at(r) >= bound]
                elif op == "le":
                    end = bound + dt.timedelta(days=1) if day else bound
                    rows = [r for r in rows if (sent_at(r) < end if day else sent_at(r) <= end)]
                else:
                    rows = [r for r in rows if (sent_at(r).date() == bound.date() if day
                                                else sent_at(r) == bound)]
        page_size = min(int(query.get("PageSize") or 50), 1000)
        uri = path + ("?" + urlencode(query) if query else "")
        payload = {"messages": rows[:page_size], "end": max(0, min(len(rows), page_size) - 1),
                   "first_page_uri": uri, "next_page_uri": None, "page": 0,
                   "page_size": page_size, "previous_page_uri": None, "start": 0, "uri": uri}
        self._send_json(h, 200, payload)

    # ---------------------------------------------------------------- webhooks
    def _post_webhook(self, kind: str, url: str, params: dict[str, str], *,
                      signed_url: str | None = None, signed_with_token: str | None = None,
                      forged: bool = False, sign: bool = True, signature: str | None = None,
                      tamper: dict[str, str | None] | None = None,
                      headers: dict[str, str] | None = None) -> WebhookResult:
        from twilio.request_validator import RequestValidator

        signed_url = signed_url or url
        token = signed_with_token or self.auth_token
        if forged:
            token = "forged-" + token
        computed = RequestValidator(token).compute_signature(signed_url, params)
        sent = dict(params)
        for k, v in (tamper or {}).items():
            if v is None:
                sent.pop(k, None)
            else:
                sent[k] = v
        hdrs = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "User-Agent": "TwilioProxy/1.1", "Accept": "*/*",
                "I-Twilio-Idempotency-Token": str(uuid.uuid4())}
        sig_header = (signature if signature is not None else computed) if sign else None
        if sig_header is not None:
            hdrs["X-Twilio-Signature"] = sig_header
        hdrs.update(headers or {})
        result = WebhookResult(kind=kind, url=url, signed_url=signed_url, params=sent,
                               signed_params=dict(params), headers=hdrs, signature=sig_header,
                               time=time.time())
        transport = self.webhook_transport or urllib_transport
        try:
            result.status_code, result.text = transport(url, sent, hdrs)
        except Exception as exc:  # noqa: BLE001 - recorded for the test to inspect
            result.error = f"{type(exc).__name__}: {exc}"
        with self._lock:
            self._webhooks.append(result)
            self._persist()
            self._changed.notify_all()
        return result

    def status_callback_params(self, sid: str, status: str,
                               error_code: int | None = None) -> dict[str, str]:
        """The form Twilio POSTs to a StatusCallback URL for ``sid`` in ``status``."""
        with self._lock:
            msg = self._messages.get(sid)
            if msg is None:
                raise KeyError(sid)
            r = msg.resource
            params = {
                "SmsSid": sid, "SmsStatus": status, "MessageStatus": status,
                "To": r.get("to") or "", "MessageSid": sid, "AccountSid": self.account_sid,
                "From": r.get("from") or self.service_sender, "ApiVersion": API_VERSION,
            }
            if r.get("messaging_service_sid"):
                params["MessagingServiceSid"] = r["messaging_service_sid"]
            if status in _FINAL_ERROR_STATUSES:
                code = error_code if error_code is not None else (r.get("error_code") or 30008)
                params["ErrorCode"] = str(code)
            elif error_code is not None:
                params["ErrorCode"] = str(error_code)
            if status == "delivered":
                params["RawDlrDoneDate"] = time.strftime("%y%m%d%H%M", time.gmtime())
            return params

    def send_status_callback(self, sid: str, status: str, url: str | None = None,
                             error_code: int | None = None, *,
                             signed_with_token: str | None = None, update_state: bool = True,
                             **signing: Any) -> WebhookResult:
        """POST a status callback for ``sid`` to its recorded StatusCallback (or ``url``), signed
        with the SDK's RequestValidator over ``signed_url`` (default: the URL posted to).

        Signing options: ``signed_with_token`` (another token = bad signature),
        ``forged=True``, ``sign=False`` (no header), ``signature="..."`` (this exact header),
        ``tamper={"MessageStatus": "delivered"}`` (fields changed after signing; None removes),
        ``signed_url`` (the public URL, when posting to an internal one), ``headers``.

        ``update_state`` first moves the stored message to ``status`` unless it is already
        further along (so a late "sent" after "delivered" leaves it "delivered")."""
        with self._lock:
            msg = self._messages.get(sid)
            if msg is None:
                raise KeyError(sid)
            target = url or msg.status_callback
            if not target:
                raise ValueError(f"message {sid} has no StatusCallback; pass url=")
            if update_state and _STATUS_RANK.get(status, 0) >= \
                    _STATUS_RANK.get(msg.resource["status"], 0):
                self._apply_status(msg, status, error_code)
            params = self.status_callback_params(sid, status, error_code)
        return self._post_webhook("status", target, params,
                                  signed_with_token=signed_with_token, **signing)

    def send_status_callback_concurrently(self, sid: str, status: str, copies: int = 3,
                                          **kwargs: Any) -> list[WebhookResult]:
        """The same callback ``copies`` times at once (threads released by a barrier)."""
        barrier = threading.Barrier(copies)
        results: list[WebhookResult | None] = [None] * copies

        def run(i: int) -> None:
            barrier.wait()
            results[i] = self.send_status_callback(sid, status, **kwargs)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(copies)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        return [r for r in results if r is not None]

    def send_inbound(self, url: str, from_: str, to: str, body: str,
                     message_sid: str | None = None, *, num_media: int = 0,
                     messaging_service_sid: str | None = None,
                     extra: dict[str, str] | None = None, **signing: Any) -> WebhookResult:
        """POST an incoming SMS the way Twilio's messaging webhook does. Signing options as for
        send_status_callback (``forged``, ``sign=False``, ``tamper={"Body": ...}``,
        ``signed_with_token``, ``signature``, ``signed_url``)."""
        sid = message_sid or "SM" + secrets.token_hex(16)
        if from_.startswith(WHATSAPP):  # a WhatsApp message opens the sender's 24-hour window
            self.open_whatsapp_window(from_)
            extra = {"WaId": from_[len(WHATSAPP) + 1:], "ProfileName": "", **(extra or {})}

        def country(phone: str) -> str:
            phone = phone.removeprefix(WHATSAPP)
            return "ID" if phone.startswith("+62") else ("US" if phone.startswith("+1") else "")

        params = {
            "ToCountry": country(to), "ToState": "", "SmsMessageSid": sid,
            "NumMedia": str(num_media), "ToCity": "", "FromZip": "", "SmsSid": sid,
            "FromState": "", "SmsStatus": "received", "FromCity": "", "Body": body,
            "FromCountry": country(from_), "To": to, "ToZip": "",
            "NumSegments": str(sms_segments(body)[1]), "MessageSid": sid,
            "AccountSid": self.account_sid, "From": from_, "ApiVersion": API_VERSION,
        }
        if messaging_service_sid:
            params["MessagingServiceSid"] = messaging_service_sid
        params.update(extra or {})
        now = time.time()
        with self._lock:
            self._messages[sid] = _Message({
                "account_sid": self.account_sid, "api_version": API_VERSION, "body": body,
                "date_created": _rfc2822(now), "date_sent": _rfc2822(now),
                "date_updated": _rfc2822(now), "direction": "inbound", "error_code": None,
                "error_message": None, "from": from_, "messaging_service_sid": messaging_service_sid,
                "num_media": str(num_media), "num_segments": params["NumSegments"], "price": None,
                "price_unit": "USD", "sid": sid, "status": "received", "subresource_uris": {},
                "to": to, "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json",
            }, None, now)
        return self._post_webhook("inbound", url, params, **signing)

    def _schedule_callbacks(self, msg: _Message, fault: Fault) -> None:
        with self._lock:
            auto = dict(self._auto) if self._auto else None
        if fault.callbacks is not None:
            auto = dict(auto or {"delay": 0.02, "copies": 1, "update_state": True})
            auto["statuses"] = list(fault.callbacks)
            if fault.error_code is not None:
                auto["error_code"] = fault.error_code
        if not auto or not auto.get("statuses") or not msg.status_callback:
            return
        sid = msg.resource["sid"]

        def run() -> None:
            for status in auto["statuses"]:
                if self._stopping.wait(auto.get("delay") or 0):
                    return
                code = auto.get("error_code") if status in _FINAL_ERROR_STATUSES else None
                try:
                    if auto.get("copies", 1) > 1:
                        self.send_status_callback_concurrently(
                            sid, status, copies=auto["copies"], error_code=code,
                            update_state=auto.get("update_state", True))
                    else:
                        self.send_status_callback(sid, status, error_code=code,
                                                  update_state=auto.get("update_state", True))
                except KeyError:  # reset_state() in between
                    return

        t = threading.Thread(target=run, name=f"fake-twilio-callbacks-{sid}", daemon=True)
        with self._lock:
            self._bg = [x for x in self._bg if x.is_alive()]
            self._bg.append(t)
        t.start()

    # ---------------------------------------------------------------- persistence / control
    def _persist(self) -> None:
        if not self.state_file:
            return
        with self._lock:
            tmp = f"{self.state_file}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(self.state(), fh)
            os.replace(tmp, self.state_file)

    def _control(self, h: _Handler, path: str, raw: bytes) -> None:
        try:
            data = json.loads(raw.decode("utf-8")) if raw else {}
            name = path[len("/_fake/"):]
            result: Any = {"ok": True}
            if name == "state" and h.command == "GET":
                result = self.state()
            elif name == "script":
                self.script(*data.get("faults", []), target=data.get("target", "create"))
            elif name == "default":
                self.set_default(data["fault"], target=data.get("target", "create"))
            elif name == "reset":
                self.reset_state()
            elif name == "block":
                self.block_recipient(data["phone"], int(data.get("code", 21610)))
            elif name == "message_status":
                result = self.set_message_status(data["sid"], data["status"], data.get("error_code"))
            elif name == "auto_callbacks":
                statuses = data.pop("statuses", None)
                self.auto_callbacks(statuses, **data)
            elif name == "status_callback":
                result = self.send_status_callback(**data).to_dict()
            elif name == "inbound":
                result = self.send_inbound(**data).to_dict()
            else:
                self._send_json(h, 404, {"error": f"unknown control {name}"})
                return
            self._send_json(h, 200, result)
        except (KeyError, ValueError, TypeError) as exc:
            self._send_json(h, 400, {"error": f"{type(exc).__name__}: {exc}"})


# --------------------------------------------------------------------------------------------
# The SDK recipe, and the separate-process helpers
# --------------------------------------------------------------------------------------------

def make_twilio_client(account_sid: str, auth_token: str, api_url: str | None = None,
                       timeout: float | None = 10.0):
    """``twilio.rest.Client`` sending to ``api_url`` (None: Twilio's own) with ``timeout``."""
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout))
    if api_url:
        client.api.base_url = api_url.rstrip("/")
        client.edge = None
        client.region = None
    return client


class FakeTwilioRemote:
    """Drives a fake running in another process through its ``/_fake/`` control endpoints."""

    def __init__(self, base_url: str, account_sid: str = DEFAULT_ACCOUNT_SID,
                 auth_token: str = DEFAULT_AUTH_TOKEN):
        self.base_url = base_url.rstrip("/")
        self.account_sid = account_sid
        self.auth_token = auth_token

    def _call(self, name: str, payload: dict | None = None) -> Any:
        req = urllib.request.Request(
            f"{self.base_url}/_fake/{name}",
            data=None if payload is None else json.dumps(payload).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            method="GET" if payload is None else "POST")
        try:
            with _direct_opener().open(req, timeout=30) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            raise RuntimeError(exc.read().decode("utf-8", "replace")) from None

    def state(self) -> dict:
        return self._call("state")

    @property
    def creates(self) -> list[dict]:
        return self.state()["creates"]

    def creates_to(self, phone: str) -> list[dict]:
        return [c for c in self.creates if c["form"].get("To") == phone]

    def script(self, *faults: Fault | str | dict, target: str = "create") -> None:
        self._call("script", {"faults": [Fault.parse(f).to_dict() for f in faults],
                              "target": target})

    def set_default(self, fault: Fault | str | dict, target: str = "create") -> None:
        self._call("default", {"fault": Fault.parse(fault).to_dict(), "target": target})

    def reset_state(self) -> None:
        self._call("reset", {})

    def block_recipient(self, phone: str, code: int = 21610) -> None:
        self._call("block", {"phone": phone, "code": code})

    def set_message_status(self, sid: str, status: str, error_code: int | None = None) -> dict:
        return self._call("message_status", {"sid": sid, "status": status, "error_code": error_code})

    def auto_callbacks(self, statuses: Iterable[str] | None = ("sent", "delivered"), **kw) -> None:
        self._call("auto_callbacks", {"statuses": None if statuses is None else list(statuses), **kw})

    def send_status_callback(self, sid: str, status: str, url: str | None = None,
                             error_code: int | None = None, **kw) -> dict:
        return self._call("status_callback", {"sid": sid, "status": status, "url": url,
                                              "error_code": error_code, **kw})

    def send_inbound(self, url: str, from_: str, to: str, body: str, **kw) -> dict:
        return self._call("inbound", {"url": url, "from_": from_, "to": to, "body": body, **kw})


def spawn_fake_twilio_process(state_file: str | None = None, port: int = 0,
                              account_sid: str = DEFAULT_ACCOUNT_SID,
                              auth_token: str = DEFAULT_AUTH_TOKEN,
                              cwd: str | None = None) -> tuple[subprocess.Popen, FakeTwilioRemote]:
    """Start ``python -m tests.fakes.twilio_server`` and wait until it listens. Stop it with
    ``proc.terminate(); proc.wait()``."""
    cmd = [sys.executable, "-m", "tests.fakes.twilio_server", "--port", str(port),
           "--account-sid", account_sid, "--auth-token", auth_token]
    if state_file:
        cmd += ["--state-file", state_file]
    root = cwd or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.Popen(cmd, cwd=root, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline() if proc.stdout else ""
    if not line.startswith("FAKE_TWILIO_URL="):
        proc.kill()
        raise RuntimeError(f"fake twilio did not start: {line!r}")
    return proc, FakeTwilioRemote(line.strip().split("=", 1)[1], account_sid, auth_token)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fake Twilio Messages API for tests")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--account-sid", default=DEFAULT_ACCOUNT_SID)
    parser.add_argument("--auth-token", default=DEFAULT_AUTH_TOKEN)
    parser.add_argument("--state-file")
    parser.add_argument("--auto-callbacks", help="comma-separated statuses, e.g. sent,delivered")
    args = parser.parse_args(argv)
    fake = FakeTwilio(args.account_sid, args.auth_token, args.host, args.port,
                      state_file=args.state_file)
    fake.start()
    if args.auto_callbacks:
        fake.auto_callbacks(args.auto_callbacks.split(","))
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    print(f"FAKE_TWILIO_URL={fake.base_url}", flush=True)
    done.wait()
    fake.stop()
    return 0


# --------------------------------------------------------------------------------------------
# pytest fixture (import it into a test module or conftest: ``from tests.fakes.twilio_server
# import fake_twilio``; or ``pytest_plugins = ["tests.fakes.twilio_server"]`` in tests/conftest.py)
# --------------------------------------------------------------------------------------------

try:
    import pytest
except ImportError:  # pragma: no cover - running as a plain process without pytest
    pytest = None

if pytest is not None:
    @pytest.fixture
    def fake_twilio():
        """A started FakeTwilio on a free 127.0.0.1 port, stopped after the test."""
        with FakeTwilio() as fake:
            yield fake


if __name__ == "__main__":
    sys.exit(main())
