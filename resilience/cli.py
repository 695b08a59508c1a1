"""The ``resilience`` console script: a Flask CLI group.

Every command that changes the database is one unit of work (``core.transaction``): it commits
once at its end; bad input prints one line naming the row or field and exits non-zero, with
nothing stored.
"""

from __future__ import annotations

import copy
import getpass
import json
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from resilience.core.commands import COMMANDS
from resilience.core.errors import DomainError
from resilience.core.settings import SettingsError
from resilience.core.transaction import unit_of_work
from resilience.vocabulary import ERASURE_REASONS, ROLES


def _create_app():
    import logging

    from resilience.app import create_app
    from resilience.core import logging as safe_logging
    from resilience.core.settings import Settings

    settings = Settings.from_env()
    # Commands print their results; the log says only what went wrong (serve raises the level).
    safe_logging.configure(settings.log_format, logging.WARNING)
    return create_app(settings)


def project_version() -> str:
    """The installed package's version (pyproject.toml), e.g. ``0.1.0``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("resilience")
    except PackageNotFoundError:
        return "unknown (not installed: pip install -e .)"


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"resilience {project_version()}")
        ctx.exit()


cli = FlaskGroup(
    create_app=_create_app,
    help="Resilience: flood-response coordination.",
    # Flask's --version prints Python's, Flask's and Werkzeug's versions, not ours.
    add_version_option=False,
    params=[click.Option(["--version"], is_flag=True, expose_value=False, is_eager=True,
                         callback=_print_version, help="Show the version and exit.")],
    # Only the file given with -e/--env-file is read: a .env found by searching up from the
    # current directory (docker compose's, with production settings) is never picked up.
    load_dotenv=False,
)


def _env_file_help(param: click.Parameter) -> click.Parameter:
    """Flask's -e/--env-file, its help saying what it does here (no .env/.flaskenv defaults)."""
    if param.name != "env_file":
        return param
    option = copy.copy(param)  # the original is shared by every FlaskGroup
    option.help = ("Read settings (KEY=value lines) from this file; variables already set in "
                   "the environment win. Needs python-dotenv (a dependency).")
    return option


cli.params = [_env_file_help(param) for param in cli.params]


for _command in COMMANDS:  # keys, backup, restore (resilience/core/commands.py)
    cli.add_command(_command)


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
        with unit_of_work() as session:
            if session.scalar(select(func.count()).select_from(AdminArea)) == 0:
                _set_cli_actor()
                import_areas(session, load_geojson())
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


def refuse_foreign_keys() -> None:
    """Stop (exit 2, one line) when the field-encryption keys decrypt none of the database's
    encrypted values, instead of serving every NIK and phone as <unreadable>."""
    from resilience.core.keys import check, refusal
    from resilience.extensions import db

    report = check(db.engine, db.metadata)
    if not report.keys_fit:
        _fail(refusal(report))
    if report.unreadable:  # some fit, some not: a tampered cell, or values from a lost key
        click.echo("warning: some encrypted values decrypt with none of the configured keys ("
                   + ", ".join(sorted(report.unreadable)) + "); 'resilience keys rotate' lists their rows",
                   err=True)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int):
    """Run the service (embedded default: SQLite + SpatiaLite, outbox SMS) on waitress, a
    production WSGI server (gunicorn serves it in production: see the README)."""
    import logging

    from waitress import serve as waitress_serve

    logging.getLogger().setLevel(logging.INFO)  # one line a request (core.requestlog), as gunicorn
    upgrade_database()
    refuse_foreign_keys()
    app = current_app._get_current_object()
    settings = app.config["SETTINGS"]
    mode = "embedded" if settings.embedded else "with Redis"
    db_kind = "SpatiaLite" if settings.is_sqlite else "PostGIS"
    click.echo(f"Resilience on http://{host}:{port} ({db_kind}, {mode}, SMS {settings.sms_backend})")
    if settings.embedded:
        from resilience.core.embedded import EmbeddedScheduler, EmbeddedWorker
        from resilience.sms.outbox import SEND_TASK

        EmbeddedScheduler(app).start()
        EmbeddedWorker(app, [SEND_TASK]).start()  # a request that queues SMS answers at once
    from resilience.app import freeze_loaded_objects

    freeze_loaded_objects()
    # Behind PROXY_COUNT proxies the app's ProxyFix reads X-Forwarded-*: waitress must pass them on.
    waitress_serve(app, host=host, port=port, threads=8, ident="Resilience",
                   clear_untrusted_proxy_headers=not settings.proxy_count)


