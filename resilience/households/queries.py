"""Finding households: the text search the API's ``?q=`` and the list page share, a search by an
exact NIK or KK number (by keyed digest, nothing decrypted), and the list page's query — the
households matching need filters, with the top priority of their matching needs, a page of
them at a time with their needs loaded in two more queries."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, false, func, or_, select
from sqlalchemy.orm import Session, joinedload

from resilience.areas.models import AdminArea
from resilience.core import crypto
from resilience.core.db import like_pattern
from resilience.events.models import FloodEvent
from resilience.households.models import VULNERABILITY_FIELDS, Household
from resilience.needs.models import LIVE_NEED_STATUSES, Need

SORTS = ("priority", "name", "newest")
_ID_NUMBER = re.compile(r"^[0-9][0-9 .\-]{14,30}$")


@dataclass
class HouseholdFilters:
    """The list's filters: need filters (event, category, priority, status — ``live`` or one
    status), the kelurahan or kecamatan code, vulnerable members only, a search, the order."""

    event: FloodEvent | None = None
    area: str = ""
    category: str = ""
    priority: int | None = None
    status: str = ""
    vulnerable: bool = False
    q: str = ""
    sort: str = "priority"
    identity_search: bool = False  # may a 16-digit search find a NIK / KK number


def matches_text(q: str) -> ColumnElement[bool]:
    """Households whose head's name, address or landmark contains ``q`` (case-insensitive)."""
    like = like_pattern(q)
    return or_(func.lower(Household.head_name).like(like, escape="\\"),
               func.lower(Household.address).like(like, escape="\\"),
               func.lower(Household.landmark).like(like, escape="\\"))


def identity_matches(session: Session, digits: str) -> list[int]:
    """Households whose NIK or KK number is exactly ``digits``, found by their keyed digests."""
    keys = crypto.lookup_digests(digits)  # every configured key: rows not yet rotated match too
    return sorted(session.scalars(
        select(Household.id).where(or_(Household.nik_digest.in_(keys), Household.kk_digest.in_(keys)))))


def _search(session: Session, query, q: str, identity_search: bool):
    digits = re.sub(r"[ .\-]", "", q)
    if _ID_NUMBER.match(q) and digits.isdigit() and len(digits) == 16:
        if not identity_search:  # never a way to probe identity numbers
            return query.where(false())
        return query.where(Household.id.in_(identity_matches(session, digits)))
    return query.where(matches_text(q))


def _need_conditions(f: HouseholdFilters) -> list:
    conditions = []
    if f.event is not None:
        conditions.append(Need.event_id == f.event.id)
    if f.category:
        conditions.append(Need.category == f.category)
    if f.priority:
        conditions.append(Need.priority == f.priority)
    if f.status == "live":
        conditions.append(Need.status.in_(LIVE_NEED_STATUSES))
    elif f.status:
        conditions.append(Need.status == f.status)
    return conditions


def household_page(session: Session, f: HouseholdFilters, page: int, per_page: int) -> tuple[list[dict], int, int]:
    """``(rows, total, page)``: each row ``{"household", "top", "needs"}`` (the top priority of
    its matching needs, and those needs); a page past the end is the last page.

    Without a status filter the top priority counts live needs only, so a household whose
    urgent need is done no longer sorts first."""
    conditions = _need_conditions(f)
    need_filtered = bool(f.category or f.priority or f.status)
    ranked = Need.priority if f.status else case((Need.status.in_(LIVE_NEED_STATUSES), Need.priority))
    top = (select(Need.household_id.label("household_id"), func.max(ranked).label("top"))
           .where(*conditions).group_by(Need.household_id).subquery())
    query = select(Household.id, top.c.top)
    if need_filtered:
        query = query.join(top, top.c.household_id == Household.id)
    else:
        query = query.outerjoin(top, top.c.household_id == Household.id)
        if f.event is not None:
            inside = top.c.household_id.is_not(None)
            if f.event.affected_area is not None:  # as the API's ?event=: a need in it, or inside its area
                inside = or_(inside, func.ST_Within(Household.location, f.event.affected_area))
            query = query.where(inside)
    if f.area:
        area = session.scalar(select(AdminArea).where(AdminArea.code == f.area))
        if area is None:
            query = query.where(false())
        else:  # a kelurahan, or every kelurahan of a kecamatan
            ids = select(AdminArea.id).where(or_(AdminArea.id == area.id, AdminArea.code.like(area.code + ".%")))
            query = query.where(Household.admin_area_id.in_(ids))
    if f.vulnerable:
        query = query.where(sum((getattr(Household, n) for n in VULNERABILITY_FIELDS[1:]),
                                getattr(Household, VULNERABILITY_FIELDS[0])) > 0)
    if f.q:
        query = _search(session, query, f.q, f.identity_search)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page = min(page, max(1, -(-total // per_page)))
    order = {
        "priority": (func.coalesce(top.c.top, 0).desc(), Household.head_name, Household.id),
        "name": (Household.head_name, Household.id),
        "newest": (Household.id.desc(),),
    }[f.sort]
    rows = session.execute(query.order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    by_id = {h.id: h for h in session.scalars(
        select(Household).options(joinedload(Household.admin_area)).where(Household.id.in_([r[0] for r in rows])))}
    shown_needs: dict[int, list[Need]] = {r[0]: [] for r in rows}
    for need in session.scalars(select(Need).where(Need.household_id.in_(list(shown_needs)), *conditions)
                                .order_by(Need.priority.desc(), Need.id)):
        shown_needs[need.household_id].append(need)
    items = [{"household": by_id[hid], "top": top_priority, "needs": shown_needs[hid]} for hid, top_priority in rows]
    return items, total, page


def areas_with_households(session: Session) -> list[AdminArea]:
    """The kelurahan where some household lives, by name (the list's area picker)."""
    return session.scalars(select(AdminArea).where(AdminArea.id.in_(
        select(Household.admin_area_id).distinct())).order_by(AdminArea.name)).all()
