"""One commit per request (and per command): views never commit, the request does it for them.

A throw-away app on the test's database gets views that change data without committing;
what the database holds afterwards, seen from another connection, is the evidence."""

from __future__ import annotations

import pytest
from flask import Blueprint, jsonify
from sqlalchemy import text

from resilience.accounts.models import User
from resilience.accounts.operations import create_user
from resilience.app import create_app
from resilience.core.db import after_commit
from resilience.core.errors import Conflict
from resilience.core.transaction import CommitRefused, unit_of_work
from resilience.extensions import db

PASSWORD = "a-long-password"


def stored(email: str) -> int:
    """Rows with ``email``, read on a connection of its own (not the session under test)."""
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM users WHERE email = :e"), {"e": email}).scalar()


def _probe_views(effects: list) -> Blueprint:
    bp = Blueprint("probe", __name__, url_prefix="/probe")

    def add_user(email: str) -> User:
        user, _ = create_user(db.session, email, "official", PASSWORD)
        # Runs after the commit: the row must already be visible to another connection.
        after_commit(db.session, lambda: effects.append((email, stored(email))))
        return user

    @bp.post("/ok/<email>")
    def ok(email):
        return jsonify(id=add_user(email).id), 201

    @bp.post("/refused/<email>")
    def refused(email):
        add_user(email)
        return jsonify(error="no"), 422

    @bp.post("/conflict/<email>")
    def conflict(email):
        add_user(email)
        raise Conflict("changed my mind")

    @bp.post("/crash/<email>")
    def crash(email):
        add_user(email)
        raise RuntimeError("bug")

    @bp.get("/read/<email>")
    def read(email):
        add_user(email)  # a GET must not store anything, even by mistake
        return jsonify(ok=True)

    @bp.post("/duplicate/<email>")
    def duplicate(email):
        # Not flushed: only the commit meets the unique constraint.
        db.session.add(User(email=email, role="official", password_hash="x"))
        after_commit(db.session, lambda: effects.append((email, "ran")))
        return jsonify(ok=True), 201

    @bp.post("/committed-by-hand/<email>")
    def committed_by_hand(email):
        add_user(email)
        db.session.commit()
        return jsonify(ok=True), 201

    return bp


@pytest.fixture
def probe(app):
    """(test client, side effects seen) of a fresh app on the test's database."""
    effects: list = []
    probe_app = create_app(app.config["SETTINGS"], PROPAGATE_EXCEPTIONS=False)
    probe_app.register_blueprint(_probe_views(effects))
    yield probe_app.test_client(), effects
    with probe_app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def test_a_view_that_does_not_commit_has_its_change_stored(probe):
    client, effects = probe
    response = client.post("/probe/ok/ani@posko.test")
    assert response.status_code == 201
    assert stored("ani@posko.test") == 1
    # the side effect ran once, after the commit (its own connection already saw the row)
    assert effects == [("ani@posko.test", 1)]


@pytest.mark.parametrize("path, status", [("refused", 422), ("conflict", 409), ("crash", 500)])
def test_an_error_response_or_an_exception_stores_nothing(probe, path, status):
    client, effects = probe
    response = client.post(f"/probe/{path}/budi@posko.test")
    assert response.status_code == status
    assert stored("budi@posko.test") == 0
    assert effects == []
    # the next request of the same app starts clean: nothing left over is committed with it
    assert client.post("/probe/ok/cici@posko.test").status_code == 201
    assert stored("budi@posko.test") == 0
    assert effects == [("cici@posko.test", 1)]


def test_a_get_request_never_commits(probe):
    client, effects = probe
    assert client.get("/probe/read/dedi@posko.test").status_code == 200
    assert stored("dedi@posko.test") == 0
    assert effects == []