@cli.command("demo")
@click.option("--seed", default=2024, show_default=True, type=int)
@with_appcontext
def demo(seed: int):
    """Load the Rakumpit demo data (once) and print web logins for its coordinator and
    official (new passwords on every run)."""
    from resilience.demo.load import demo_logins, load_demo

    settings = current_app.config["SETTINGS"]
    if settings.sms_backend != "outbox":
        _fail("the demo's phone numbers are invented: load it only with SMS_BACKEND=outbox")
    upgrade_database()
    _set_cli_actor()
    with unit_of_work() as session:
        logins = demo_logins(session)  # first: load_demo makes the API tokens for these users
        summary = load_demo(seed=seed)
    click.echo(summary)
    click.echo("Web logins: run 'resilience serve', open http://127.0.0.1:5000/login "
               "(new passwords each time 'resilience demo' runs):")
    for role, email, password in logins:
        click.echo(f"  {role:<12} {email}  password: {password}")


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

    if password is None and sys.stdin.isatty():
        password = click.prompt("Password (empty: generate one)", hide_input=True,
                                confirmation_prompt=True, default="", show_default=False) or None
    _set_cli_actor()
    try:
        with unit_of_work() as session:
            user, generated = create_user(session, email, role, password)
    except DomainError as exc:
        _fail(exc.detail)
    click.echo(f"created {user.role} {user.email} (id {user.id})")
    if generated:
        click.echo(f"password: {generated}")


@cli.group("tokens")
def tokens():
    """API tokens."""


@users.command("deactivate")
@click.argument("email")
@with_appcontext
def users_deactivate(email: str):
    """Deactivate a user: their API tokens and web sessions stop working at once."""
    _set_active(email, False)


@users.command("activate")
@click.argument("email")
@with_appcontext
def users_activate(email: str):
    """Reactivate a deactivated user (their ended web sessions stay ended)."""
    _set_active(email, True)


def _set_active(email: str, active: bool) -> None:
    from resilience.accounts.operations import set_active

    _set_cli_actor()
    try:
        with unit_of_work() as session:
            user = set_active(session, email, active)
    except DomainError as exc:
        _fail(exc.detail)
    click.echo(f"{user.email} is {'active' if user.active else 'deactivated'}")


@tokens.command("create")
@click.argument("email")
@click.option("--days", type=int, default=None,
              help="how long the token works (default: API_TOKEN_DAYS, 90 unless set)")
@with_appcontext
def tokens_create(email: str, days: int | None):
    """Create an API token for a user; the token is the last line printed."""
    from sqlalchemy import select

    from resilience.accounts.models import ApiToken
    from resilience.accounts.operations import create_token, token_digest

    _set_cli_actor()
    try:
        with unit_of_work() as session:
            token = create_token(session, email, days)
            expires = session.scalar(select(ApiToken.expires_at).where(ApiToken.digest == token_digest(token)))
    except DomainError as exc:
        _fail(exc.detail)
    click.echo(f"token for {email.strip().lower()}, valid until {expires:%Y-%m-%d %H:%M} UTC "
               "(shown once; store it safely):")
    click.echo(token)


@tokens.command("list")
@click.argument("email", required=False)
@with_appcontext
def tokens_list(email: str | None):
    """List API tokens (of one user when EMAIL is given): prefix, user, state, dates."""
    from resilience.accounts.operations import list_tokens
    from resilience.core.db import utcnow
    from resilience.extensions import db

    try:
        rows = list_tokens(db.session, email)
        now = utcnow()
        for row in rows:
            if row.revoked_at is not None:
                state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}"
            elif row.expires_at <= now:
                state = f"expired {row.expires_at:%Y-%m-%d %H:%M}"
            elif not row.user.active:
                state = "user deactivated"
            else:
                state = f"valid until {row.expires_at:%Y-%m-%d %H:%M}"
            click.echo(f"{row.prefix}  {row.user.email}  {row.user.role}  created {row.created_at:%Y-%m-%d %H:%M}  {state}")
    except DomainError as exc:
        _fail(exc.detail)
    finally:
        db.session.rollback()
    if not rows:
        click.echo("no tokens", err=True)


