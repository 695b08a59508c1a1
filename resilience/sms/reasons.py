"""Why an outbound SMS failed, in words a coordinator can act on (gettext message ids, worded
in the page language by ``web.i18n.message_text``): Twilio's error codes and the GSM modem's
(Gammu) errors. An unknown code gets a general sentence with the code, so it can be looked up."""

from __future__ import annotations

import re

from resilience.core.errors import Message

TWILIO_REASONS = {
    30003: Message("The phone could not be reached: switched off, out of coverage or its SIM is no longer active."),
    30004: Message("The phone or its operator blocked the message."),
    30005: Message("The number is not known to the operator: the number may be wrong or no longer in use."),
    30006: Message("The number cannot receive SMS (a landline or a number of a service that does not take SMS)."),
    30007: Message("The operator filtered the message as spam or unwanted; try shorter, plainer wording."),
    30008: Message("The operator could not deliver the message for an unknown reason; try again later."),
    21211: Message("The phone number is not valid: check the volunteer's number in the roster."),
    21408: Message("Sending to this country is not enabled in the Twilio account."),
    21610: Message("The volunteer unsubscribed from SMS (replied STOP); they must reply MULAI to receive SMS again."),
    21612: Message("Twilio cannot send from this sender number to this number."),
    21614: Message("The number is not a mobile number."),
    63016: Message("The message was outside the allowed time window of the channel (WhatsApp 24-hour rule)."),
    63003: Message("The number has no WhatsApp account."),
    63024: Message("WhatsApp could not deliver the message to this number (the phone may be offline or "
                   "WhatsApp not installed)."),
}

GAMMU_REASONS = {
    "ERR_INVALIDDATA": Message("The modem refused the message as invalid (the number or the text)."),
    "ERR_NOSIM": Message("The modem has no SIM card."),
    "ERR_NETWORK_ERROR": Message("The modem has no mobile network."),
    "ERR_GETTING_SMSC": Message("The modem could not read the SMS centre number of its SIM card."),
    "ERR_MOREMEMORY": Message("The modem ran out of memory for the message."),
    "ERR_NOTSUPPORTED": Message("The modem does not support sending this message."),
    "ERR_DEVICENOTEXIST": Message("The modem is not connected (its device is missing)."),
    "ERR_TIMEOUT": Message("The modem did not answer in time."),
}

_GAMMU_CODE = re.compile(r"\b(ERR_[A-Z_]+)\b")


def failure_reason(error_code: int | None, error_message: str | None, channel: str | None = None) -> Message:
    """The reason a message failed, worded for a coordinator."""
    if error_code is not None and error_code in TWILIO_REASONS:
        return TWILIO_REASONS[error_code]
    found = _GAMMU_CODE.search(error_message or "")
    if found:
        code = found.group(1)
        if code in GAMMU_REASONS:
            return GAMMU_REASONS[code]
        return Message("The modem reported error %(code)s.", code=code)
    if error_code is not None:
        return Message("The SMS provider reported error %(code)s.", code=str(error_code))
    if channel == "gammu" or "modem" in (error_message or ""):
        return Message("The modem could not send the message.")
    return Message("The SMS could not be sent; the provider gave no reason.")


_SWITCHES = (
    (re.compile(r"^whatsapp failed: no WhatsApp template for (\w+) outside the 24-hour window$"),
     lambda m: Message("Not by WhatsApp: outside the 24-hour window and no approved template for "
                       "'%(kind)s'; sent by SMS.", kind=m.group(1))),
    (re.compile(r"^whatsapp failed: outside WhatsApp's 24-hour window without a template \(63016\)$"),
     lambda m: Message("WhatsApp refused it: outside the 24-hour window (error 63016); sent by SMS.")),
    (re.compile(r"^whatsapp failed: the number has no WhatsApp \(63003\)$"),
     lambda m: Message("The number has no WhatsApp (error 63003); sent by SMS.")),
    (re.compile(r"^whatsapp (?:undelivered|failed)(?: \((\d+)\))?$"),
     lambda m: Message("WhatsApp did not deliver it (error %(code)s); sent again by SMS.", code=m.group(1) or "?")),
    (re.compile(r"^whatsapp not delivered after (\d+) s$"),
     lambda m: Message("WhatsApp had not delivered it after %(minutes)s minutes; sent again by SMS.",
                       minutes=max(1, round(int(m.group(1)) / 60)))),
    (re.compile(r"^(twilio|gammu|whatsapp) failed: (.*)$", re.S),
     lambda m: Message("%(channel)s could not send it (%(detail)s); sent by the next channel.",
                       channel=CHANNEL_NAMES.get(m.group(1), m.group(1)), detail=m.group(2))),
)
#: How a coordinator calls each channel (proper names: not translated).
CHANNEL_NAMES = {"twilio": "SMS (Twilio)", "gammu": "SMS (modem)", "whatsapp": "WhatsApp", "outbox": "outbox"}


def channel_reason(reason: str | None) -> Message | str:
    """Why a message left the channel before (``channel_reason``), worded for a coordinator;
    '' when it did not switch. Stored reasons are English (the API shows them as they are)."""
    if not reason:
        return ""
    for pattern, word in _SWITCHES:
        found = pattern.match(reason)
        if found:
            return word(found)
    return Message("Switched channel: %(detail)s", detail=reason)
