"""Encryption at rest for personal identifiers (NIK, KK number, every stored phone number).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under the keys of
``FIELD_ENCRYPTION_KEYS`` (newest first), independent of ``SECRET_KEY``: new values are
encrypted under the newest key, any configured key decrypts (MultiFernet), and
``resilience keys rotate`` re-encrypts old values under the newest one.

Deployments from before that setting encrypted under a key derived from ``SECRET_KEY`` with
HKDF: that *legacy* key is always accepted as the oldest key, so their data keeps reading
until it is rotated (and a changed ``SECRET_KEY`` no longer matters once it has been).

Keyed digests (HMAC-SHA256) of the NIK and KK number find duplicates and searches without
decrypting. Each encryption key has its own digest key (HKDF of it, info "field-digest"):
stored digests use the newest key, look-ups try every key's digest (:func:`lookup_digests`),
and a rotation rewrites the digests with the ciphertexts. Why not one fixed digest key: a NIK
has few enough possible values to be found from its digest by trying them all, so a leaked
key must retire its digests as well as its ciphertexts.

A value no key decrypts is not hidden as ``null``: it reads as :data:`UNREADABLE`, is logged
(without the value) and counted (:func:`decrypt_failures`, and the Prometheus counter
``resilience_decrypt_failures_total`` on /metrics).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import threading
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Text
from sqlalchemy.orm import validates
from sqlalchemy.types import TypeDecorator

from resilience.core.metrics import DECRYPT_FAILURES

log = logging.getLogger("resilience.crypto")


class Unreadable(str):
    """The value of an encrypted field that no configured key decrypts."""


#: What an undecryptable field reads as (the API and the pages show it as is).
UNREADABLE = Unreadable("<unreadable>")


class _Keys:
    primary: Fernet | None = None  # the newest key: encrypts
    fernet: MultiFernet | None = None  # every key, newest first, the legacy one last: decrypts
    digest_keys: tuple[bytes, ...] = ()  # newest first, the same order
    failures = 0
    lock = threading.Lock()


def _derive(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"resilience", info=info).derive(material)


def legacy_key(secret_key: str) -> bytes:
    """The Fernet key that encrypted fields before FIELD_ENCRYPTION_KEYS existed."""
    return base64.urlsafe_b64encode(_derive(secret_key.encode("utf-8"), b"field-encryption"))


def configure(field_keys: Sequence[str], secret_key: str) -> None:
    """Called by create_app(); the keys live for the process. ``field_keys``: Fernet keys,
    newest first (may be empty: then the legacy key derived from ``secret_key`` is the only one)."""
    fernets = [Fernet(key) for key in field_keys]
    legacy = Fernet(legacy_key(secret_key))
    digest_keys = [_derive(base64.urlsafe_b64decode(key), b"field-digest") for key in field_keys]
    digest_keys.append(_derive(secret_key.encode("utf-8"), b"field-digest"))
    _Keys.primary = fernets[0] if fernets else legacy
    _Keys.fernet = MultiFernet([*fernets, legacy])
    _Keys.digest_keys = tuple(digest_keys)


def _require() -> MultiFernet:
    if _Keys.fernet is None:
        raise RuntimeError("crypto.configure() was not called (no app created)")
    return _Keys.fernet


def encrypt(value: str) -> str:
    _require()
    return _Keys.primary.encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The plain value; raises InvalidToken when no configured key fits."""
    return _require().decrypt(token.encode("ascii")).decode("utf-8")


def is_current(token: str) -> bool:
    """True when the newest key decrypts ``token`` (nothing to rotate)."""
    _require()
    try:
        _Keys.primary.decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


def _hmac(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def digest(value: str) -> str:
    """Keyed, deterministic digest for equality look-ups of a secret value (newest key): what
    is stored."""
    _require()
    return _hmac(_Keys.digest_keys[0], value)


def lookup_digests(value: str) -> list[str]:
    """The digest of ``value`` under every configured key, newest first: what a look-up
    compares against, so rows not yet rotated are still found."""
    _require()
    return list(dict.fromkeys(_hmac(key, value) for key in _Keys.digest_keys))


def matches(digest_column, value: str):
    """A WHERE clause: ``digest_column`` holds the keyed digest of ``value`` under any configured
    key. How every look-up of an encrypted value goes (a phone, a NIK): comparing the encrypted
    column itself never matches, its ciphertexts are random."""
    return digest_column.in_(lookup_digests(value))


class PhoneDigest:
    """Mixin of a model with an encrypted ``phone`` and its keyed ``phone_digest`` column: setting
    the phone keeps the digest, and ``phone_is`` is the WHERE clause that finds a row by phone."""

    @validates("phone")
    def _digest_phone(self, _key: str, phone: str | None) -> str | None:
        self.phone_digest = digest(phone) if phone else None
        return phone

    @classmethod
    def phone_is(cls, phone: str):
        """A WHERE clause: the rows with this E.164 phone (through the digest)."""
        return matches(cls.phone_digest, phone)


def record_failure() -> None:
    with _Keys.lock:
        _Keys.failures += 1
        count = _Keys.failures
    DECRYPT_FAILURES.inc()  # /metrics: resilience_decrypt_failures_total
    # Never the value, the token or the row: only that it happened and how often.
    log.error("an encrypted field could not be decrypted with any key in FIELD_ENCRYPTION_KEYS "
              "(failed decrypts in this process: %d)", count)


def decrypt_failures() -> int:
    """Failed decrypts since the process started (for metrics)."""
    return _Keys.failures


class EncryptedString(TypeDecorator):
    """A string column stored encrypted; reads give the plain value back, or UNREADABLE."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, Unreadable):
            raise ValueError("an unreadable encrypted value cannot be stored back")
        return encrypt(value)

    def process_result_value(self, value: str | None, dialect) -> str | None:
        if value is None:
            return None
        try:
            return decrypt(value)
        except (InvalidToken, UnicodeError):
            # Wrong or missing key, or a tampered cell: say so, never crash a listing over it.
            record_failure()
            return UNREADABLE