def test_a_commit_the_database_refuses_is_a_409_problem(probe):
    client, effects = probe
    assert client.post("/probe/ok/eko@posko.test").status_code == 201
    effects.clear()
    response = client.post("/probe/duplicate/eko@posko.test")
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"] == "/problems/commit-refused" and "nothing was stored" in body["detail"]
    assert "eko@posko.test" not in response.get_data(as_text=True)  # the database's words stay inside
    assert stored("eko@posko.test") == 1
    assert effects == []


def test_a_view_that_still_commits_by_hand_keeps_working(probe):
    client, effects = probe
    assert client.post("/probe/committed-by-hand/fajar@posko.test").status_code == 201
    assert stored("fajar@posko.test") == 1
    assert effects == [("fajar@posko.test", 1)]


def test_the_api_stores_without_a_commit_in_its_handlers(coordinator):
    # events/api.py has no commit of its own any more
    created = coordinator.post("/api/v1/events", json={
        "name": "Banjir uji", "started_at": "2026-01-05T06:00:00Z"})
    assert created.status_code == 201, created.get_json()
    with db.engine.connect() as conn:
        names = conn.execute(text("SELECT name FROM flood_events")).scalars().all()
    assert names == ["Banjir uji"]


# --- commands: the same guarantee as a context manager -------------------------------------
def test_unit_of_work_commits_once_at_the_end(app):
    effects = []
    db.session.rollback()
    with unit_of_work() as session:
        create_user(session, "gita@posko.test", "official", PASSWORD)
        after_commit(session, lambda: effects.append(stored("gita@posko.test")))
        assert stored("gita@posko.test") == 0  # not yet
    assert stored("gita@posko.test") == 1
    assert effects == [1]


def test_unit_of_work_rolls_back_when_the_block_fails(app):
    effects = []
    db.session.rollback()
    with pytest.raises(SystemExit):
        with unit_of_work() as session:
            create_user(session, "hadi@posko.test", "official", PASSWORD)
            after_commit(session, lambda: effects.append("ran"))
            raise SystemExit(2)  # what a command's _fail() does
    assert stored("hadi@posko.test") == 0
    with unit_of_work():
        pass  # a later commit of the same session runs nothing queued by the failed block
    assert effects == []


def test_unit_of_work_turns_a_refused_commit_into_a_conflict(app):
    db.session.rollback()
    with unit_of_work() as session:
        create_user(session, "indah@posko.test", "official", PASSWORD)
    with pytest.raises(CommitRefused):
        with unit_of_work() as session:
            session.add(User(email="indah@posko.test", role="official", password_hash="x"))
    assert stored("indah@posko.test") == 1


def test_a_failing_side_effect_leaves_the_change_stored_and_the_session_usable(app):
    db.session.rollback()

    def broken():
        raise RuntimeError("broker exploded")

    with pytest.raises(RuntimeError, match="broker exploded"):
        with unit_of_work() as session:
            create_user(session, "joko@posko.test", "official", PASSWORD)
            after_commit(session, broken)
    assert stored("joko@posko.test") == 1  # committed before the side effect ran
    with unit_of_work() as session:  # the same session goes on working
        create_user(session, "kartika@posko.test", "official", PASSWORD)
    assert stored("kartika@posko.test") == 1


def test_a_savepoint_release_is_not_the_commit(app):
    """``begin_nested`` (the alerts' race guard, the inbox) sends SQLAlchemy's after_commit when
    the savepoint is released; the queued effects must still wait for the real commit, when
    another connection can see the row."""
    from resilience.core.db import reset_read_only, set_read_only

    effects = []
    db.session.rollback()
    token = set_read_only(False)
    try:
        user, _ = create_user(db.session, "savepoint@posko.test", "official", PASSWORD)
        after_commit(db.session, lambda: effects.append(stored("savepoint@posko.test")))
        with db.session.begin_nested():
            create_user(db.session, "nested@posko.test", "official", PASSWORD)
        assert effects == []  # released, not committed
        db.session.commit()
    finally:
        reset_read_only(token)
    assert effects == [1]
