"""Staff users, their web sessions and API tokens: creating, checking, ending.

Checking a password costs the same whether the email exists or not (a hash is checked
either way), so the time a failed login takes does not tell which emails have accounts.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from resilience.accounts.models import ApiToken, User, WebSession
from resilience.audit.chain import record
from resilience.core.db import utcnow
from resilience.core.errors import Conflict, Message, NotFound, ValidationFailed
from resilience.vocabulary import ROLES

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOKEN_PREFIX = "rsl_"
DEFAULT_TOKEN_DAYS = 90  # the API_TOKEN_DAYS default (resilience.core.settings)
MAX_TOKEN_DAYS = 3650


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_user(session: Session, email: str, role: str, password: str | None) -> tuple[User, str | None]:
    """Returns the user and the generated password (None when one was given)."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise ValidationFailed.field("email", Message("%(email)r is not an email address", email=email))
    if role not in ROLES:
        raise ValidationFailed.field("role", Message("must be one of %(value)s; got %(role)r",
                                                     value=', '.join(ROLES), role=role))
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise Conflict(Message("a user with email %(email)s already exists", email=email))
    generated = None
    if password is None:
        password = generated = secrets.token_urlsafe(12)
    elif len(password) < 10:
        raise ValidationFailed.field("password", Message("must be at least 10 characters long"))
    user = User(email=email, role=role, password_hash=generate_password_hash(password))
    session.add(user)
    session.flush()
    record(session, "user.created", "user", user.id, {"email": email, "role": role})
    return user, generated


def reset_password(session: Session, user: User) -> str:
    """Give ``user`` a new generated password and return it (shown once; only its hash is kept).
    The user's web sessions end: whoever knew the old password is logged out."""
    password = secrets.token_urlsafe(12)
    user.password_hash = generate_password_hash(password)
    end_user_sessions(session, user.id)
    session.flush()
    record(session, "user.password_reset", "user", user.id, {"email": user.email})
    return password


def check_password(user: User, password: str) -> bool:
    return user.active and check_password_hash(user.password_hash, password)


_dummy_hash: str | None = None


def _dummy_password_hash() -> str:
    """A hash of a random password, made like a real one: checked when there is no user, so an
    unknown email costs as much time as a wrong password."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = generate_password_hash(secrets.token_urlsafe(16))
    return _dummy_hash


def authenticate_password(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, else None. One password hash is checked
    whatever the outcome (unknown email, deactivated user, wrong or right password)."""
    user = user_by_email(session, email) if email.strip() else None
    if user is None:
        check_password_hash(_dummy_password_hash(), password)
        return None
    matches = check_password_hash(user.password_hash, password)
    return user if matches and user.active else None


def user_by_email(session: Session, email: str) -> User | None:
    """The user with this email, whatever its case (a web login, a token for a CLI user)."""
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def _user(session: Session, email: str) -> User:
    user = user_by_email(session, email)
    if user is None:
        raise NotFound(Message("no user with email %(email)s", email=email))
    return user


def _default_token_days() -> int:
    from flask import current_app, has_app_context

    if has_app_context() and "SETTINGS" in current_app.config:
        return current_app.config["SETTINGS"].api_token_days
    return DEFAULT_TOKEN_DAYS


def create_token(session: Session, email: str, days: int | None = None) -> str:
    """A new token for the user, valid ``days`` days (default: the API_TOKEN_DAYS setting);
    returned once, only its digest is kept."""
    user = _user(session, email)
    days = _default_token_days() if days is None else days
    if not (1 <= days <= MAX_TOKEN_DAYS):
        raise ValidationFailed.field("days", Message("must be a whole number of days from 1 to %(max)s",
                                                     max=MAX_TOKEN_DAYS))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, digest=token_digest(token), prefix=token[:12],
                   expires_at=utcnow() + timedelta(days=days))
    session.add(row)
    session.flush()
    record(session, "token.created", "user", user.id,
           {"token_prefix": row.prefix, "expires_at": row.expires_at})
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The token's user while the token is neither revoked nor expired and the user is active."""
    # The user comes in the same query: this runs before every API request (bench/load.py).
    row = session.scalar(
        select(ApiToken).options(joinedload(ApiToken.user))
        .where(ApiToken.digest == token_digest(token), ApiToken.revoked_at.is_(None), ApiToken.expires_at > utcnow())
    )
    if row is None or not row.user.active:
        return None
    return row.user


