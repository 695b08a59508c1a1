"""Personal data in the response log: sealed in the hashed payload, opened only for staff.

Officials read and verify the log, but must never see a family's or a volunteer's personal
data (names, addresses, exact points, free-text notes, SMS bodies). The hash must still cover
what happened. So a personal value is never written into the hashed payload in clear; what is
written is a *seal*, a salted commitment:

    payload["head_name"] = {"sealed": SHA-256( UTF-8( salt + canonical_json(value) ) )}

where ``salt`` is 32 random hexadecimal digits of this entry and field, and ``value`` is what the
payload would otherwise hold there (the value of a created row, ``[old, new]`` of an update).
The *openings* — ``{field: [salt, value]}`` for every seal of the entry — are stored beside the
entry, encrypted (``AuditEntry.private``, outside the hash, like ``event_id``).

Consequences:
- Everyone, officials included, gets the payload exactly as hashed and can recompute the chain
  (``audit verify``, ``verify_export.py``) without learning any personal value: the random salt
  makes a seal useless for guessing a name, a phone or a point.
- Coordinators and admins also get the openings (``personal`` in the API and export); anyone
  holding an opening can check it against its seal (:func:`opens`), so the clear values are
  as tamper-evident as the rest of the entry.
- Erasing a household's personal data (UU PDP) can delete the openings of its entries and the
  chain stays intact.

Which fields are personal: each audited model lists them in ``__audit_personal__``; fields in
``__audit_redact__`` (identity numbers, phones, who in the family is vulnerable) are not even
sealed: the log only says that they changed.

Entries written before seals existed hold personal values in clear in their hashed payload.
Officials get such an entry *withheld*: those values replaced by ``"<withheld>"`` and the line
marked ``"withheld": true``. Once the household such an entry is about has been erased, staff get
it withheld too: the erasure marks it (``{"_erased": true}`` in place of its openings,
:func:`erased_openings`), as the hashed payload itself cannot change. Its hash cannot be recomputed from that line, so the standalone
verifier checks it by its links only (its hash is the next entry's ``prev_hash``, anchors still
apply); the server's ``audit verify`` recomputes every entry, withheld or not.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from resilience.audit.canonical import as_hashed, canonical_json
from resilience.core import crypto

SEAL = "sealed"
WITHHELD = "<withheld>"
REDACTED = "<redacted>"
# In an entry's openings: its hashed payload holds personal values in clear (written before
# seals) about a household since erased: withheld from everyone, staff included.
ERASED = "_erased"


def seal_value(value: Any) -> tuple[dict[str, str], list]:
    """(the seal for the hashed payload, the opening ``[salt, value]`` kept encrypted)."""
    salt = secrets.token_hex(16)
    return {SEAL: _digest(salt, value)}, [salt, value]


def _digest(salt: str, value: Any) -> str:
    return hashlib.sha256((salt + canonical_json(value)).encode("utf-8")).hexdigest()


def opens(seal: Any, opening: Any) -> bool:
    """Whether ``opening`` ([salt, value]) is the opening of ``seal``."""
    return (is_seal(seal) and isinstance(opening, list) and len(opening) == 2
            and isinstance(opening[0], str) and _digest(opening[0], opening[1]) == seal[SEAL])


def is_seal(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {SEAL} and isinstance(value[SEAL], str)


def seal_payload(payload: dict[str, Any], personal: frozenset[str] | set[str]) -> tuple[dict[str, Any], dict]:
    """``payload`` with every personal field sealed, and the openings (empty when none)."""
    openings: dict[str, list] = {}
    if not personal or not isinstance(payload, dict):
        return payload, openings
    sealed = dict(payload)
    for key in personal & payload.keys():
        if payload[key] in (None, "", REDACTED) or is_seal(payload[key]):
            continue
        sealed[key], openings[key] = seal_value(payload[key])
    return sealed, openings


def encrypt_openings(openings: dict) -> str | None:
    """The value of ``AuditEntry.private`` (an EncryptedString column: encrypted on write)."""
    return canonical_json(openings) if openings else None


def erased_openings() -> str:
    """The ``private`` of an entry from before seals whose household was erased."""
    return canonical_json({ERASED: True})


def read_openings(private: str | None) -> dict | None:
    """The openings of an entry (its decrypted ``private``): ``None`` when it has none, ``{}``
    when no configured key reads them."""
    if not private:
        return None
    if isinstance(private, crypto.Unreadable):
        return {}
    try:
        openings = json.loads(private)
    except ValueError:
        return {}
    return openings if isinstance(openings, dict) else {}


def entity_type_of(model: Any) -> str:
    """The entity type entries name a model (class or instance) by: its table, singular."""
    name = model.__table__.name
    return name.rstrip("s") if name.endswith("s") else name


def personal_fields() -> dict[str, frozenset[str]]:
    """Entity type (as in entries) -> its personal fields, from every audited model mapped so
    far. Rebuilt whenever more models are mapped: an entry written while the app is still
    importing its models (an area seeded at start-up) must not freeze an incomplete map, or a
    household created later would be written, and shown to officials, unsealed."""
    from resilience.extensions import db

    mappers = db.Model.registry.mappers
    if len(mappers) != _PERSONAL["mapped"]:
        found: dict[str, frozenset[str]] = {}
        for mapper in mappers:
            cls = mapper.class_
            if getattr(cls, "__audit__", False) and hasattr(cls, "__table__"):
                found[entity_type_of(cls)] = frozenset(getattr(cls, "__audit_personal__", ()))
        _PERSONAL["map"], _PERSONAL["mapped"] = found, len(mappers)
    return _PERSONAL["map"]


_PERSONAL: dict[str, Any] = {"mapped": -1, "map": {}}


def withheld_payload(entity_type: str, payload: Any) -> tuple[Any, bool]:
    """The payload as an official may read it: unchanged when it holds no personal value in
    clear (seals and redactions are fine); else those values replaced by ``<withheld>``."""
    personal = personal_fields().get(entity_type, frozenset())
    if not isinstance(payload, dict) or not personal:
        return payload, False
    clear = [key for key in personal & payload.keys()
             if payload[key] not in (None, "", REDACTED) and not is_seal(payload[key])]
    if not clear:
        return payload, False
    return {**payload, **{key: WITHHELD for key in clear}}, True


def view(entry, personal: bool) -> dict[str, Any]:
    """One entry (an AuditEntry or a row with its columns) for the API and the export: for
    staff (``personal``) with its openings, for officials without any personal value."""
    return staff_view(entry) if personal else official_view(entry)


def official_view(entry) -> dict[str, Any]:
    """One entry for a role without personal data: exactly as hashed (plus links), or withheld."""
    line = as_hashed(entry)
    payload, withheld = withheld_payload(entry.entity_type, line["payload"])
    if withheld:
        line["payload"] = payload
        line["withheld"] = True
    return line


def staff_view(entry) -> dict[str, Any]:
    """One entry for staff: exactly as hashed (plus links) and, when it has seals, their
    openings as ``personal`` ({field: value}; not hashed, checked against the seals); an entry
    from before seals about an erased household withheld, as officials get it."""
    line = as_hashed(entry)
    openings = read_openings(getattr(entry, "private", None))
    if openings is not None and openings.get(ERASED) is True:  # about an erased household
        payload, withheld = withheld_payload(entry.entity_type, line["payload"])
        if withheld:
            line["payload"], line["withheld"] = payload, True
        return line
    if openings is not None:
        payload = line["payload"] if isinstance(line["payload"], dict) else {}
        line["personal"] = {key: opening[1] for key, opening in openings.items()
                            if opens(payload.get(key), opening)}
    return line
