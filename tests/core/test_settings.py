"""Settings: defaults, validation with one clear line naming the variable."""

import subprocess
import sys

import pytest

from resilience.core.settings import Settings, SettingsError


def test_defaults_are_the_embedded_deployment(tmp_path):
    settings = Settings.from_env({"RESILIENCE_INSTANCE_PATH": str(tmp_path)})
    assert settings.database_url.startswith("sqlite:////") and settings.database_url.endswith("instance/resilience.db")
    assert settings.embedded and settings.sms_backend == "outbox" and settings.sms_max_per_second == 10
    secret = (tmp_path / "secret_key").read_text().strip()
    assert settings.secret_key == secret and len(secret) >= 40
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    # The generated key is stable across starts.
    assert Settings.from_env({"RESILIENCE_INSTANCE_PATH": str(tmp_path)}).secret_key == secret


def test_postgres_url_gets_the_psycopg_driver():
    settings = Settings.from_env({"DATABASE_URL": "postgresql://u@h/db", "SECRET_KEY": "x" * 20})
    assert settings.database_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(
    "env, name",
    [
        ({"RESILIENCE_ENV": "production"}, "SECRET_KEY"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({"SMS_BACKEND": "carrier-pigeon"}, "SMS_BACKEND"),
        ({"SMS_BACKEND": "twilio"}, "TWILIO_ACCOUNT_SID"),
        ({"SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t",
          "TWILIO_FROM": "0812"}, "TWILIO_FROM"),
        ({"SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t",
          "TWILIO_FROM": "+6281100000000"}, "PUBLIC_BASE_URL"),
        ({"SMS_MAX_PER_SECOND": "fast"}, "SMS_MAX_PER_SECOND"),
        ({"SMS_MAX_PER_SECOND": "-1"}, "SMS_MAX_PER_SECOND"),
        ({"TWILIO_API_URL": "ftp://x"}, "TWILIO_API_URL"),
        ({"REDIS_URL": "http://localhost"}, "REDIS_URL"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"TIMEZONE": "WIB"}, "TIMEZONE"),
        ({"TIMEZONE": "Asia/Palangkaraya"}, "TIMEZONE"),
        ({"TIMEZONE": "../etc/passwd"}, "TIMEZONE"),
    ],
)
def test_bad_settings_name_the_variable(env, name, tmp_path):
    env = {"RESILIENCE_INSTANCE_PATH": str(tmp_path), **env}
    with pytest.raises(SettingsError) as info:
        Settings.from_env(env)
    assert name in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"])
def test_timezone_is_an_iana_name_defaulting_to_jakarta(zone, tmp_path):
    assert Settings.from_env({"RESILIENCE_INSTANCE_PATH": str(tmp_path)}).timezone == "Asia/Jakarta"
    assert Settings.from_env({"RESILIENCE_INSTANCE_PATH": str(tmp_path), "TIMEZONE": zone}).timezone == zone


def test_cli_stops_with_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "resilience.cli", "init-db"],
        env={"PATH": "/usr/bin:/bin", "SMS_MAX_PER_SECOND": "lots", "RESILIENCE_INSTANCE_PATH": str(tmp_path)},
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: SMS_MAX_PER_SECOND must be a positive number; got 'lots'"
    ]