def list_tokens(session: Session, email: str | None = None) -> list[ApiToken]:
    """Every token (of one user when ``email`` is given), newest first; only prefixes."""
    query = select(ApiToken).join(ApiToken.user).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if email is not None:
        query = query.where(ApiToken.user_id == _user(session, email).id)
    return list(session.scalars(query))


def revoke_token(session: Session, prefix: str) -> ApiToken:
    """Revoke the token whose first characters (as ``tokens list`` shows them) are ``prefix``."""
    prefix = prefix.strip()
    if len(prefix) < 8:
        raise ValidationFailed.field("prefix", Message("give the token's first 12 characters, as 'tokens list' shows them"))
    rows = list(session.scalars(select(ApiToken).where(ApiToken.prefix == prefix[:12])))
    rows = [row for row in rows if len(prefix) <= 12 or row.digest == token_digest(prefix)]
    if not rows:
        raise NotFound(Message("no token starts with %(prefix)s", prefix=prefix[:12]))
    if len(rows) > 1:
        raise Conflict(Message("%(count)s tokens start with %(prefix)s: give the whole token", count=len(rows),
                               prefix=prefix[:12]))
    return revoke(session, rows[0])


def revoke(session: Session, row: ApiToken) -> ApiToken:
    """Revoke this token from now on (a revoked one stays as it was)."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
        record(session, "token.revoked", "user", row.user_id, {"token_prefix": row.prefix})
    return row


def revoke_user_tokens(session: Session, email: str) -> int:
    """Revoke every live token of the user; returns how many."""
    user = _user(session, email)
    now = utcnow()
    rows = list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))))
    for row in rows:
        row.revoked_at = now
    session.flush()
    if rows:
        record(session, "token.revoked", "user", user.id, {"token_prefix": [row.prefix for row in rows]})
    return len(rows)


def set_active(session: Session, email: str, active: bool) -> User:
    """Deactivate (or reactivate) a user. A deactivated user's tokens and web sessions are
    refused from the next request on (both check ``active``); the web sessions are also ended."""
    user = _user(session, email)
    if user.active != active:
        user.active = active
        if not active:
            end_user_sessions(session, user.id)
        session.flush()
        record(session, "user.activated" if active else "user.deactivated", "user", user.id, {"email": user.email})
    return user


# --- web sessions -----------------------------------------------------------------------------
def start_web_session(session: Session, user: User, not_before: datetime | None = None) -> str:
    """A new server-side session for ``user``; returns the random id its cookie carries. The
    user's ended sessions, and those started before ``not_before`` (past the absolute
    lifetime), are deleted: a missing row is refused like an ended one."""
    stale = WebSession.ended_at.is_not(None)
    if not_before is not None:
        stale = stale | (WebSession.created_at <= not_before)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id, stale))
    sid = secrets.token_urlsafe(32)
    session.add(WebSession(user_id=user.id, digest=token_digest(sid)))
    session.flush()
    return sid


def web_session_user(session: Session, sid: str, not_before: datetime) -> User | None:
    """The user of the live session ``sid`` started after ``not_before`` (the absolute
    lifetime), if that user is active; else None."""
    row = session.scalar(select(WebSession).options(joinedload(WebSession.user))
                         .where(WebSession.digest == token_digest(sid), WebSession.ended_at.is_(None)))
    if row is None or row.created_at <= not_before or not row.user.active:
        return None
    return row.user


def end_web_session(session: Session, sid: str) -> None:
    session.execute(update(WebSession).where(WebSession.digest == token_digest(sid), WebSession.ended_at.is_(None))
                    .values(ended_at=utcnow()))


def end_user_sessions(session: Session, user_id: int) -> None:
    session.execute(update(WebSession).where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
                    .values(ended_at=utcnow()))
