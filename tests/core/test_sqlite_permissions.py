"""The embedded database holds every household's personal data: its file, the -wal and -shm
SQLite writes beside it, the instance directory (keys too) and a backup are readable by the
service's user only, whatever the umask; a database left readable by an older version is
narrowed at the next start."""

from __future__ import annotations

import os
import stat

import sqlalchemy as sa

from resilience.app import create_app
from tests.conftest import make_settings


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_database_wal_instance_and_backup_are_private(tmp_path):
    from resilience.core.backup import backup
    from resilience.extensions import db

    instance = tmp_path / "instance"
    database = instance / "resilience.db"
    previous = os.umask(0o022)  # a laptop's usual umask: new files world-readable
    try:
        app = create_app(make_settings(f"sqlite:///{database}", instance), TESTING=True)
        assert _mode(instance) == 0o700 and _mode(database) == 0o600
        with app.app_context():
            with db.engine.begin() as conn:
                conn.execute(sa.text("CREATE TABLE households_copy (name TEXT)"))
                conn.execute(sa.text("INSERT INTO households_copy VALUES ('Siti Aminah')"))
            wal, shm = database.with_name("resilience.db-wal"), database.with_name("resilience.db-shm")
            assert wal.exists() and shm.exists()  # journal_mode = WAL
            assert _mode(wal) == 0o600 and _mode(shm) == 0o600
            backup(db.engine, tmp_path / "nightly.db")
            assert _mode(tmp_path / "nightly.db") == 0o600

            # An installation from before: everything world-readable (the pool's connection
            # keeps the -wal and -shm); the next start narrows it.
            for path in (database, wal, shm):
                os.chmod(path, 0o644)
            os.chmod(instance, 0o755)
            create_app(make_settings(f"sqlite:///{database}", instance), TESTING=True)
            assert [_mode(p) for p in (instance, database, wal, shm)] == [0o700, 0o600, 0o600, 0o600]
            db.engine.dispose()
    finally:
        os.umask(previous)
