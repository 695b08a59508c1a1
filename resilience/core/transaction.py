"""One transaction per unit of work: a request or a command commits once, in one place.

The code inside a unit of work (a view, a CLI command) changes the session and flushes; it
never commits. This module ends the work: it commits once when the work succeeded and rolls
back otherwise, as Indico's ``RH.process`` does. Side effects registered with
:func:`resilience.core.db.after_commit` (SMS sends, task enqueues) run inside that commit,
after the database accepted it, and never for work that was rolled back.

Requests (:class:`TransactionalFlask`): the view's return value is first made into a response,
then the request's session commits when the method may write and the status is below 400, and
rolls back otherwise (and on any exception). This happens *before* the response is finalised,
so a commit the database refuses (a unique or foreign-key constraint only the database can
check, a row stored by a concurrent request) answers 409 problem+json instead of a success that
was never stored. Read-only methods (GET, HEAD, OPTIONS) never commit: their transaction is
rolled back, and on SQLite they never asked for the write lock (``core.db.set_read_only``).

Commands and workers (:func:`unit_of_work`): the same guarantee as a context manager.

A view that still commits by hand keeps working: what it committed leaves nothing to commit.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator

from flask import Flask, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.orm import Session

from resilience.core.db import reset_read_only, set_read_only
from resilience.core.errors import Conflict
from resilience.extensions import db

log = logging.getLogger(__name__)

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CommitRefused(Conflict):
    code = "commit-refused"
    title = "The database refused the change"


def commit(session: Session) -> None:
    """Commit ``session``; a constraint the database enforces at commit time becomes a 409.

    The database's message is not passed on: it can quote the offending values (a NIK, a phone).
    """
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        diag = getattr(exc.orig, "diag", None)  # psycopg names the constraint, without values
        constraint = getattr(diag, "constraint_name", None) or type(exc.orig).__name__
        log.warning("commit refused by the database (%s); nothing was stored", constraint)
        raise CommitRefused(
            "the change conflicts with data stored in the meantime (a duplicate or a removed "
            "reference); nothing was stored: reload and try again"
        ) from None
    except BaseException:
        rollback(session)  # leave the session usable (a command may go on with it)
        raise


def rollback(session: Session) -> None:
    """End the transaction without storing anything; queued after-commit effects are dropped."""
    try:
        session.rollback()
    except InvalidRequestError:
        # An after-commit callback raised: the data is stored and the transaction stuck in its
        # "committed" state, where only closing ends it.
        session.close()


@contextmanager
def unit_of_work(session: Session | None = None) -> Iterator[Session]:
    """``with unit_of_work() as session: …`` commits once at the end, or rolls back when the
    block raises (``sys.exit`` included). Raises :class:`CommitRefused` like a request."""
    if session is None:
        session = db.session
    try:
        yield session
    except BaseException:
        rollback(session)
        raise
    commit(session)


@contextmanager
def read_phase(session: Session) -> Iterator[Session]:
    """A long read before a short write (a spreadsheet's checks before its rows are stored) in a
    transaction of its own that never writes: on SQLite a plain ``BEGIN``, so it does not hold
    the write lock a writing request takes with its first statement, and other coordinators'
    registrations go on meanwhile. Call it before the unit of work has written anything: the
    transaction so far is ended with a rollback (what was loaded is reloaded on next use), the
    block's own is rolled back at its end, and the writes after it begin a new one."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("read_phase() after changes: they would be lost")
    session.rollback()
    token = set_read_only(True)
    try:
        yield session
    finally:
        session.rollback()
        reset_read_only(token)


def discard(session: Session) -> None:
    """Roll back a request's work. What it loaded is detached, not expired, as closing the
    session at the end of the request always did: an error page, or a test sharing the
    session, still reads the values it saw without a new query."""
    session.expunge_all()
    rollback(session)


def end_request(session: Session, method: str, status: int) -> None:
    """Commit the request's work when it may write and succeeded; otherwise discard it."""
    if method in READ_ONLY_METHODS:
        if session.new or session.dirty or session.deleted:
            log.warning("a %s request changed data without committing it; the change is discarded",
                        method)
        discard(session)
    elif status < 400:
        commit(session)
    else:
        discard(session)


class TransactionalFlask(Flask):
    """Flask whose every request is one unit of work (see the module doc)."""

    def dispatch_request(self) -> ResponseReturnValue:
        try:
            response = self.make_response(super().dispatch_request())
        except BaseException:
            discard(db.session)
            raise
        end_request(db.session, request.method, response.status_code)
        return response
