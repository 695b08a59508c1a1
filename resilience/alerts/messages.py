"""SMS about alerts, to the coordinator on duty and to a group leader, worded from the gettext
catalogues like ``dispatch.messages`` (message context ``sms``, English ids, GSM-7, at most 2
segments). They are kept apart from ``dispatch.messages``, whose messages go to volunteers
about their tasks; the machinery (catalogues, cleaning free text) is that module's.

No personal data: kinds, counts, need categories, priorities and task codes. The one
exception is the emergency, which names the volunteer whose safety is in doubt: the person
who must go and look for them has to know whom to look for.
"""

from __future__ import annotations

from collections.abc import Mapping

from resilience.dispatch.messages import DEFAULT_LANGUAGE, _category, _clean, _code, _shorten, translations
from resilience.sms.gsm7 import fits
from resilience.vocabulary import ALERT_KINDS

EVENT_NAME_MAX = 30
VOLUNTEER_NAME_MAX = 40


def _kind_words(lang: str) -> dict[str, str]:
    tr = translations(lang)
    return {
        # NOTE: SMS to the coordinator on duty: a kind of alert, followed by a count ("no candidate: 3").
        "no_candidate": tr.pgettext("sms", "no volunteer left"),
        # NOTE: SMS to the coordinator on duty: a kind of alert, followed by a count.
        "long_wait": tr.pgettext("sms", "long wait P4-5"),
        # NOTE: SMS to the coordinator on duty: a kind of alert, followed by a count.
        "repeated_expiry": tr.pgettext("sms", "offer expired twice"),
        # NOTE: SMS to the coordinator on duty: a kind of alert, followed by a count.
        "sms_failed": tr.pgettext("sms", "SMS failed"),
        # NOTE: SMS to the coordinator on duty: a kind of alert, followed by a count.
        "opted_out_with_tasks": tr.pgettext("sms", "volunteer stopped SMS"),
        # NOTE: SMS to the coordinator on duty: a kind of alert, followed by a count.
        "safety_escalation": tr.pgettext("sms", "safety emergency"),
    }


def summary(event_name: str, counts: Mapping[str, int], top_priority: int | None = None, *,
            lang: str = DEFAULT_LANGUAGE) -> str:
    """New alerts of one event since the last summary, counted by kind (``ALERT_KINDS``)."""
    tr = translations(lang)
    words = _kind_words(lang)
    total = sum(counts.values())
    parts = ", ".join(f"{words[kind]}: {counts[kind]}" for kind in ALERT_KINDS if counts.get(kind))
    name = _shorten(_clean(event_name), EVENT_NAME_MAX)
    if total == 1:
        # NOTE: SMS to the coordinator on duty (at most 2 parts of 153 GSM-7 characters): one new alert in the event.
        head = tr.pgettext("sms", "%(event)s: 1 new alert (%(kinds)s).")
    else:
        # NOTE: SMS to the coordinator on duty (at most 2 parts of 153 GSM-7 characters): new alerts in the event, by kind.
        head = tr.pgettext("sms", "%(event)s: %(count)s new alerts (%(kinds)s).")
    text = head % {"event": name, "count": total, "kinds": parts}
    if top_priority and top_priority >= 4:
        # NOTE: SMS to the coordinator on duty: the highest priority of the needs concerned.
        text += " " + tr.pgettext("sms", "Highest need priority: %(priority)s.") % {"priority": top_priority}
    # NOTE: SMS to the coordinator on duty: where to act.
    text += " " + tr.pgettext("sms", "Open the Alerts page.")
    if not fits(text):  # only a pathological event name gets here
        text = head % {"event": "", "count": total, "kinds": parts}
    return text


def emergency(task_code: str | None, volunteer_name: str | None, category: str | None,
              repeat: int = 0, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """A safety escalation, to the coordinator on duty and the volunteer's group leader."""
    tr = translations(lang)
    who = _shorten(_clean(volunteer_name), VOLUNTEER_NAME_MAX) if volunteer_name else ""
    code = _code(task_code) if task_code else ""
    # NOTE: SMS (emergency, at most 2 parts of 153 GSM-7 characters): starts the message; keep it short and loud.
    text = tr.pgettext("sms", "EMERGENCY:")
    if who and code:
        # NOTE: SMS (emergency): a volunteer on a task asked for help or stopped answering the safety check.
        text += " " + tr.pgettext("sms", "volunteer %(name)s on task %(code)s asked for help or did not answer the safety check.") % {
            "name": who, "code": code}
    elif code:
        # NOTE: SMS (emergency): the volunteer of a task asked for help or stopped answering the safety check.
        text += " " + tr.pgettext("sms", "the volunteer on task %(code)s asked for help or did not answer the safety check.") % {
            "code": code}
    else:
        # NOTE: SMS (emergency): a volunteer asked for help or stopped answering the safety check.
        text += " " + tr.pgettext("sms", "a volunteer asked for help or did not answer the safety check.")
    if category:
        # NOTE: SMS (emergency): the kind of task (evacuation, first aid, ...).
        text += " " + tr.pgettext("sms", "Task: %(category)s.") % {"category": _category(category, lang)}
    # NOTE: SMS (emergency): what to do; the message repeats until someone acknowledges the alert.
    text += " " + tr.pgettext("sms", "Contact them now, then acknowledge the alert on the Alerts page.")
    if repeat:
        # NOTE: SMS (emergency): the how-many-th time this alert is sent.
        text += " " + tr.pgettext("sms", "(reminder %(count)s)") % {"count": repeat}
    return text
