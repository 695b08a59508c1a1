"""Operator commands: ``keys generate|rotate|check``, ``backup FILE``, ``restore FILE [--force]``.

Registered on the ``resilience`` group by resilience/cli.py. Each prints one line (or one JSON
document) and exits non-zero on failure, with the reason on standard error.
"""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup, with_appcontext


def _fail(message: str, code: int = 2):
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group("keys", cls=AppGroup)
def keys():
    """Field-encryption keys (FIELD_ENCRYPTION_KEYS)."""


@keys.command("generate", with_appcontext=False)
def keys_generate():
    """Print a new Fernet key: put it first in FIELD_ENCRYPTION_KEYS, then run keys rotate."""
    from cryptography.fernet import Fernet

    click.echo(Fernet.generate_key().decode("ascii"))


@keys.command("rotate")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
def keys_rotate(batch_size: int):
    """Re-encrypt every encrypted field (and its digest) under the newest key; safe to stop and
    run again. Exit 1 when some value no configured key decrypts (their row ids are listed)."""
    from resilience.core.keys import rotate
    from resilience.extensions import db

    report = rotate(db.engine, db.metadata, batch_size)
    click.echo(json.dumps(report.as_dict()))
    if not report.ok:
        sys.exit(1)


@keys.command("check")
def keys_check():
    """Whether the configured keys decrypt this database's encrypted values (a sample of the
    newest of each column). Exit 1 when values were found and none decrypts."""
    from resilience.core.keys import check
    from resilience.extensions import db

    report = check(db.engine, db.metadata)
    click.echo(json.dumps(report.as_dict()))
    if not report.keys_fit:
        sys.exit(1)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_cmd(file: str):
    """Back up the database to FILE (consistent while the service runs)."""
    from resilience.core.backup import BackupError, backup
    from resilience.extensions import db

    try:
        click.echo(backup(db.engine, file))
    except BackupError as exc:
        _fail(str(exc), code=1)


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="replace a database that already holds data")
@with_appcontext
def restore_cmd(file: str, force: bool):
    """Restore the database from a backup FILE of the same kind (SQLite or PostgreSQL)."""
    from resilience.core.backup import BackupError, restore
    from resilience.extensions import db

    db.session.remove()
    try:
        click.echo(restore(db.engine, file, force=force))
    except BackupError as exc:
        _fail(str(exc), code=1)
    click.echo("run 'resilience audit verify' to check the restored response log")


COMMANDS = (keys, backup_cmd, restore_cmd)
