"""WhatsApp's settings, checked at start-up: one clear line per mistake."""

import pytest

from resilience.core.settings import Settings, SettingsError

TEMPLATE = "HX" + "ab" * 16
CHECKIN = "HX" + "cd" * 16
CITY = {"SECRET_KEY": "x" * 32, "RESILIENCE_ENV": "test", "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t", "TWILIO_FROM": "+15005550006",
        "PUBLIC_BASE_URL": "https://posko.example.org"}


def _settings(tmp_path, base=CITY, **env):
    return Settings.from_env({**base, "RESILIENCE_INSTANCE_PATH": str(tmp_path), **env})


def test_the_city_setup(tmp_path):
    settings = _settings(tmp_path, TWILIO_WHATSAPP_FROM="+14155238886",
                         WHATSAPP_TEMPLATES=f"offer={TEMPLATE}, checkin={CHECKIN}",
                         WHATSAPP_FALLBACK_SECONDS="300")
    assert settings.whatsapp_from == "whatsapp:+14155238886"
    assert dict(settings.whatsapp_templates) == {"offer": TEMPLATE, "checkin": CHECKIN}
    assert settings.whatsapp_fallback_seconds == 300.0
    off = _settings(tmp_path)
    assert off.whatsapp_from is None and off.whatsapp_templates == () and off.whatsapp_fallback_seconds == 900.0


@pytest.mark.parametrize("env, line", [
    ({"TWILIO_WHATSAPP_FROM": "whatsapp:0812"}, "TWILIO_WHATSAPP_FROM must be a WhatsApp sender number, whatsapp:+62…; got 'whatsapp:0812'"),
    ({"WHATSAPP_TEMPLATES": f"offer={TEMPLATE}"}, "WHATSAPP_TEMPLATES is set but TWILIO_WHATSAPP_FROM is not"),
    ({"TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886", "WHATSAPP_TEMPLATES": f"tawaran={TEMPLATE}"},
     "WHATSAPP_TEMPLATES: 'tawaran' is not a kind of message; use offer, confirmation, checkin"),
    ({"TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886", "WHATSAPP_TEMPLATES": "offer=HX12"},
     "the template of 'offer' must be a Content SID, 'HX' followed by 32 hex digits; got 'HX12'"),
    ({"TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886", "WHATSAPP_TEMPLATES": f"offer={TEMPLATE},offer={TEMPLATE}"},
     "WHATSAPP_TEMPLATES names 'offer' twice"),
    ({"WHATSAPP_FALLBACK_SECONDS": "5"}, "WHATSAPP_FALLBACK_SECONDS must be a number of seconds from 30 to 86400; got '5'"),
    ({"TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886", "PUBLIC_BASE_URL": ""},
     "PUBLIC_BASE_URL is required"),
    ({"TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886", "SMS_BACKEND": "outbox"},
     "TWILIO_WHATSAPP_FROM needs an SMS backend to fall back to"),
    ({"TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886", "SMS_BACKEND": "outbox", "TWILIO_AUTH_TOKEN": ""},
     "TWILIO_AUTH_TOKEN is required when TWILIO_WHATSAPP_FROM is set"),
])
def test_mistakes_are_one_clear_line(tmp_path, env, line):
    with pytest.raises(SettingsError) as error:
        _settings(tmp_path, **env)
    message = str(error.value)
    assert line in message and "\n" not in message
