"""API tokens expire, can be listed and revoked (CLI), and stop working the moment their user is
deactivated; a refused token is a 401 problem+json. Logins check one password hash whether the
email exists or not. On both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from resilience.accounts import operations
from resilience.accounts.models import ApiToken, User
from resilience.cli import tokens as tokens_cli
from resilience.cli import users as users_cli
from resilience.core.db import utcnow
from resilience.core.errors import ValidationFailed
from resilience.extensions import db


def _refused(client, token):
    response = client.get("/api/v1/events", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 401 and "expired or revoked" in body["detail"]
    return body


def _write(statement):
    db.session.execute(statement)
    db.session.commit()


def test_a_new_token_expires_after_the_configured_days(app, coordinator):
    row = db.session.scalar(select(ApiToken))
    lifetime = row.expires_at - row.created_at
    assert timedelta(days=90) - timedelta(seconds=5) < lifetime <= timedelta(days=90)
    db.session.rollback()
    token = operations.create_token(db.session, "koordinator@posko.test", days=2)
    db.session.commit()
    row = db.session.scalar(select(ApiToken).where(ApiToken.digest == operations.token_digest(token)))
    assert timedelta(days=2) - timedelta(seconds=5) < row.expires_at - row.created_at <= timedelta(days=2)
    db.session.rollback()
    with pytest.raises(ValidationFailed):
        operations.create_token(db.session, "koordinator@posko.test", days=0)
    db.session.rollback()


def test_an_expired_token_is_refused(app, coordinator):
    assert coordinator.get("/api/v1/events").status_code == 200
    _write(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    _refused(app.test_client(), coordinator.token)
    _write(update(ApiToken).values(expires_at=utcnow() + timedelta(minutes=5)))
    assert coordinator.get("/api/v1/events").status_code == 200


def test_revoked_by_prefix_on_the_command_line_stops_at_once(app, coordinator):
    runner = app.test_cli_runner()
    other = operations.create_token(db.session, "koordinator@posko.test")
    db.session.commit()
    listed = runner.invoke(tokens_cli, ["list", "koordinator@posko.test"])
    assert listed.exit_code == 0, listed.output
    assert coordinator.token[:12] in listed.output and other[:12] in listed.output
    assert coordinator.token not in listed.output  # only prefixes are ever shown
    result = runner.invoke(tokens_cli, ["revoke", coordinator.token[:12]])
    assert result.exit_code == 0, result.output
    assert "revoked" in result.output
    _refused(app.test_client(), coordinator.token)
    assert app.test_client().get("/api/v1/events", headers={"Authorization": f"Bearer {other}"}).status_code == 200
    listed = runner.invoke(tokens_cli, ["list"])
    assert f"{coordinator.token[:12]}  koordinator@posko.test  coordinator" in listed.output
    assert "revoked" in listed.output
    unknown = runner.invoke(tokens_cli, ["revoke", "rsl_nothing0"])
    assert unknown.exit_code == 2 and "no token starts with" in unknown.output


def test_revoking_every_token_of_a_user(app, coordinator, official):
    runner = app.test_cli_runner()
    second = operations.create_token(db.session, "koordinator@posko.test")
    db.session.commit()
    result = runner.invoke(tokens_cli, ["revoke", "--user", "Koordinator@posko.test"])
    assert result.exit_code == 0 and "2 token(s)" in result.output
    _refused(app.test_client(), coordinator.token)
    _refused(app.test_client(), second)
    assert official.get("/api/v1/events").status_code == 200
    assert runner.invoke(tokens_cli, ["revoke"]).exit_code == 2


def test_a_deactivated_users_tokens_stop_at_once_and_come_back_on_reactivation(app, coordinator):
    runner = app.test_cli_runner()
    assert coordinator.get("/api/v1/events").status_code == 200
    result = runner.invoke(users_cli, ["deactivate", "koordinator@posko.test"])
    assert result.exit_code == 0 and "deactivated" in result.output
    _refused(app.test_client(), coordinator.token)
    assert "user deactivated" in runner.invoke(tokens_cli, ["list"]).output
    assert runner.invoke(users_cli, ["activate", "koordinator@posko.test"]).exit_code == 0
    assert coordinator.get("/api/v1/events").status_code == 200
    actions = [a for (a,) in db.session.execute(select(db.text("action")).select_from(db.text("audit_entries")))]
    assert "user.deactivated" in actions and "user.activated" in actions
    db.session.rollback()


def test_an_unknown_email_checks_a_hash_like_a_known_one(app, monkeypatch):
    operations.create_user(db.session, "budi@posko.test", "coordinator", "a-long-password")
    db.session.commit()
    checked = []
    real = operations.check_password_hash

    def counting(stored, password):
        checked.append(stored)
        return real(stored, password)

    monkeypatch.setattr(operations, "check_password_hash", counting)
    user = db.session.scalar(select(User))
    assert operations.authenticate_password(db.session, "nobody@posko.test", "a-long-password") is None
    assert operations.authenticate_password(db.session, "", "x") is None
    assert operations.authenticate_password(db.session, "budi@posko.test", "wrong-password") is None
    assert operations.authenticate_password(db.session, "BUDI@posko.test", "a-long-password") == user
    assert len(checked) == 4  # one hash for each attempt, whatever the outcome
    assert checked[0] == checked[1] != user.password_hash  # the dummy, made like a real hash
    assert checked[0].split("$")[0] == user.password_hash.split("$")[0]
    user.active = False
    db.session.commit()
    checked.clear()
    assert operations.authenticate_password(db.session, "budi@posko.test", "a-long-password") is None
    assert len(checked) == 1
    db.session.rollback()


# --- the same over HTTP, for admins ---------------------------------------------------------------
def test_admins_list_issue_and_revoke_tokens_over_the_api(app, admin, coordinator):
    listed = admin.get("/api/v1/tokens")
    assert listed.status_code == 200
    rows = {row["email"]: row for row in listed.get_json()}
    assert set(rows) == {"admin@posko.test", "koordinator@posko.test"}
    mine = rows["koordinator@posko.test"]
    assert mine["prefix"] == coordinator.token[:12] and mine["state"] == "valid" and "token" not in mine
    assert coordinator.token not in listed.get_data(as_text=True)

    issued = admin.post("/api/v1/tokens", json={"email": "koordinator@posko.test", "days": 7})
    assert issued.status_code == 201
    body = issued.get_json()
    assert body["token"].startswith(body["prefix"]) and body["state"] == "valid"
    client = app.test_client()
    assert client.get("/api/v1/events", headers={"Authorization": f"Bearer {body['token']}"}).status_code == 200

    revoked = admin.post(f"/api/v1/tokens/{mine['id']}/revoke")
    assert revoked.status_code == 200 and revoked.get_json()["state"] == "revoked"
    _refused(client, coordinator.token)
    assert client.get("/api/v1/events", headers={"Authorization": f"Bearer {body['token']}"}).status_code == 200
    only = admin.get("/api/v1/tokens?email=koordinator@posko.test").get_json()
    assert sorted(row["state"] for row in only) == ["revoked", "valid"]

    assert admin.post("/api/v1/tokens/999/revoke").status_code == 404
    bad = admin.post("/api/v1/tokens", json={"email": "koordinator@posko.test", "days": 0})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "days"
    assert admin.get("/api/v1/tokens?who=me").status_code == 422  # unknown parameters are refused


def test_admins_deactivate_a_user_over_the_api(app, admin, coordinator):
    users = admin.get("/api/v1/users").get_json()["items"]
    target = next(u for u in users if u["email"] == "koordinator@posko.test")
    assert target["active"] is True and "password_hash" not in target
    response = admin.patch(f"/api/v1/users/{target['id']}", json={"active": False})
    assert response.status_code == 200 and response.get_json()["active"] is False
    _refused(app.test_client(), coordinator.token)
    assert admin.get("/api/v1/tokens?email=koordinator@posko.test").get_json()[0]["state"] == "user_deactivated"
    assert admin.patch(f"/api/v1/users/{target['id']}", json={"active": True}).status_code == 200
    assert coordinator.get("/api/v1/events").status_code == 200
    assert admin.patch("/api/v1/users/999", json={"active": False}).status_code == 404
    assert admin.patch(f"/api/v1/users/{target['id']}", json={"active": "maybe"}).status_code == 422


def test_only_admins_manage_accounts(coordinator, official):
    for client in (coordinator, official):
        for response in (client.get("/api/v1/tokens"), client.get("/api/v1/users"),
                         client.post("/api/v1/tokens", json={"email": "koordinator@posko.test"}),
                         client.post("/api/v1/tokens/1/revoke"), client.patch("/api/v1/users/1", json={"active": False})):
            assert response.status_code == 403, response.get_json()
            assert response.mimetype == "application/problem+json"
    assert coordinator.get("/api/v1/events").status_code == 200


def test_a_token_and_its_user_are_read_in_one_query(app, coordinator):
    """The token check runs before every API request: one statement, not one for the token and
    another for its user (bench/load.py)."""
    from tests.conftest import selects_sent

    try:
        with selects_sent() as selects:
            user = operations.user_for_token(db.session, coordinator.token)
            assert user is not None and user.email == "koordinator@posko.test" and user.active
    finally:
        db.session.rollback()
    assert len(selects) == 1, selects
