"""SMS_BACKEND=gammu and the chain syntax, checked at start-up: one clear line per mistake."""

import pytest

from resilience.core.settings import Settings, SettingsError

BASE = {"SECRET_KEY": "x" * 32, "RESILIENCE_ENV": "test"}


def _settings(tmp_path, **env):
    return Settings.from_env({**BASE, "RESILIENCE_INSTANCE_PATH": str(tmp_path), **env})


def _config(tmp_path, content="[gammu]\ndevice = /dev/ttyUSB0\nconnection = at\n", name="gammurc"):
    path = tmp_path / name
    path.write_text(content)
    return str(path)


def test_a_chain_is_an_ordered_tuple(tmp_path):
    twilio = {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t", "TWILIO_FROM": "+15005550006",
              "PUBLIC_BASE_URL": "https://posko.example.org"}
    settings = _settings(tmp_path, SMS_BACKEND="twilio, gammu", GAMMU_CONFIG=_config(tmp_path),
                         SMS_FALLBACK_AFTER="120", **twilio)
    assert settings.sms_chain == ("twilio", "gammu") and settings.sms_backend == "twilio"
    assert settings.sms_fallback_after == 120.0 and settings.gammu_config
    assert _settings(tmp_path).sms_chain == ("outbox",)


def test_gammu_with_a_config(tmp_path):
    settings = _settings(tmp_path, SMS_BACKEND="gammu", GAMMU_CONFIG=_config(tmp_path), GAMMU_MAX_PER_SECOND="0.5")
    assert settings.sms_backend == "gammu" and settings.gammu_config.endswith("gammurc")
    assert settings.gammu_max_per_second == 0.5
    assert _settings(tmp_path, SMS_BACKEND="gammu", GAMMU_CONFIG=_config(tmp_path)).gammu_max_per_second == 1.0


@pytest.mark.parametrize("env, line", [
    ({"SMS_BACKEND": "gammu"}, "GAMMU_CONFIG is required when SMS_BACKEND includes gammu"),
    ({"SMS_BACKEND": "gammu", "GAMMU_CONFIG": "/nonexistent/gammurc"}, "cannot be read: No such file or directory"),
    ({"SMS_BACKEND": "gammu", "GAMMU_CONFIG": "{dir}"}, "cannot be read"),
    ({"SMS_BACKEND": "gammu", "GAMMU_CONFIG": "{other}"}, "has no [gammu] section"),
    ({"SMS_BACKEND": "gammu", "GAMMU_CONFIG": "{nodevice}"}, "names no device"),
    ({"SMS_BACKEND": "gammu", "GAMMU_CONFIG": "{garbage}"}, "is not a Gammu config file"),
    ({"SMS_BACKEND": "gammu", "GAMMU_CONFIG": "{ok}", "GAMMU_MAX_PER_SECOND": "fast"},
     "GAMMU_MAX_PER_SECOND must be a number above 0 and at most 100; got 'fast'"),
    ({"SMS_BACKEND": "gammu", "GAMMU_CONFIG": "{ok}", "GAMMU_MAX_PER_SECOND": "0"}, "GAMMU_MAX_PER_SECOND must be"),
    ({"SMS_BACKEND": "twilio,gammu", "GAMMU_CONFIG": "{ok}"}, "TWILIO_ACCOUNT_SID is required when SMS_BACKEND includes twilio"),
    ({"SMS_BACKEND": "gammu,twilio"}, "GAMMU_CONFIG is required when SMS_BACKEND includes gammu"),
    ({"SMS_BACKEND": "twilio,outbox"}, "the outbox sends nothing, so it cannot be part of a fallback chain"),
    ({"SMS_FALLBACK_AFTER": "soon"}, "SMS_FALLBACK_AFTER must be a number of seconds from 0 to 86400; got 'soon'"),
    ({"SMS_BACKEND": "gammu,gammu"}, "names a backend twice"),
    ({"SMS_BACKEND": "twilio,modem"}, "SMS_BACKEND must be one of outbox, twilio, gammu or a comma list of them; got 'modem'"),
])
def test_mistakes_are_one_clear_line(tmp_path, env, line):
    files = {"dir": str(tmp_path), "ok": _config(tmp_path),
             "other": _config(tmp_path, "[smsd]\nservice = files\n", "other"),
             "nodevice": _config(tmp_path, "[gammu]\nmodel = dummy\n", "nodevice"),
             "garbage": _config(tmp_path, "device = x\n", "garbage")}
    env = {key: value.format(**files) for key, value in env.items()}
    with pytest.raises(SettingsError) as error:
        _settings(tmp_path, **env)
    message = str(error.value)
    assert line in message and "\n" not in message
