"""Failed SMS are explained by their provider code, in the page language (gettext ids)."""

import pytest

from resilience.sms.reasons import GAMMU_REASONS, TWILIO_REASONS, failure_reason


@pytest.mark.parametrize("code", [30003, 30005, 30006, 30007, 21211, 21610, 63016])
def test_known_twilio_codes_have_their_own_reason(code):
    reason = failure_reason(code, f"Twilio refused the message ({code})", "twilio")
    assert reason is TWILIO_REASONS[code] and not reason.params


def test_gammu_errors_are_read_from_the_stored_text():
    assert failure_reason(None, "the modem refused the message (ERR_INVALIDDATA)", "gammu") \
        is GAMMU_REASONS["ERR_INVALIDDATA"]
    other = failure_reason(None, "the modem failed after 1 of 2 parts (ERR_WEIRD)", "gammu")
    assert other.msgid == "The modem reported error %(code)s." and other.params == {"code": "ERR_WEIRD"}


def test_unknown_codes_are_named_and_no_code_gets_a_general_reason():
    unknown = failure_reason(12345, "Twilio refused the message (12345)", "twilio")
    assert unknown.msgid == "The SMS provider reported error %(code)s." and unknown.params == {"code": "12345"}
    assert failure_reason(None, "", None).msgid == "The SMS could not be sent; the provider gave no reason."
    assert failure_reason(None, "the modem's answer was lost", "gammu").msgid == "The modem could not send the message."


def test_every_reason_is_translated_to_indonesian():
    from tests.web.catalogues import catalogue

    indonesian = catalogue("id")
    for reason in [*TWILIO_REASONS.values(), *GAMMU_REASONS.values()]:
        assert indonesian.get(reason.msgid).string, reason.msgid
