"""The GSM modem gateway, through Gammu's Python binding (python-gammu).

The worker drives Gammu's state machine itself (not gammu-smsd): a send is one call inside the
sender's claim/send/record, so the outbox, the attempt token and the global rate limit are the
same as Twilio's, and there is no second queue (smsd's own outbox) that could send a message
the database does not know about.

- ``send`` encodes the text with Gammu (GSM-7 or UCS-2, concatenated parts for 2 segments),
  asks for a status report and hands each part to the modem. Nothing handed over yet and the
  modem gone (device node missing, cannot open, not registered): ``retry``. Once a part may
  have reached the modem, a failure is ``ambiguous``: a modem cannot be asked afterwards what
  it sent (``can_lookup`` is False), so the sweep fails such a message rather than resend it.
- ``poll`` reads the modem's inbox: text messages go to :func:`resilience.sms.inbox.receive`
  (deduplicated on a stable id: the modem location, the sender, the time stamp and a hash of
  the text), status reports settle the outbound message they are about; each is deleted from
  the modem only after the database has committed it, so a crash in between re-reads it and
  the dedup id drops it.

One process at a time talks to the modem: a thread lock plus an ``flock`` on a lock file
beside the config's name in the temp directory (the Celery worker's pool processes and beat's
poll share one serial port).
"""

from __future__ import annotations

import configparser
import fcntl
import hashlib
import logging
import os
import tempfile
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Iterator

from resilience.sms.gateways import Found, SendError
from resilience.sms.gsm7 import segments

log = logging.getLogger(__name__)

# Gammu errors that mean the modem (or its device) is not there: nothing was handed over.
_ABSENT = {"ERR_DEVICENOTEXIST", "ERR_DEVICEOPENERROR", "ERR_DEVICENOPERMISSION", "ERR_DEVICELOCKED",
           "ERR_DEVICEBUSY", "ERR_NOTCONNECTED", "ERR_DEVICECHANGESPEEDERROR", "ERR_NOSIM",
           "ERR_SECURITYERROR", "ERR_NETWORK_ERROR"}
# Errors about the message itself: no retry will fix them.
_TERMINAL = {"ERR_INVALIDDATA", "ERR_UNKNOWN", "ERR_NOTSUPPORTED", "ERR_MOREMEMORY", "ERR_GETTING_SMSC"}
_REGISTERED = {"HomeNetwork", "RoamingNetwork"}
REPORT_WINDOW = timedelta(days=3)  # a status report older than its message by this is ignored
PARTS_WAIT = timedelta(minutes=10)  # how long the first parts of a long SMS wait for the rest


def device_of(config_path: str) -> str | None:
    """The ``device`` (or ``port``) of the config's ``[gammu]`` section."""
    parser = configparser.RawConfigParser(strict=False)
    parser.read(config_path)
    if not parser.has_section("gammu"):
        return None
    return parser.get("gammu", "device", fallback=None) or parser.get("gammu", "port", fallback=None)


def normalise_phone(number: str) -> str:
    """The E.164 form of a sender as a modem reports it (``0812…``, ``62812…``, ``+62812…``)."""
    number = (number or "").strip().replace(" ", "").replace("-", "")
    if number.startswith("+"):
        return number
    if number.startswith("00"):
        return "+" + number[2:]
    if number.startswith("0"):
        return "+62" + number[1:]
    if number.startswith("62"):
        return "+" + number
    return number