@tokens.command("revoke")
@click.argument("prefix", required=False)
@click.option("--user", "email", default=None, help="revoke every token of this user instead")
@with_appcontext
def tokens_revoke(prefix: str | None, email: str | None):
    """Revoke a token by its first 12 characters (as 'tokens list' shows them, or the whole
    token), or every token of a user with --user EMAIL. Takes effect at once."""
    from resilience.accounts.operations import revoke_token, revoke_user_tokens

    if (prefix is None) == (email is None):
        _fail("give a token prefix or --user EMAIL (one of them)")
    _set_cli_actor()
    try:
        with unit_of_work() as session:
            if email is not None:
                count = revoke_user_tokens(session, email)
                message = f"{count} token(s) of {email.strip().lower()} revoked"
            else:
                row = revoke_token(session, prefix)
                message = f"token {row.prefix} of {row.user.email} revoked"
    except DomainError as exc:
        _fail(exc.detail)
    click.echo(message)


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
    from resilience.core.transaction import commit, read_phase
    from resilience.households.importer import check_import, store_import

    _set_cli_actor()
    try:
        with unit_of_work() as session:
            with read_phase(session):  # the long part holds no write lock (SQLite: registrations go on)
                event = get_event(session, event_id) if event_id is not None else None
                report, checked = check_import(session, Path(spreadsheet).read_bytes(), event,
                                               filename=spreadsheet, sheet=sheet, dry_run=dry_run, mode=mode)
            store_import(session, checked, event, report, commit=commit)  # valid_rows: batch by batch
            for line in report.lines():
                click.echo(f"{spreadsheet}: {line}", err=True)
            where = f" (sheet {report.sheet})" if report.sheet else ""
            if dry_run:
                session.rollback()  # a dry run stores nothing, whatever the import flushed
                click.echo(f"dry run{where}: {report.valid_rows} of {report.rows} rows are valid, "
                           f"{len(report.errors)} error(s), {len(report.warnings)} warning(s); nothing was stored")
                if report.errors:
                    sys.exit(1)
                return
            if report.created == 0 and report.errors:
                _fail(f"{len(report.errors)} problem(s); nothing was imported", code=1)  # rolls back
    except DomainError as exc:
        _fail(f"{spreadsheet}: {exc.detail}" + (f" {exc.extra['suggestion']}" if exc.extra.get("suggestion") else ""))
    click.echo(f"{report.created} households and {report.needs_created} needs imported from {report.rows} rows"
               + where + (f"; {report.rows - report.valid_rows} rows skipped" if report.errors else ""))


@cli.group("households")
def households_group():
    """A household's personal-data rights (UU PDP): export and erase."""


@households_group.command("export")
@click.argument("household_id", type=int)
@with_appcontext
def households_export_cmd(household_id: int):
    """Print everything held about one household as JSON (personal data: for the household or staff)."""
    from resilience.audit.chain import current_actor
    from resilience.core.schemas import show_personal_data
    from resilience.households.operations import get_household
    from resilience.privacy.export import export

    _set_cli_actor()
    show_personal_data(True)
    try:
        with unit_of_work() as session:
            document = export(session, household=get_household(session, household_id), by=current_actor())
            session.rollback()
    except DomainError as exc:
        _fail(str(exc.detail))
    click.echo(json.dumps(document, ensure_ascii=False, indent=1, default=str))


