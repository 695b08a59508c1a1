"""The domain's words, defined once: skills, need categories, roles, statuses and kinds.

These are the fixed values of the product contract (../shared/SPEC.md): the API validates
against them, the database CHECK constraints hold the same lists, matching pairs a need's
category with the skill it requires. Everything else imports them from here; the migrations
keep their own literal copies, because a migration is history.

Pure: no database, no Flask, no imports at all, so the engine, the demo generator and the
CLI can use it without an application. Wording for people (Bahasa Indonesia, English) is
not here; these are the stored codes.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- people
ROLES = ("admin", "coordinator", "official")
WRITE_ROLES = ("admin", "coordinator")  # may change data; an official reads

# --------------------------------------------------------------------------- households
VULNERABILITY_FIELDS = (  # members counted per household, one column each
    "elderly",
    "children_under5",
    "pregnant_or_lactating",
    "disabled",
    "chronically_ill",
)
# How far a household's point can be trusted: measured, clicked on a map, or only "somewhere in
# its kelurahan" (an approximate point inside the boundary).
LOCATION_PRECISIONS = ("gps", "map", "kelurahan")
APPROXIMATE_PRECISIONS = ("kelurahan",)
# Why two households may be one family (GET /households/duplicates), strongest first.
DUPLICATE_REASONS = (
    "same_kk",        # the same KK number (family card): one family
    "same_phone",     # the same phone number
    "similar_name",   # the head's names match once spelling variants and titles are set aside
    "near",           # both measured points within DUPLICATE_NEAR_M of each other
    "same_rt",        # the same kelurahan, RW and RT
    "same_kelurahan", # the same kelurahan, one of them without a measured point or RT
)
# A household's own SMS asking for help (TOLONG ...), until a coordinator has looked at it.
HELP_REQUEST_STATUSES = ("pending", "verified", "rejected")
# Why a household's personal data was erased (UU PDP 27/2022). A code, not free text: the
# audit entry of the erasure must itself hold no personal value.
ERASURE_REASONS = (
    "subject_request",    # the household asked for it (the data subject's right to erasure)
    "consent_withdrawn",  # it withdrew its consent to the processing
    "no_longer_needed",   # the purpose ended (the response is over, the retention period passed)
    "unlawful",           # it should never have been collected or kept
    "legal_order",        # a court or authority ordered it
)
# What an erased personal text field answers with.
ERASED_TEXT = "[dihapus]"

# --------------------------------------------------------------------------- volunteers
SKILLS = ("boat", "first_aid", "counseling", "logistics", "driving", "cooking")
AVAILABILITY = ("available", "busy", "off")
GROUP_KINDS = ("youth", "women", "community", "ngo", "government")

# --------------------------------------------------------------------------- needs
NEED_CATEGORIES = ("evacuation", "medical", "psychosocial", "food", "water", "clothing", "logistics")
REQUIRED_SKILL = {  # category -> the skill a volunteer must have to serve it (None: anyone)
    "evacuation": "boat",
    "medical": "first_aid",
    "psychosocial": "counseling",
    "logistics": "logistics",
    "food": None,
    "water": None,
    "clothing": None,
}
NEED_STATUSES = ("open", "assigned", "in_progress", "done", "cancelled")
LIVE_NEED_STATUSES = ("open", "assigned", "in_progress")  # still waiting for, or getting, help
MANUAL_NEED_STATUSES = ("open", "done", "cancelled")  # the ones a coordinator may set by hand

# --------------------------------------------------------------------------- flood events
EVENT_STATUSES = ("active", "closed")
# Needs whose task puts the volunteer at risk: after acceptance they are asked AMAN / BANTU
# (the event's checkin_categories; these are the default).
CHECKIN_CATEGORIES = ("evacuation", "medical")

# --------------------------------------------------------------------------- alerts
# What needs a coordinator now (GET /alerts), one code each:
ALERT_KINDS = (
    "no_candidate",       # a need back to open with nobody left to offer it to
    "long_wait",          # a priority 4-5 need waiting longer than the event's threshold
    "repeated_expiry",    # a need whose offers expired twice or more
    "sms_failed",         # an SMS that failed for good
    "opted_out_with_tasks",  # a volunteer who sent STOP while holding live tasks
    "safety_escalation",  # BANTU, or no answer to the safety check-in
)
ALERT_SEVERITIES = ("warning", "emergency")

# --------------------------------------------------------------------------- aid stock
DEPOT_KINDS = ("posko", "gudang")
ITEM_CATEGORIES = ("food", "water", "clothing", "shelter", "hygiene", "medical", "other")
MOVEMENT_KINDS = ("receipt", "issue", "transfer_out", "transfer_in", "adjustment")
UNITS = {"kg": 3, "l": 3, "pcs": 0, "paket": 0}  # unit -> decimals a quantity may have
