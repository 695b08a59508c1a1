"""Encryption at rest for personal identifiers (NIK, KK number, household phone).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from
SECRET_KEY with HKDF, so the database file alone reveals nothing; a keyed digest (HMAC) of the
NIK lets us find duplicates without decrypting. Rotating SECRET_KEY therefore needs a re-encrypt
step; the README says so.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator


class _Keys:
    fernet: Fernet | None = None
    digest_key: bytes | None = None


def _derive(secret_key: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"resilience", info=info).derive(
        secret_key.encode("utf-8")
    )


def configure(secret_key: str) -> None:
    """Called by create_app(); the keys live for the process."""
    _Keys.fernet = Fernet(base64.urlsafe_b64encode(_derive(secret_key, b"field-encryption")))
    _Keys.digest_key = _derive(secret_key, b"field-digest")


def _fernet() -> Fernet:
    if _Keys.fernet is None:
        raise RuntimeError("crypto.configure() was not called (no app created)")
    return _Keys.fernet


def digest(value: str) -> str:
    """Keyed, deterministic digest for equality look-ups of a secret value."""
    if _Keys.digest_key is None:
        raise RuntimeError("crypto.configure() was not called (no app created)")
    return hmac.new(_Keys.digest_key, value.encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedString(TypeDecorator):
    """A string column stored encrypted; reads give the plain value back."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        if value is None:
            return None
        return _fernet().encrypt(value.encode("utf-8")).decode("ascii")

    def process_result_value(self, value: str | None, dialect) -> str | None:
        if value is None:
            return None
        try:
            return _fernet().decrypt(value.encode("ascii")).decode("utf-8")
        except InvalidToken:
            # Wrong SECRET_KEY or a tampered cell: never crash a listing over it.
            return None