class GammuGateway:
    name = "gammu"
    can_lookup = False  # a modem keeps no record to reconcile against

    def __init__(self, config_path: str, section: int = 0):
        self.config_path = config_path
        self.section = section
        self.device = device_of(config_path)
        digest = hashlib.sha256(os.path.abspath(config_path).encode()).hexdigest()[:16]
        self.lock_path = os.path.join(tempfile.gettempdir(), f"resilience-gammu-{digest}.lock")
        self._lock = threading.RLock()
        self._machine = None
        self._lock_file = None
        self._depth = 0

    # --- the connection ---------------------------------------------------------------
    @contextmanager
    def connection(self) -> Iterator:
        """The open state machine, this process holding the modem for the block (nested blocks
        share it; the outermost one closes it)."""
        with self._lock:
            self._depth += 1
            try:
                if self._machine is None:
                    self._open()
                yield self._machine
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._close()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Keep the modem, once a send opened it, until the sender's batch ends."""
        with self._lock:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._close()

    def _open(self) -> None:
        import gammu

        if self.device and self.device.startswith("/") and not os.path.exists(self.device):
            raise SendError("the modem is not connected (its device is missing)", retry=True)
        if self._lock_file is None:
            self._lock_file = open(self.lock_path, "a")
            fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        machine = gammu.StateMachine()
        try:
            machine.ReadConfig(Section=self.section, Filename=self.config_path)
            machine.Init()
        except gammu.GSMError as exc:
            self._close()
            raise SendError(f"the modem did not answer ({_code(exc)})", retry=True) from exc
        self._machine = machine

    def _close(self) -> None:
        machine, self._machine = self._machine, None
        if machine is not None:
            try:
                machine.Terminate()
            except Exception:  # the device went away: nothing left to close
                pass
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    def _check_present(self) -> None:
        """A USB modem that is unplugged loses its device node; an open handle may not notice."""
        if self.device and self.device.startswith("/") and not os.path.exists(self.device):
            self._close_broken()
            raise SendError("the modem is not connected (its device is missing)", retry=True)

    def _close_broken(self) -> None:
        machine, self._machine = self._machine, None
        if machine is not None:
            try:
                machine.Terminate()
            except Exception:
                pass

    # --- sending ----------------------------------------------------------------------
    def send(self, message_id: int, to: str, body: str, status_callback: str | None) -> str:
        import gammu

        with self.connection() as machine:
            self._check_present()
            if self._machine is None:  # reopened after a broken handle in this batch
                self._open()
                machine = self._machine
            try:
                network = machine.GetNetworkInfo()
            except gammu.GSMError as exc:
                self._close_broken()
                raise SendError(f"the modem did not answer ({_code(exc)})", retry=True) from exc
            if network.get("State") not in _REGISTERED:
                raise SendError(f"the modem has no network ({network.get('State')})", retry=True)
            parts = encode(body)
            references: list[str] = []
            for index, part in enumerate(parts):
                part.update({"SMSC": {"Location": 1}, "Number": to, "Type": "Status_Report"})
                try:
                    references.append(str(machine.SendSMS(part)))
                except gammu.GSMError as exc:
                    code = _code(exc)
                    if code in _TERMINAL and index == 0:
                        raise SendError(f"the modem refused the message ({code})") from exc
                    if code in _ABSENT and index == 0:
                        self._close_broken()
                        raise SendError(f"the modem is not available ({code})", retry=True) from exc
                    self._close_broken()
                    raise SendError(f"the modem failed after {index} of {len(parts)} parts ({code})",
                                    ambiguous=True) from exc
        return f"gammu:{message_id}:{'.'.join(references)}"

    def lookup(self, to: str, body: str, since: datetime) -> Found | None:
        return None

    # --- receiving --------------------------------------------------------------------
    def read_inbox(self) -> list[dict]:
        """Every message in the modem's inbox folders, multipart ones joined:
        ``{"kind": "text"|"report", "phone", "text", "sid", "when", "locations", ...}``."""
        import gammu

        with self.connection() as machine:
            self._check_present()
            raw: list = []
            try:
                entry = machine.GetNextSMS(Start=True, Folder=0)
                while True:
                    raw.append(entry)
                    entry = machine.GetNextSMS(Location=entry[0]["Location"], Folder=0)
            except gammu.ERR_EMPTY:
                pass
            except gammu.GSMError as exc:
                self._close_broken()
                raise SendError(f"could not read the modem's inbox ({_code(exc)})", retry=True) from exc
            inbox = [entry for entry in raw if entry and entry[0].get("InboxFolder")]
            return [_describe(linked) for linked in gammu.LinkSMS(inbox) if _complete(linked)]

    def delete(self, locations: list[tuple[int, int]]) -> None:
        import gammu

        with self.connection() as machine:
            for folder, location in locations:
                try:
                    machine.DeleteSMS(Folder=folder, Location=location)
                except gammu.ERR_EMPTY:  # deleted already (a previous poll)
                    pass
                except gammu.GSMError as exc:  # stored already: the next poll drops it on its id
                    self._close_broken()
                    raise SendError(f"could not delete from the modem ({_code(exc)})", retry=True) from exc


