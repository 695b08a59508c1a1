"""Staff accounts, their web sessions and API tokens. Volunteers never log in: they use SMS."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resilience.core.db import UTCDateTime, utcnow
from resilience.extensions import db
from resilience.vocabulary import ROLES  # noqa: F401  (re-exported)


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user")

    @property
    def sees_personal_data(self) -> bool:
        return self.role in ("admin", "coordinator")


class ApiToken(db.Model):
    """Only a SHA-256 digest of the token is kept; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Past this time the token is refused (API_TOKEN_DAYS from creation; migration 0011 gave
    # older tokens one lifetime from the upgrade).
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")


class WebSession(db.Model):
    """One web login. The signed cookie carries a random id whose SHA-256 digest is kept here,
    so logging out (or deactivating the user) ends the session on the server: a copy of the
    cookie is refused afterwards. Idle time is checked from the cookie's signed last-seen time;
    the absolute lifetime from ``created_at``."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
