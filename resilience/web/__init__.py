"""The coordinator web app: server-rendered pages on top of the same operations as the API.

Sessions (signed cookie), a per-session CSRF token on every non-GET request, rate-limited
login, Bahasa Indonesia by default with English switchable (gettext catalogues in
``resilience/translations``). Nothing here is under /api/v1/, so the API's bearer-only guard is
untouched. The blueprint lives in :mod:`resilience.web.blueprint`; importing this package
imports every page module, which adds its views to it.
"""

from __future__ import annotations

# In this order: the session guards first, then the pages in menu order.
from resilience.web import session  # noqa: F401,I001  (guards, login, language)
from resilience.web import dashboard  # noqa: F401
from resilience.web import alerts  # noqa: F401
from resilience.web import matching  # noqa: F401
from resilience.web import inbox  # noqa: F401
from resilience.web import board  # noqa: F401
from resilience.web import event_edit  # noqa: F401
from resilience.web import households  # noqa: F401
from resilience.web import household_import  # noqa: F401
from resilience.web import registry  # noqa: F401
from resilience.web import privacy  # noqa: F401
from resilience.web import roster  # noqa: F401
from resilience.web import stock  # noqa: F401
from resilience.web import stock_forms  # noqa: F401
from resilience.web import stock_setup  # noqa: F401
from resilience.web import report  # noqa: F401
from resilience.web import transparency  # noqa: F401
from resilience.web import audit_log  # noqa: F401
from resilience.web import assets  # noqa: F401
from resilience.web import api_docs  # noqa: F401
from resilience.web.blueprint import NAV, bp, nav_item  # noqa: F401

__all__ = ["NAV", "bp", "nav_item"]
