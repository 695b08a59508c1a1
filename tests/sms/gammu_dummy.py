"""Gammu's ``dummy`` driver for the tests: a real Gammu state machine whose phone keeps its SMS
as files under one directory (``sms/1`` is the SIM inbox). ``Phone`` drops messages into that
inbox with Gammu itself (the same smsbackup files a modem's inbox reads as)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import gammu


def write_config(directory: Path) -> Path:
    device = directory / "modem"
    device.mkdir(parents=True, exist_ok=True)
    config = directory / "gammurc"
    config.write_text(f"[gammu]\ndevice = {device}\nconnection = none\nmodel = dummy\n")
    return config


class Phone:
    """The network's side: what arrives in the modem's inbox."""

    def __init__(self, config: Path):
        self.config = config
        self.device = Path(config.read_text().split("device = ")[1].split("\n")[0])

    def _machine(self):
        machine = gammu.StateMachine()
        machine.ReadConfig(Filename=str(self.config))
        machine.Init()
        return machine

    @staticmethod
    def encode(text: str) -> list[dict]:
        """The parts a phone sends for ``text`` (concatenated when it is long)."""
        return gammu.EncodeSMS({"Class": -1, "Unicode": False,
                                "Entries": [{"ID": "ConcatenatedTextLong", "Buffer": text}]})

    def deliver(self, sender: str, text: str | list[dict], when: datetime | None = None) -> list[int]:
        """An SMS from ``sender`` arrives: a text, or some of the parts ``encode`` made."""
        machine = self._machine()
        try:
            locations = []
            for part in self.encode(text) if isinstance(text, str) else text:
                part = dict(part)
                part.update({"Folder": 1, "State": "UnRead", "Type": "Deliver", "Number": sender,
                             "SMSC": {"Location": 1}, "DateTime": when or datetime.now(timezone.utc)})
                locations.append(machine.AddSMS(part)[0])
            return locations
        finally:
            machine.Terminate()

    def report(self, recipient: str, reference: int, status: int = 0) -> None:
        """The network's status report for a message the modem sent (TP-ST 0 = delivered)."""
        machine = self._machine()
        try:
            machine.AddSMS({"Folder": 1, "State": "UnRead", "Type": "Status_Report", "Number": recipient,
                            "MessageReference": reference, "DeliveryStatus": status, "Text": "",
                            "SMSC": {"Location": 1}, "DateTime": datetime.now(timezone.utc)})
        finally:
            machine.Terminate()

    def inbox_files(self) -> list[Path]:
        return sorted((self.device / "sms" / "1").glob("*"))