@households_group.command("erase")
@click.argument("household_id", type=int)
@click.option("--reason", required=True, type=click.Choice(ERASURE_REASONS))
@with_appcontext
def households_erase_cmd(household_id: int, reason: str):
    """Erase one household's personal data (and of those merged into it); aggregates and the log stay."""
    from resilience.privacy.erase import erase

    _set_cli_actor()
    try:
        with unit_of_work() as session:
            result = erase(session, household_id, reason)
    except DomainError as exc:
        _fail(str(exc.detail), code=1)
    click.echo(f"household {household_id} erased: {len(result['households'])} household(s), {result['needs']} "
               f"need(s), {result['audit_openings_deleted']} log entries closed, "
               f"{result['audit_entries_in_clear']} older entries still hold values in clear")


@import_group.command("areas")
@click.argument("geojson", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_areas_cmd(geojson: str):
    """Import admin areas (kelurahan/desa with Kemendagri codes) from a GeoJSON file."""
    from resilience.areas.operations import import_areas, load_geojson

    _set_cli_actor()
    try:
        with unit_of_work() as session:
            count = import_areas(session, load_geojson(geojson))
    except (DomainError, ValueError, KeyError) as exc:
        _fail(f"{geojson}: {getattr(exc, 'detail', exc)}")
    click.echo(f"{count} areas imported")


@cli.command("report")
@click.argument("event_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "geojson", "xlsx", "pdf"]), default="json",
              show_default=True)
@click.option("--table", type=click.Choice(["kelurahan", "waiting", "aid"]), default="kelurahan", show_default=True,
              help="csv only: which table")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True,
              help="xlsx and pdf: the language of their words")
@with_appcontext
def report_cmd(event_id: int, fmt: str, table: str, lang: str):
    """Print the official report of a flood event (no personal data) to standard output
    (xlsx and pdf as bytes: redirect them to a file)."""
    from resilience.events.operations import get_event
    from resilience.extensions import db
    from resilience.reports.api import render
    from resilience.reports.operations import build_report

    try:
        event = get_event(db.session, event_id)
    except DomainError as exc:
        _fail(exc.detail)
    body, _media_type = render(build_report(db.session, event), fmt, table, db.session, lang=lang)
    if isinstance(body, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return
    click.echo(body, nl=not body.endswith("\n"))


@cli.group("audit")
def audit():
    """The response log."""


@audit.command("verify")
@click.option("--anchor", "anchors", multiple=True, metavar="SEQ:HASH",
              help="an entry that must still have this hash, e.g. the audit head a report printed")
@click.option("--full", is_flag=True,
              help="recompute the whole chain, not only what was added since the last verification")
@with_appcontext
def audit_verify(anchors, full):
    """Check the audit hash chain; exit 1 when it is broken."""
    from resilience.audit.verification import parse_anchor, remember, verify
    from resilience.extensions import db

    wanted = {}
    for text in anchors:
        try:
            seq, digest = parse_anchor(text)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--anchor") from None
        wanted[seq] = digest
    result = verify(db.session, wanted, full=full)
    db.session.rollback()
    remember(db.engine, result)
    click.echo(json.dumps(result.as_dict()))
    if not result.ok:
        sys.exit(1)


@audit.command("export")
@click.option("--from-seq", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--to-seq", type=click.IntRange(min=1), default=None, help="default: the head")
@click.option("--with-personal", is_flag=True, default=False,
              help="add the openings of sealed personal values (for staff only; never hand this "
                   "file to officials or the public)")
@with_appcontext
def audit_export(from_seq, to_seq, with_personal):
    """Write the log as JSON Lines to stdout: each entry exactly as hashed, then the head.
    Check it anywhere with the standalone resilience/audit/verify_export.py. Without
    --with-personal it holds no personal data (the file officials may get)."""
    from resilience.audit.export import export_lines
    from resilience.extensions import db

    if to_seq is not None and to_seq < from_seq:
        raise click.BadParameter("must be at least --from-seq", param_hint="--to-seq")
    out = click.get_text_stream("stdout", encoding="utf-8")
    try:
        for line in export_lines(db.session, from_seq, to_seq, personal=with_personal):
            out.write(line)
        out.flush()
    finally:
        db.session.rollback()


def main() -> None:
    try:
        cli.main(prog_name="resilience")
    except SettingsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
if __name__ == "__main__":
    main()
