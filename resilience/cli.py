"""The ``resilience`` console script: a Flask CLI group.

Every command that touches the database commits once at its end; bad input prints one line
naming the row or field and exits non-zero, with nothing stored.
"""

from __future__ import annotations

import getpass
import json
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from resilience.core.errors import DomainError
from resilience.core.settings import SettingsError
from resilience.vocabulary import ROLES


def _create_app():
    from resilience.app import create_app

    return create_app()


cli = FlaskGroup(create_app=_create_app, help="Resilience: flood-response coordination.")


def _fail(message: str, code: int = 2):
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _set_cli_actor() -> None:
    from resilience.audit.chain import set_actor

    try:
        user = getpass.getuser()
    except Exception:
        user = "unknown"
    set_actor(f"cli:{user}")


def upgrade_database() -> None:
    """Apply migrations and seed the reference areas when there are none."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from resilience.areas.models import AdminArea
    from resilience.areas.operations import import_areas, load_geojson
    from resilience.extensions import db

    upgrade(directory=current_app.extensions["migrate"].directory)
    try:
        if db.session.scalar(select(func.count()).select_from(AdminArea)) == 0:
            _set_cli_actor()
            import_areas(db.session, load_geojson())
        db.session.commit()
    finally:
        # Never keep a transaction open past this point: on SQLite it would hold the
        # write lock for as long as the process lives (serve).
        db.session.remove()


@cli.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the database schema and seed the Palangka Raya kelurahan."""
    upgrade_database()
    click.echo("database ready")


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int):
    """Run the service (embedded default: SQLite + SpatiaLite, outbox SMS)."""
    from werkzeug.serving import run_simple

    upgrade_database()
    app = current_app._get_current_object()
    settings = app.config["SETTINGS"]
    mode = "embedded" if settings.embedded else "with Redis"
    db_kind = "SpatiaLite" if settings.is_sqlite else "PostGIS"
    click.echo(f"Resilience on http://{host}:{port} ({db_kind}, {mode}, SMS {settings.sms_backend})")
    if settings.embedded:
        from resilience.core.embedded import EmbeddedScheduler

        EmbeddedScheduler(app).start()
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


@cli.command("demo")
@click.option("--seed", default=2024, show_default=True, type=int)
@with_appcontext
def demo(seed: int):
    """Load the Rakumpit demo data (idempotent: skipped when already loaded)."""
    from resilience.demo.load import load_demo

    settings = current_app.config["SETTINGS"]
    if settings.sms_backend != "outbox":
        _fail("the demo's phone numbers are invented: load it only with SMS_BACKEND=outbox")
    upgrade_database()
    _set_cli_actor()
    summary = load_demo(seed=seed)
    click.echo(summary)


@cli.group("users")
def users():
    """Staff accounts."""


@users.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--password", default=None, help="omit to generate one (printed once)")
@with_appcontext
def users_create(email: str, role: str, password: str | None):
    """Create a staff user."""
    from resilience.accounts.operations import create_user
    from resilience.extensions import db

    if password is None and sys.stdin.isatty():
        password = click.prompt("Password (empty: generate one)", hide_input=True,
                                confirmation_prompt=True, default="", show_default=False) or None
    _set_cli_actor()
    try:
        user, generated = create_user(db.session, email, role, password)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        _fail(exc.detail)
    click.echo(f"created {user.role} {user.email} (id {user.id})")
    if generated:
        click.echo(f"password: {generated}")


@cli.group("tokens")
def tokens():
    """API tokens."""


@tokens.command("create")
@click.argument("email")
@with_appcontext
def tokens_create(email: str):
    """Create an API token for a user; the token is the last line printed."""
    from resilience.accounts.operations import create_token
    from resilience.extensions import db

    _set_cli_actor()
    try:
        token = create_token(db.session, email)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        _fail(exc.detail)
    click.echo(f"token for {email.strip().lower()} (shown once; store it safely):")
    click.echo(token)


@cli.command("match-file", with_appcontext=False)
@click.argument("problem", type=click.Path(dir_okay=False))
def match_file(problem: str):
    """Solve a matching problem file exactly and print the result as JSON."""
    from resilience.matching.problem import ProblemError, run_problem_file

    try:
        result = run_problem_file(problem)
    except ProblemError as exc:
        _fail(f"{problem}: {exc}")
    except OSError as exc:
        _fail(f"{problem}: {exc.strerror or exc}")
    click.echo(json.dumps(result, ensure_ascii=False))


