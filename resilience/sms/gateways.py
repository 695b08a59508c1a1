"""SMS gateways behind one small interface: the outbox (embedded default), Twilio, and the GSM
modem through Gammu (:mod:`resilience.sms.modem`).

``send`` returns the provider's message id or raises :class:`SendError`, which says what the
caller may do next:
- ``retry``: nothing was sent (network error before the request, 5xx, 429): try again later;
- ``ambiguous``: the request may have reached the provider (read timeout, connection dropped
  after sending): never resend blindly, reconcile first (:meth:`lookup`);
- otherwise terminal (invalid number, unreachable handset, …) with the provider's code kept;
  ``opted_out`` when the recipient has unsubscribed (Twilio 21610).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

log = logging.getLogger(__name__)

# Twilio error codes (https://www.twilio.com/docs/api/errors) that no retry will fix.
TERMINAL_CODES = {21211, 21408, 21610, 21612, 21614, 30003, 30004, 30005, 30006, 30007, 30008}
OPT_OUT_CODES = {21610}
RATE_LIMIT_CODES = {20429}
HTTP_TIMEOUT_SECONDS = 15.0  # connect and read each; well below the Celery task's soft limit (60 s)


class SendError(Exception):
    def __init__(self, message: str, *, retry: bool = False, ambiguous: bool = False,
                 code: int | None = None, opted_out: bool = False):
        super().__init__(message)
        self.retry = retry
        self.ambiguous = ambiguous
        self.code = code
        self.opted_out = opted_out


@dataclass
class Found:
    provider_sid: str
    status: str


class OutboxGateway:
    """Keeps messages in the database only: they are read in the web page and the API, and
    replies are fed with ``POST /api/v1/sms/simulate``."""

    name = "outbox"

    def send(self, message_id: int, to: str, body: str, status_callback: str | None) -> str:
        return f"OUTBOX{message_id:08d}"

    def lookup(self, to: str, body: str, since: datetime) -> Found | None:
        return None


class TwilioGateway:
    name = "twilio"

    def __init__(self, account_sid: str, auth_token: str, sender: str, api_url: str | None = None,
                 timeout: float = HTTP_TIMEOUT_SECONDS):
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        # The SDK logs every request and answer at INFO (13 lines a message; 1.7 CPU-ms of a
        # send): keep its HTTP logger at WARNING unless an operator configured it.
        http_log = logging.getLogger("twilio.http_client")
        if http_log.level == logging.NOTSET:
            http_log.setLevel(logging.WARNING)
        http_client = TwilioHttpClient(timeout=timeout)
        _read_environment_once(http_client, api_url or "https://api.twilio.com")
        self.client = Client(account_sid, auth_token, http_client=http_client)
        if api_url:
            # Staging gateways and the tests' fake Twilio: every Api-domain request goes there;
            # an edge or region from the environment would otherwise rewrite the host.
            self.client.api.base_url = api_url.rstrip("/")
            self.client.edge = None
            self.client.region = None
        self.sender = sender

    def _sender_kwargs(self) -> dict:
        if self.sender.startswith("MG"):
            return {"messaging_service_sid": self.sender}
        return {"from_": self.sender}

    def send(self, message_id: int, to: str, body: str, status_callback: str | None) -> str:
        kwargs = self._sender_kwargs()
        if status_callback:
            kwargs["status_callback"] = status_callback
        return self._create(to=to, body=body, **kwargs)

    def _create(self, **kwargs) -> str:
        """``messages.create`` with Twilio's failures sorted into :class:`SendError`."""
        import requests
        from twilio.base.exceptions import TwilioException, TwilioRestException

        try:
            message = self.client.messages.create(**kwargs)
        except TwilioRestException as exc:
            code = exc.code
            if exc.status == 429 or code in RATE_LIMIT_CODES:
                raise SendError(f"rate limited by Twilio ({code or 429})", retry=True, code=code) from exc
            if exc.status >= 500:
                raise SendError(f"Twilio answered {exc.status}", retry=True, code=code) from exc
            if code in TERMINAL_CODES:
                raise SendError(f"Twilio refused the message ({code})", code=code,
                                opted_out=code in OPT_OUT_CODES) from exc
            if exc.status in (401, 403):
                raise SendError(f"Twilio rejected the credentials ({exc.status})", retry=True, code=code) from exc
            raise SendError(f"Twilio answered {exc.status} ({code})", code=code) from exc
        except requests.exceptions.ConnectTimeout as exc:
            raise SendError("could not connect to Twilio", retry=True) from exc
        except (requests.exceptions.ReadTimeout, requests.exceptions.ChunkedEncodingError) as exc:
            raise SendError("no answer from Twilio after sending", ambiguous=True) from exc
        except requests.exceptions.ConnectionError as exc:
            if _never_connected(exc):
                raise SendError("could not connect to Twilio", retry=True) from exc
            raise SendError("connection to Twilio dropped", ambiguous=True) from exc
        except TwilioException as exc:  # e.g. an HTML error page the SDK cannot parse
            raise SendError(f"unexpected answer from Twilio: {type(exc).__name__}", retry=True) from exc
        except ValueError as exc:  # JSON decoding of a 2xx that is not JSON
            raise SendError("unreadable answer from Twilio after sending", ambiguous=True) from exc
        return message.sid

    def lookup(self, to: str, body: str, since: datetime) -> Found | None:
        """Find a message we may have sent (after an ambiguous failure)."""
        for message in self.client.messages.list(to=to, date_sent_after=since, limit=50):
            if (message.body or "").strip() == body.strip():
                return Found(provider_sid=message.sid, status=str(message.status))
        return None


def _read_environment_once(http_client, url: str) -> None:
    """requests reads the proxy and CA-bundle variables from the environment on every request
    (a scan of os.environ: ~12 % of a send's CPU). Read them once here instead; they are
    deployment settings that do not change while a process runs."""
    import os

    import requests

    session = getattr(http_client, "session", None)
    if session is None:
        return
    http_client.proxy = requests.utils.get_environ_proxies(url) or http_client.proxy
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False


def _never_connected(exc: Exception) -> bool:
    text = repr(exc)
    return any(marker in text for marker in ("NewConnectionError", "Connection refused", "Name or service not known"))


def gateway_for(settings, timeout: float = HTTP_TIMEOUT_SECONDS) -> OutboxGateway | TwilioGateway:
    """The outbox or Twilio (the modem's gateway is built by :mod:`resilience.sms.service`)."""
    if settings.sms_backend == "twilio":
        return TwilioGateway(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_from,
                             settings.twilio_api_url, timeout)
    return OutboxGateway()
