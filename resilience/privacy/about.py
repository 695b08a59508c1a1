"""What the system holds about one household: the rows and the audit entries that concern it.

Shared by the export and the erasure, so both cover exactly the same data.

What counts as the household's data (and what does not):
- the household itself and every household merged into it (the same family's duplicates);
- its needs, and of their tasks the household's side: code, category, state, times, distance,
  the coordinator's note; not the volunteer (name, phone, id) nor the volunteer's own words
  (decline reason) nor matching's explanation, which is about the volunteers;
- the outbound SMS of those tasks (what was told about the household, and when), without the
  volunteer's phone; not the volunteers' replies (their words, their data);
- the household's own SMS: its TOLONG messages (help requests linked to it) and the answers
  sent back to the same number;
- stock issued to it, and its help requests;
- audit entries about all of the above.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from resilience.audit.models import AuditEntry
from resilience.dispatch.models import Task
from resilience.helprequests.models import HelpRequest
from resilience.households.models import Household, NotDuplicate
from resilience.needs.models import Need
from resilience.sms.models import SmsMessage
from resilience.stock.models import StockMovement

# Task fields in the log that are the household's (the others are about the volunteer).
TASK_FIELDS_OF_HOUSEHOLD = ("coordinator_note",)
HELP_REQUEST_SMS_KIND = "help_request"


@dataclass
class HouseholdData:
    household: Household
    family: list[Household]  # the household first, then those merged into it
    needs: list[Need] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    task_sms: list[SmsMessage] = field(default_factory=list)  # outbound, to volunteers
    own_sms: list[SmsMessage] = field(default_factory=list)  # from and to the household's phone
    movements: list[StockMovement] = field(default_factory=list)
    help_requests: list[HelpRequest] = field(default_factory=list)
    not_duplicates: list[NotDuplicate] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [h.id for h in self.family]

    def entity_ids(self) -> dict[str, set[int]]:
        """Audit entity type -> the ids of this household's entities of that type."""
        return {
            "household": set(self.ids),
            "need": {n.id for n in self.needs},
            "task": {t.id for t in self.tasks},
            "sms_message": {m.id for m in self.task_sms + self.own_sms},
            "stock_movement": {m.id for m in self.movements},
            "help_request": {r.id for r in self.help_requests},
            "household_not_duplicate": {p.id for p in self.not_duplicates},
        }


def gather(session: Session, household: Household) -> HouseholdData:
    family = [household, *session.scalars(select(Household).where(
        Household.merged_into_id == household.id, Household.id != household.id).order_by(Household.id))]
    data = HouseholdData(household, family)
    ids = data.ids
    data.needs = list(session.scalars(select(Need).where(Need.household_id.in_(ids)).order_by(Need.id)))
    need_ids = [n.id for n in data.needs]
    if need_ids:
        data.tasks = list(session.scalars(select(Task).where(Task.need_id.in_(need_ids)).order_by(Task.id)))
    task_ids = [t.id for t in data.tasks]
    if task_ids:
        data.task_sms = list(session.scalars(select(SmsMessage).where(
            SmsMessage.task_id.in_(task_ids), SmsMessage.direction == "outbound").order_by(SmsMessage.id)))
    data.movements = list(session.scalars(select(StockMovement).where(
        StockMovement.household_id.in_(ids)).order_by(StockMovement.id)))
    data.help_requests = list(session.scalars(select(HelpRequest).where(
        HelpRequest.household_id.in_(ids)).order_by(HelpRequest.id)))
    data.own_sms = _own_sms(session, data.help_requests)
    data.not_duplicates = list(session.scalars(select(NotDuplicate).where(
        or_(NotDuplicate.low_id.in_(ids), NotDuplicate.high_id.in_(ids))).order_by(NotDuplicate.id)))
    return data


def _own_sms(session: Session, requests: list[HelpRequest]) -> list[SmsMessage]:
    """The TOLONG messages of its help requests, and the answers sent to those numbers."""
    inbound = [r.sms_message_id for r in requests if r.sms_message_id is not None]
    phones = sorted({r.phone for r in requests if isinstance(r.phone, str) and r.phone})
    conditions = []
    if inbound:
        conditions.append(SmsMessage.id.in_(inbound))
    if phones:
        conditions.append(and_(SmsMessage.direction == "outbound", SmsMessage.kind == HELP_REQUEST_SMS_KIND,
                               or_(*(SmsMessage.phone_is(p) for p in phones))))
    if not conditions:
        return []
    return list(session.scalars(select(SmsMessage).where(or_(*conditions)).order_by(SmsMessage.id)))


def audit_entries(session: Session, data: HouseholdData) -> list[AuditEntry]:
    """The log's entries about the household's entities, in chain order."""
    conditions = [and_(AuditEntry.entity_type == kind, AuditEntry.entity_id.in_(sorted(ids)))
                  for kind, ids in data.entity_ids().items() if ids]
    return list(session.scalars(select(AuditEntry).where(or_(*conditions)).order_by(AuditEntry.seq)))
