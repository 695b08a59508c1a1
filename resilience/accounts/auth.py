"""Bearer-token authentication and role checks for the JSON API.

Roles: ``admin`` and ``coordinator`` read and write and see personal data; ``official`` reads
(reports, audit, aggregates, the registry) with NIK, KK numbers and phones masked.
"""

from __future__ import annotations

from functools import wraps

from flask import g, request

from resilience.accounts.models import User
from resilience.accounts.operations import user_for_token
from resilience.audit.chain import set_actor
from resilience.core.errors import Forbidden, Message, Unauthorized
from resilience.core.schemas import show_personal_data
from resilience.extensions import db
from resilience.vocabulary import WRITE_ROLES

READ_METHODS = ("GET", "HEAD", "OPTIONS")


def authenticate() -> User:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise Unauthorized("send 'Authorization: Bearer <token>' (resilience tokens create EMAIL)")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    user = user_for_token(db.session, token.strip())
    if user is None:
        raise Unauthorized(Message("the token is unknown, expired or revoked, or its user is deactivated"))
    g.user = user
    set_actor(f"{user.role}:{user.email}")
    show_personal_data(user.sees_personal_data)
    if request.method not in READ_METHODS and user.role not in WRITE_ROLES:
        raise Forbidden(f"the {user.role} role is read-only")
    return user


def current_user() -> User:
    return g.user


def roles(*allowed: str):
    """Restrict a view to some roles (on top of the read/write rule above)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user.role not in allowed:
                raise Forbidden(f"this needs one of the roles {', '.join(allowed)}; you are {user.role}")
            return view(*args, **kwargs)

        return wrapper

    return decorator
