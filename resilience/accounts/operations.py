"""Creating staff users and API tokens; resolving a bearer token to its user."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from resilience.accounts.models import ApiToken, User
from resilience.audit.chain import record
from resilience.core.errors import Conflict, Message, NotFound, ValidationFailed
from resilience.vocabulary import ROLES

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOKEN_PREFIX = "rsl_"


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
    """Give ``user`` a new generated password and return it (shown once; only its hash is kept)."""
    password = secrets.token_urlsafe(12)
    user.password_hash = generate_password_hash(password)
    session.flush()
    record(session, "user.password_reset", "user", user.id, {"email": user.email})
    return password


def check_password(user: User, password: str) -> bool:
    return user.active and check_password_hash(user.password_hash, password)


def user_by_email(session: Session, email: str) -> User | None:
    """The user with this email, whatever its case (a web login, a token for a CLI user)."""
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_token(session: Session, email: str) -> str:
    user = user_by_email(session, email)
    if user is None:
        raise NotFound(Message("no user with email %(email)s", email=email))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, digest=token_digest(token), prefix=token[:12])
    session.add(row)
    session.flush()
    record(session, "token.created", "user", user.id, {"token_prefix": row.prefix})
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(
        select(ApiToken).where(ApiToken.digest == token_digest(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.active:
        return None
    return row.user