@cli.group("import")
def import_group():
    """Import reference data."""


@import_group.command("households")
@click.argument("spreadsheet", type=click.Path(exists=True, dir_okay=False))
@click.option("--event", "event_id", type=int, default=None, help="flood event for the needs column")
@click.option("--dry-run", is_flag=True, help="check every row and report; store nothing")
@click.option("--mode", type=click.Choice(["all_or_nothing", "valid_rows"]), default="all_or_nothing",
              show_default=True, help="store all rows or none, or only the rows without errors")
@click.option("--sheet", default=None, help="the sheet of an XLSX workbook to read")
@with_appcontext
def import_households_cmd(spreadsheet: str, event_id: int | None, dry_run: bool, mode: str, sheet: str | None):
    """Import households from a CSV or XLSX file; each problem is named by row and field."""
    from pathlib import Path

    from resilience.events.operations import get_event
    from resilience.extensions import db
    from resilience.households.importer import import_households

    _set_cli_actor()
    try:
        event = get_event(db.session, event_id) if event_id is not None else None
        report = import_households(db.session, Path(spreadsheet).read_bytes(), event, filename=spreadsheet,
                                   sheet=sheet, dry_run=dry_run, mode=mode)
    except DomainError as exc:
        db.session.rollback()
        _fail(f"{spreadsheet}: {exc.detail}" + (f" {exc.extra['suggestion']}" if exc.extra.get("suggestion") else ""))
    for line in report.lines():
        click.echo(f"{spreadsheet}: {line}", err=True)
    where = f" (sheet {report.sheet})" if report.sheet else ""
    if dry_run:
        db.session.rollback()
        click.echo(f"dry run{where}: {report.valid_rows} of {report.rows} rows are valid, "
                   f"{len(report.errors)} error(s), {len(report.warnings)} warning(s); nothing was stored")
        if report.errors:
            sys.exit(1)
        return
    if report.created == 0 and report.errors:
        db.session.rollback()
        _fail(f"{len(report.errors)} problem(s); nothing was imported", code=1)
    db.session.commit()
    click.echo(f"{report.created} households and {report.needs_created} needs imported from {report.rows} rows"
               + where + (f"; {report.rows - report.valid_rows} rows skipped" if report.errors else ""))


@import_group.command("areas")
@click.argument("geojson", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_areas_cmd(geojson: str):
    """Import admin areas (kelurahan/desa with Kemendagri codes) from a GeoJSON file."""
    from resilience.areas.operations import import_areas, load_geojson
    from resilience.extensions import db

    _set_cli_actor()
    try:
        count = import_areas(db.session, load_geojson(geojson))
        db.session.commit()
    except (DomainError, ValueError, KeyError) as exc:
        db.session.rollback()
        _fail(f"{geojson}: {getattr(exc, 'detail', exc)}")
    click.echo(f"{count} areas imported")


@cli.command("report")
@click.argument("event_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "geojson"]), default="json", show_default=True)
@click.option("--table", type=click.Choice(["kelurahan", "waiting", "aid"]), default="kelurahan", show_default=True,
              help="csv only: which table")
@with_appcontext
def report_cmd(event_id: int, fmt: str, table: str):
    """Print the official report of a flood event (no personal data) to standard output."""
    from resilience.events.operations import get_event
    from resilience.extensions import db
    from resilience.reports.api import render
    from resilience.reports.operations import build_report

    try:
        event = get_event(db.session, event_id)
    except DomainError as exc:
        _fail(exc.detail)
    body, _media_type = render(build_report(db.session, event), fmt, table, db.session)
    click.echo(body, nl=not body.endswith("\n"))


@cli.group("audit")
def audit():
    """The response log."""


@audit.command("verify")
@click.option("--anchor", "anchors", multiple=True, metavar="SEQ:HASH",
              help="an entry that must still have this hash, e.g. the audit head a report printed")
@with_appcontext
def audit_verify(anchors):
    """Check the audit hash chain; exit 1 when it is broken."""
    from resilience.audit.chain import parse_anchor, verify
    from resilience.extensions import db

    wanted = {}
    for text in anchors:
        try:
            seq, digest = parse_anchor(text)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--anchor") from None
        wanted[seq] = digest
    result = verify(db.session, wanted)
    click.echo(json.dumps(result.as_dict()))
    if not result.ok:
        sys.exit(1)


def main() -> None:
    try:
        cli.main(prog_name="resilience")
    except SettingsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
if __name__ == "__main__":
    main()
