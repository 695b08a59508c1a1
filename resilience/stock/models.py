"""Aid stock: depots (posko, gudang), items (barang), the append-only ledger of stock movements
and the balance per depot and item that the ledger sums to.

Quantities are integers in thousandths of the item's unit (``quantity_milli``): exact on both
databases, and fine enough for the 3 decimals kg and l allow (pcs and paket allow none).
A movement's ``quantity_milli`` is signed: what it adds to the balance.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resilience.areas.models import AdminArea
from resilience.core.db import UTCDateTime, utcnow
from resilience.extensions import db
from resilience.households.models import Household
from resilience.stock.units import MILLI  # noqa: F401  (re-exported for the domain)
from resilience.vocabulary import DEPOT_KINDS, ITEM_CATEGORIES, MOVEMENT_KINDS, UNITS  # noqa: F401  (re-exported)

_SIGN_SQL = (
    "(kind IN ('receipt', 'transfer_in') AND quantity_milli > 0) OR "
    "(kind IN ('issue', 'transfer_out') AND quantity_milli < 0) OR "
    "(kind = 'adjustment' AND quantity_milli <> 0)"
)


class Depot(db.Model):
    __tablename__ = "depots"
    __table_args__ = (CheckConstraint("kind IN ('posko', 'gudang')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(500), default="")
    location: Mapped[Any] = mapped_column(Geometry("POINT", srid=4326, spatial_index=True))
    admin_area_id: Mapped[int | None] = mapped_column(ForeignKey("admin_areas.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    admin_area: Mapped[AdminArea | None] = relationship()

    __audit__ = True


class Item(db.Model):
    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint("unit IN ('kg', 'l', 'pcs', 'paket')", name="unit"),
        CheckConstraint(
            "category IN ('food', 'water', 'clothing', 'shelter', 'hygiene', 'medical', 'other')",
            name="category",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __audit__ = True


class StockBalance(db.Model):
    """The sum of the ledger for one depot and item, kept in the movement's transaction.

    Writers lock the row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writers)
    before checking it; the CHECK is the last line of defence against a negative balance.
    Not audited: it is derived, and ``check_ledger`` proves it equals the ledger."""

    __tablename__ = "stock_balances"
    __table_args__ = (CheckConstraint("quantity_milli >= 0", name="not_negative"),)

    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True, index=True)
    quantity_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    depot: Mapped[Depot] = relationship()
    item: Mapped[Item] = relationship()


class StockMovement(db.Model):
    """One line of the ledger. Never updated or deleted: a correction is a new movement."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('receipt', 'issue', 'transfer_out', 'transfer_in', 'adjustment')", name="kind"
        ),
        CheckConstraint(_SIGN_SQL, name="sign"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    quantity_milli: Mapped[int] = mapped_column(BigInteger)
    # The other depot of a transfer; both halves share transfer_ref.
    counterpart_depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"))
    transfer_ref: Mapped[str | None] = mapped_column(String(32), index=True)
    donor: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(String(1000), default="")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("flood_events.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True)
    actor: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    depot: Mapped[Depot] = relationship(foreign_keys=[depot_id])
    counterpart_depot: Mapped[Depot | None] = relationship(foreign_keys=[counterpart_depot_id])
    item: Mapped[Item] = relationship()
    household: Mapped[Household | None] = relationship()

    __audit__ = True
    __audit_personal__ = ("notes", "reason")  # free text: sealed in the log


@event.listens_for(StockMovement, "before_update")
@event.listens_for(StockMovement, "before_delete")
def _append_only(_mapper, _connection, target: StockMovement) -> None:
    raise RuntimeError(
        f"stock movement {target.id} cannot be changed or deleted: the ledger is append-only, "
        "record a correcting movement instead"
    )
