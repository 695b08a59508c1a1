"""Imports every model so the metadata is complete (migrations, tests)."""

from resilience.accounts.models import ApiToken, User, WebSession  # noqa: F401
from resilience.areas.models import AdminArea  # noqa: F401
from resilience.audit.models import AuditEntry, AuditHead  # noqa: F401
from resilience.events.models import FloodEvent, event_admin_areas  # noqa: F401
from resilience.households.models import Household, NotDuplicate  # noqa: F401
from resilience.needs.models import Need  # noqa: F401
from resilience.dispatch.models import Task  # noqa: F401
from resilience.stock.models import Depot, Item, StockBalance, StockMovement  # noqa: F401
from resilience.volunteers.models import Volunteer, VolunteerGroup  # noqa: F401
from resilience.sms.models import SmsMessage  # noqa: F401
from resilience.alerts.models import Alert  # noqa: F401
from resilience.helprequests.models import HelpRequest  # noqa: F401
