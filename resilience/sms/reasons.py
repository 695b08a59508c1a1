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
