"""``resilience backup`` and ``restore`` on both databases: a round trip (build data, back up,
change and delete things, restore) gives back identical tables and a verifying audit chain;
a restore refuses a database holding data without --force, and never crosses databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from resilience.app import create_app
from resilience.core.commands import backup_cmd, restore_cmd
from tests import factories
from tests.conftest import _create_pg_database, _drop_pg_database, make_settings

pytestmark = pytest.mark.slow


def _fresh(kind, tmp_path):
    from resilience.cli import upgrade_database

    if kind == "sqlite":
        app, name = create_app(make_settings(f"sqlite:///{tmp_path / 'live.db'}", tmp_path), TESTING=True), None
    else:
        name, url = _create_pg_database()
        app = create_app(make_settings(url, tmp_path), TESTING=True)
    with app.app_context():
        upgrade_database()
    return app, name


@pytest.fixture(params=["sqlite", "postgis"])
def live(request, tmp_path):
    app, name = _fresh(request.param, tmp_path)
    with app.app_context():
        yield app
        from resilience.extensions import db

        db.session.remove()
        db.engine.dispose()
    if name:
        _drop_pg_database(name)


def _build():
    event = factories.event()
    household = factories.household()
    factories.household(nik="6271054507800002", phone=None, head_name="Ahmad")
    need = factories.need(event, household, "food")
    factories.need(event, household, "water")
    factories.group()
    volunteer = factories.volunteer()
    factories.volunteer(name="Cadangan")
    factories.task(event, need, volunteer, offer=True)
    depot = factories.depot()
    factories.item()
    factories.movement(depot, "receipt", "BERAS", 25, donor="BPBD")
    factories.user("admin@posko.test", "admin")


def snapshot() -> dict[str, list[tuple]]:
    """Every table's rows, as stored (ciphertexts, geometry bytes), in primary-key order."""
    from resilience.extensions import db

    out = {}
    with db.engine.connect() as conn:
        for table in [*db.metadata.sorted_tables, sa.table("alembic_version", sa.column("version_num"))]:
            keys = list(table.primary_key) or list(table.c)
            out[table.name] = [tuple(r) for r in conn.execute(sa.select(sa.text("*")).select_from(table)
                                                              .order_by(*keys)).all()]
    return out


def test_round_trip_gives_back_identical_data_and_a_verifying_chain(live, tmp_path):
    from resilience.audit.chain import verify
    from resilience.extensions import db

    _build()
    before = snapshot()
    assert before["households"] and before["tasks"] and before["audit_entries"]
    runner = live.test_cli_runner()
    file = tmp_path / "backup.bin"
    result = runner.invoke(backup_cmd, [str(file)])
    assert result.exit_code == 0, result.output
    assert file.exists() and "backup written" in result.output

    # After the backup: new rows, changed rows, deleted rows.
    factories.household(nik="6271054507800003", head_name="Baru")
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE households SET head_name = 'Diubah' WHERE id = 1"))
        conn.execute(sa.text("DELETE FROM volunteers WHERE name = 'Cadangan'"))
    assert snapshot() != before

    changed = snapshot()
    refused = runner.invoke(restore_cmd, [str(file)])
    assert refused.exit_code == 1 and "not empty" in refused.output and "--force" in refused.output
    broken = tmp_path / "broken.bin"
    broken.write_bytes(file.read_bytes()[:3000])
    refused = runner.invoke(restore_cmd, [str(broken), "--force"])
    assert refused.exit_code == 1 and str(broken) in refused.output
    assert snapshot() == changed  # a file that cannot be read touches nothing
    result = runner.invoke(restore_cmd, [str(file), "--force"])
    assert result.exit_code == 0, result.output

    assert snapshot() == before
    [kept] = tmp_path.glob("backup.bin.replaced-*")
    assert str(kept) in result.output and kept.read_bytes()[:5] == file.read_bytes()[:5]
    db.session.remove()
    assert verify(db.session).ok
    # Sequences came back too: the next household takes the next id.
    assert factories.household(nik="6271054507800004").id == max(r[0] for r in before["households"]) + 1


def test_restore_into_a_new_database_needs_no_force(live, tmp_path):
    from resilience.core.backup import restore, tables_with_data
    from resilience.extensions import db

    assert tables_with_data(db.engine) == []  # what init-db leaves counts as empty
    factories.household()
    file = tmp_path / "one.bin"
    assert live.test_cli_runner().invoke(backup_cmd, [str(file)]).exit_code == 0
    assert tables_with_data(db.engine) != []
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in ("admin_areas", "audit_head"):
                conn.execute(table.delete())
    before_restore = tables_with_data(db.engine)
    assert before_restore == []
    restore(db.engine, file)
    with db.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM households")) == 1


def test_never_across_databases_and_never_a_stranger_file(tmp_path):
    from resilience.core.backup import BackupError, restore

    sqlite_app, _ = _fresh("sqlite", tmp_path / "s")
    pg_app, name = _fresh("postgis", tmp_path / "p")
    try:
        files = {}
        for kind, app in (("sqlite", sqlite_app), ("postgis", pg_app)):
            with app.app_context():
                files[kind] = tmp_path / f"{kind}.bin"
                assert app.test_cli_runner().invoke(backup_cmd, [str(files[kind])]).exit_code == 0
        assert files["postgis"].read_bytes()[:5] == b"PGDMP"
        stranger = tmp_path / "notes.txt"
        stranger.write_text("hello")
        with sqlite_app.app_context():
            from resilience.extensions import db

            with pytest.raises(BackupError, match="PostgreSQL dump and DATABASE_URL is SQLite"):
                restore(db.engine, files["postgis"], force=True)
            with pytest.raises(BackupError, match="neither"):
                restore(db.engine, stranger, force=True)
            db.engine.dispose()
        with pg_app.app_context():
            result = pg_app.test_cli_runner().invoke(restore_cmd, [str(files["sqlite"]), "--force"])
            assert result.exit_code == 1 and "SQLite database and DATABASE_URL is PostgreSQL" in result.output
            db.engine.dispose()
    finally:
        _drop_pg_database(name)


def test_sqlite_backups_taken_while_writers_commit_are_consistent(tmp_path):
    """The online backup API copies a committed state: each copy passes SQLite's integrity check,
    holds exactly as many households as household.created audit entries, and its chain verifies."""
    import threading

    from resilience.audit.chain import verify
    from resilience.core.backup import backup
    from resilience.extensions import db

    app, _ = _fresh("sqlite", tmp_path)
    stop, written = threading.Event(), []

    def writer():
        with app.app_context():
            while not stop.is_set() and len(written) < 400:
                written.append(factories.household(nik=f"6271054507{len(written) + 1:06d}", phone=None).id)
            db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    files = []
    try:
        with app.app_context():
            while len(files) < 3 and thread.is_alive():
                if len(written) > 5 * (len(files) + 1):
                    files.append(tmp_path / f"copy{len(files)}.db")
                    backup(db.engine, files[-1])
    finally:
        stop.set()
        thread.join(timeout=60)
    assert len(files) == 3
    counts = []
    for file in files:
        copy = create_app(make_settings(f"sqlite:///{file}", tmp_path), TESTING=True)
        with copy.app_context():
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                households = conn.scalar(sa.text("SELECT count(*) FROM households"))
                created = conn.scalar(sa.text("SELECT count(*) FROM audit_entries WHERE action = 'household.created'"))
            assert households == created > 0
            assert verify(db.session).ok
            counts.append(households)
            db.session.remove()
            db.engine.dispose()
    assert counts == sorted(counts) and counts[-1] < len(written) + 1
