"""``resilience keys rotate``: every encrypted field re-encrypted under the newest key.

Works on the raw column text (no ORM, no decrypting type): every ``EncryptedString`` column
of every table, in batches of rows by id, one transaction per batch, so it can be stopped and
run again (it resumes by skipping what is already current: idempotent). A value the newest
key already decrypts is left alone; any other value is decrypted with whichever configured
key fits and encrypted under the newest. The keyed digests (NIK, KK number, phones) are rewritten
under the newest key's digest key at the same time, so look-ups find the row by its newest
digest (and, until then, by an old one: ``crypto.lookup_digests``). A value no key decrypts
is counted and its row id reported (never the value); it stays as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from cryptography.fernet import InvalidToken

from resilience.core import crypto

# Encrypted column -> the column holding its keyed digest.
DIGEST_COLUMNS = {("households", "nik"): "nik_digest", ("households", "kk_number"): "kk_digest",
                  ("households", "phone"): "phone_digest", ("help_requests", "phone"): "phone_digest",
                  ("volunteers", "phone"): "phone_digest", ("sms_messages", "phone"): "phone_digest"}
# Digests one value may have on one row only (a second row is a duplicate a person must resolve);
# a household's phone is shared by neighbours, and a phone sends and receives many SMS.
SINGLE_ROW_DIGESTS = (("households", "nik_digest"), ("households", "kk_digest"), ("volunteers", "phone_digest"))


@dataclass
class RotationReport:
    rows: int = 0  # rows holding at least one encrypted value
    rotated: int = 0  # values re-encrypted
    current: int = 0  # values already under the newest key
    digests: int = 0  # digests rewritten
    unreadable: dict[str, list[int]] = field(default_factory=dict)  # "table.column" -> row ids
    duplicates: dict[str, list[int]] = field(default_factory=dict)  # new digest taken by another row

    def as_dict(self) -> dict:
        return {"rows": self.rows, "rotated": self.rotated, "current": self.current, "digests": self.digests,
                "unreadable": self.unreadable, "duplicates": self.duplicates}

    @property
    def ok(self) -> bool:
        return not self.unreadable and not self.duplicates


def encrypted_columns(metadata: sa.MetaData) -> dict[str, list[str]]:
    """Table name -> its EncryptedString columns (the audit log's openings included)."""
    found: dict[str, list[str]] = {}
    # The audit log's openings last: the largest table, and the least urgent.
    for table in sorted(metadata.sorted_tables, key=lambda t: t.name == "audit_entries"):
        names = [c.name for c in table.columns if isinstance(c.type, crypto.EncryptedString)]
        if names:
            found[table.name] = names
    return found


def rotate(engine: sa.Engine, metadata: sa.MetaData, batch_size: int = 500) -> RotationReport:
    report = RotationReport()
    for table_name, columns in encrypted_columns(metadata).items():
        digests = {c: DIGEST_COLUMNS[(table_name, c)] for c in columns if (table_name, c) in DIGEST_COLUMNS}
        # Rows in batches by their integer key: "id", or "seq" for the audit log.
        key = next(iter(metadata.tables[table_name].primary_key.columns)).name
        table = sa.table(table_name, sa.column(key, sa.Integer),
                         *(sa.column(c, sa.Text) for c in columns),
                         *(sa.column(d, sa.String) for d in digests.values()))
        last_id = 0
        while True:
            with engine.begin() as conn:
                rows = conn.execute(
                    sa.select(table).where(table.c[key] > last_id,
                                           sa.or_(*(table.c[c].is_not(None) for c in columns)))
                    .order_by(table.c[key]).limit(batch_size)).mappings().all()
                for row in rows:
                    _rotate_row(conn, table, key, row, columns, digests, report)
            if not rows:
                break
            last_id = rows[-1][key]
    return report


def _rotate_row(conn, table, key, row, columns, digests, report: RotationReport) -> None:
    report.rows += 1
    values: dict[str, str] = {}
    for column in columns:
        token = row[column]
        if token is None:
            continue
        where = f"{table.name}.{column}"
        try:
            plain = crypto.decrypt(token)
        except (InvalidToken, UnicodeError):
            report.unreadable.setdefault(where, []).append(row[key])
            continue
        if crypto.is_current(token):
            report.current += 1
        else:
            values[column] = crypto.encrypt(plain)
            report.rotated += 1
        if column in digests:
            new_digest = crypto.digest(plain)
            if row[digests[column]] != new_digest:
                taken = None if (table.name, digests[column]) not in SINGLE_ROW_DIGESTS else conn.scalar(
                    sa.select(table.c[key]).where(table.c[digests[column]] == new_digest, table.c[key] != row[key]))
                if taken is not None:  # the same NIK on two rows under different keys: a person decides
                    report.duplicates.setdefault(where, []).extend([row[key], taken])
                    values.pop(column, None)
                    continue
                values[digests[column]] = new_digest
                report.digests += 1
    if values:
        conn.execute(table.update().where(table.c[key] == row[key]).values(**values))


# --- do the configured keys fit this database? -------------------------------------------------
@dataclass
class KeyCheck:
    """A sample of the newest encrypted values of every encrypted column: how many the
    configured keys decrypt."""

    readable: int = 0
    unreadable: dict[str, int] = field(default_factory=dict)  # "table.column" -> values no key decrypts

    @property
    def sampled(self) -> int:
        return self.readable + sum(self.unreadable.values())

    @property
    def keys_fit(self) -> bool:
        """False when values were found and none of them decrypts: the keys belong to another
        database (a missing instance/field_encryption_keys generated anew, a restored database
        without its key, a changed FIELD_ENCRYPTION_KEYS)."""
        return self.sampled == 0 or self.readable > 0

    def as_dict(self) -> dict:
        return {"sampled": self.sampled, "readable": self.readable, "unreadable": self.unreadable,
                "keys_fit": self.keys_fit}


def check(engine: sa.Engine, metadata: sa.MetaData, per_column: int = 3) -> KeyCheck:
    """Try the configured keys on the ``per_column`` newest values of each encrypted column
    (read-only; never logs a value)."""
    report = KeyCheck()
    with engine.connect() as conn:
        for table_name, columns in encrypted_columns(metadata).items():
            key = next(iter(metadata.tables[table_name].primary_key.columns)).name
            for column in columns:
                table = sa.table(table_name, sa.column(key, sa.Integer), sa.column(column, sa.Text))
                tokens = conn.scalars(sa.select(table.c[column]).where(table.c[column].is_not(None))
                                      .order_by(table.c[key].desc()).limit(per_column)).all()
                for token in tokens:
                    try:
                        crypto.decrypt(token)
                    except (InvalidToken, UnicodeError, ValueError):
                        where = f"{table_name}.{column}"
                        report.unreadable[where] = report.unreadable.get(where, 0) + 1
                    else:
                        report.readable += 1
    return report


KEYS_DO_NOT_FIT = (
    "the configured field-encryption keys decrypt none of the encrypted values in this database "
    "(%(where)s): the keys belong to another database. Restore the instance/field_encryption_keys file "
    "that was made with this database (it is in your backups beside the database file), or put its key "
    "first in FIELD_ENCRYPTION_KEYS. Starting now would show every NIK, KK number and phone as "
    "<unreadable> and encrypt new ones under a different key. 'resilience keys check' tells when they fit."
)


def refusal(report: KeyCheck) -> str:
    """The one line ``serve`` and the worker stop with when the keys do not fit."""
    return KEYS_DO_NOT_FIT % {"where": ", ".join(sorted(report.unreadable))}