def poll(session, gateway: GammuGateway) -> dict[str, int]:
    """Move the modem's inbox into the database: texts through ``inbox.receive`` (committed,
    then processed), status reports onto their outbound message; then delete them from the
    modem. Idempotent: a message read twice is stored once."""
    from resilience.sms.inbox import receive

    counts = {"received": 0, "duplicates": 0, "reports": 0}
    with gateway.connection():
        entries = gateway.read_inbox()
        done: list[tuple[int, int]] = []
        for entry in entries:
            if entry["kind"] == "report":
                counts["reports"] += _settle(session, entry)
            elif receive(session, entry["phone"], entry["text"], provider_sid=entry["sid"], channel="gammu") is None:
                counts["duplicates"] += 1
            else:
                counts["received"] += 1
            session.commit()  # stored (and, after the commit, processed) before it leaves the modem
            done.extend(entry["locations"])
        gateway.delete(done)
    return counts


def _settle(session, entry: dict) -> int:
    """A status report: the latest message sent to that phone whose modem reference matches."""
    from sqlalchemy import select

    from resilience.core.db import utcnow
    from resilience.sms.models import SmsMessage

    candidates = session.scalars(
        select(SmsMessage).where(SmsMessage.direction == "outbound", SmsMessage.phone_is(entry["phone"]),
                                 SmsMessage.provider_sid.like("gammu:%"),
                                 SmsMessage.sent_at >= utcnow() - REPORT_WINDOW)
        .order_by(SmsMessage.id.desc()).limit(50)
    ).all()
    for message in candidates:
        if entry["reference"] in message.provider_sid.split(":", 2)[2].split("."):
            status = entry["delivery_status"] or 0
            if status < 0x20:
                return int(message.advance("delivered", None, None))
            if status >= 0x40:
                return int(message.advance("undelivered", None, status))
            return 0  # the network is still trying
    return 0


def encode(body: str) -> list[dict]:
    """The parts Gammu sends for ``body``: one, or concatenated parts with a UDH."""
    import gammu

    unicode = segments(body)[0] != "GSM-7"
    return gammu.EncodeSMS({"Class": -1, "Unicode": unicode,
                            "Entries": [{"ID": "ConcatenatedTextLong", "Buffer": body}]})


def _complete(parts: list[dict]) -> bool:
    """A concatenated message whose parts have not all arrived waits in the modem (up to
    ``PARTS_WAIT``; after that what arrived is taken as it is)."""
    udh = parts[0].get("UDH") or {}
    expected = udh.get("AllParts") or 0
    if udh.get("Type", "NoUDH") == "NoUDH" or expected <= len(parts):
        return True
    when = parts[0].get("DateTime")
    if not isinstance(when, datetime):
        return True
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc) - when > PARTS_WAIT


def _describe(parts: list[dict]) -> dict:
    import gammu

    first = parts[0]
    locations = [(0, part["Location"]) for part in parts]
    when = first.get("DateTime") or first.get("SMSCDateTime")
    if first.get("Type") == "Status_Report":
        return {"kind": "report", "phone": normalise_phone(first.get("Number", "")),
                "reference": str(first.get("MessageReference")), "delivery_status": first.get("DeliveryStatus", 0),
                "when": when, "locations": locations}
    decoded = None
    try:
        decoded = gammu.DecodeSMS(parts)
    except gammu.GSMError:
        decoded = None
    if decoded and decoded.get("Entries") and decoded["Entries"][0].get("Buffer") is not None:
        text = "".join(entry.get("Buffer") or "" for entry in decoded["Entries"])
    else:
        text = "".join(part.get("Text") or "" for part in parts)
    phone = normalise_phone(first.get("Number", ""))
    stamp = when.isoformat() if isinstance(when, datetime) else str(when)
    digest = hashlib.sha256(f"{phone}|{stamp}|{text}".encode()).hexdigest()[:32]
    sid = f"gammu-in:{first['Location']}:{digest}"
    return {"kind": "text", "phone": phone, "text": text, "sid": sid, "when": when, "locations": locations}


def _code(exc: Exception) -> str:
    return type(exc).__name__
