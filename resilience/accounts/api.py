"""Staff accounts and API tokens over HTTP, for admins: list users, deactivate or reactivate
one, list tokens (prefixes only), issue one, revoke one. The CLI (``resilience users …``,
``resilience tokens …``) does the same through the same operations."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from sqlalchemy import select

from resilience.accounts.auth import roles
from resilience.accounts.models import ApiToken, User
from resilience.accounts.operations import create_token, list_tokens, revoke, set_active, token_digest
from resilience.core.api import PageArgs, list_schema, paginate
from resilience.core.db import utcnow
from resilience.core.errors import Message, NotFound
from resilience.extensions import db

blp = Blueprint("accounts", __name__, url_prefix="", description="Staff accounts and API tokens (admins only)")


class UserSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    email = ma.fields.String(dump_only=True)
    role = ma.fields.String(dump_only=True)
    active = ma.fields.Boolean(required=True, metadata={
        "description": "false: the user's tokens and web sessions stop working at once"})
    created_at = ma.fields.DateTime(dump_only=True)


class UserPatchSchema(ma.Schema):
    active = ma.fields.Boolean(required=True)


def _token_state(token: ApiToken) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= utcnow():
        return "expired"
    return "valid" if token.user.active else "user_deactivated"


class TokenSchema(ma.Schema):
    id = ma.fields.Integer()
    prefix = ma.fields.String(metadata={"description": "the token's first 12 characters"})
    email = ma.fields.Function(lambda token: token.user.email)
    created_at = ma.fields.DateTime()
    expires_at = ma.fields.DateTime()
    revoked_at = ma.fields.DateTime(allow_none=True)
    state = ma.fields.Function(_token_state, metadata={"enum": ["valid", "expired", "revoked", "user_deactivated"]})


class NewTokenSchema(ma.Schema):
    email = ma.fields.Email(required=True)
    days = ma.fields.Integer(validate=ma.validate.Range(min=1, max=3650), metadata={
        "description": "lifetime in days; default API_TOKEN_DAYS"})


class IssuedTokenSchema(TokenSchema):
    token = ma.fields.String(metadata={"description": "shown once; only its digest is kept"})


class TokenQuery(ma.Schema):
    email = ma.fields.String(metadata={"description": "only this user's tokens"})


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(Message("no user with id %(id)s", id=user_id))
    return user


def _token(token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(Message("no token with id %(id)s", id=token_id))
    return token


@blp.get("/users")
@roles("admin")
@blp.arguments(PageArgs, location="query", unknown=ma.RAISE)
@blp.response(200, list_schema(UserSchema, "UserList"))
def list_users(page):
    return paginate(db.session, select(User).order_by(User.id), page)


@blp.patch("/users/<int:user_id>")
@roles("admin")
@blp.arguments(UserPatchSchema)
@blp.response(200, UserSchema)
def patch_user(body, user_id):
    return set_active(db.session, _user(user_id).email, body["active"])


@blp.get("/tokens")
@roles("admin")
@blp.arguments(TokenQuery, location="query", unknown=ma.RAISE)
@blp.response(200, TokenSchema(many=True))
def list_api_tokens(args):
    return list_tokens(db.session, args.get("email"))


@blp.post("/tokens")
@roles("admin")
@blp.arguments(NewTokenSchema)
@blp.response(201, IssuedTokenSchema)
def issue_token(body):
    secret = create_token(db.session, body["email"], body.get("days"))
    token = db.session.scalar(select(ApiToken).where(ApiToken.digest == token_digest(secret)))
    token.token = secret
    return token


@blp.post("/tokens/<int:token_id>/revoke")
@roles("admin")
@blp.response(200, TokenSchema)
def revoke_api_token(token_id):
    return revoke(db.session, _token(token_id))
