"""Settings from environment variables, checked once at start-up.

Every setting in SPEC.md's configuration table is read here and nowhere else. A missing or
malformed value raises :class:`SettingsError` whose message is one line naming the variable;
the CLI prints that line and exits, so the service never starts half-configured.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENVIRONMENTS = ("development", "production", "test")
SMS_BACKENDS = ("outbox", "twilio", "gammu")
LOG_FORMATS = ("text", "json")
SMS_LANGUAGES = ("id", "en")  # the catalogues SMS are worded from (resilience/translations)
DEFAULT_DATABASE_URL = "sqlite:///instance/resilience.db"
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_MESSAGING_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
_CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")
#: The kinds of message a volunteer gets, which may have a WhatsApp template (WHATSAPP_TEMPLATES).
WHATSAPP_TEMPLATE_KINDS = ("offer", "confirmation", "checkin", "expiry", "cancellation", "done_on_behalf",
                           "coordinator")


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    instance_path: Path = field(default_factory=lambda: Path.cwd() / "instance")
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    secret_key: str = ""
    field_encryption_keys: tuple[str, ...] = ()  # Fernet keys, newest first
    sms_backend: str = "outbox"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from: str | None = None
    twilio_api_url: str | None = None
    public_base_url: str | None = None
    sms_max_per_second: float = 10.0
    sms_http_timeout: float = 15.0
    gammu_config: str | None = None
    gammu_max_per_second: float = 1.0
    sms_chain: tuple[str, ...] = ("outbox",)  # SMS_BACKEND as an ordered fallback chain
    sms_fallback_after: float = 300.0
    whatsapp_from: str | None = None  # "whatsapp:+…": WhatsApp through Twilio is on when set
    whatsapp_templates: tuple[tuple[str, str], ...] = ()  # (message kind, approved Content SID HX…)
    whatsapp_fallback_seconds: float = 900.0  # a WhatsApp message not delivered by then goes by SMS
    tile_url: str | None = None  # base-map tiles for the web app's maps; None = no base map
    tile_attribution: str | None = None
    timezone: str = "Asia/Jakarta"  # IANA name: pages, SMS and reports show local time in it
    sms_language: str = "id"  # the language of the SMS volunteers get
    session_idle_minutes: int = 120  # a web session unused this long ends
    session_max_hours: int = 12  # a web session ends this long after login, used or not
    api_token_days: int = 90  # a new API token's lifetime
    api_rate_limit: int = 600  # API requests per minute from one client address; 0: no limit
    proxy_count: int = 0  # reverse proxies in front whose X-Forwarded-* headers are trusted
    log_format: str = "text"  # "json": one JSON object a line, with the request id
    metrics_token: str | None = None  # a bearer token that may read /metrics (besides admins)
    # Officials' phones (E.164) that get the audit chain head by SMS once a day, besides the
    # duty phone of every active event (resilience/audit/anchor.py).
    audit_anchor_phones: tuple[str, ...] = ()

    @property
    def embedded(self) -> bool:
        """No Redis: background work runs inside the serve process."""
        return self.redis_url is None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if environ is None else environ)

        def get(name: str) -> str | None:
            value = env.get(name)
            if value is None or value.strip() == "":
                return None
            return value.strip()

        mode = get("RESILIENCE_ENV") or "development"
        if mode not in ENVIRONMENTS:
            raise SettingsError(
                f"RESILIENCE_ENV must be one of {', '.join(ENVIRONMENTS)}; got {mode!r}"
            )
        instance_path = Path(get("RESILIENCE_INSTANCE_PATH") or Path.cwd() / "instance").resolve()

        database_url = _database_url(get("DATABASE_URL") or DEFAULT_DATABASE_URL)
        redis_url = get("REDIS_URL")
        if redis_url is not None and urlsplit(redis_url).scheme not in ("redis", "rediss", "unix"):
            raise SettingsError(f"REDIS_URL must be a redis:// or rediss:// URL; got {redis_url!r}")

        secret_key = get("SECRET_KEY")
        if secret_key is None:
            if mode == "production":
                raise SettingsError("SECRET_KEY is required when RESILIENCE_ENV=production")
            secret_key = _instance_secret(instance_path)
        elif len(secret_key) < 16:
            raise SettingsError("SECRET_KEY must be at least 16 characters long")

        field_keys = _field_keys(get("FIELD_ENCRYPTION_KEYS"), mode, instance_path)

        sms_chain = _sms_chain(get("SMS_BACKEND") or "outbox")
        sms_backend = sms_chain[0]
        gammu_config, gammu_rate = _gammu(sms_chain, get("GAMMU_CONFIG"), get("GAMMU_MAX_PER_SECOND"))
        fallback_text = get("SMS_FALLBACK_AFTER") or "300"
        try:
            fallback_after = float(fallback_text)
        except ValueError:
            fallback_after = float("nan")
        if not (0 <= fallback_after <= 86400):
            raise SettingsError(f"SMS_FALLBACK_AFTER must be a number of seconds from 0 to 86400; got {fallback_text!r}")
        sid, token, sender = (
            get("TWILIO_ACCOUNT_SID"),
            get("TWILIO_AUTH_TOKEN"),
            get("TWILIO_FROM"),
        )
        if "twilio" in sms_chain:
            for name, value in (
                ("TWILIO_ACCOUNT_SID", sid),
                ("TWILIO_AUTH_TOKEN", token),
                ("TWILIO_FROM", sender),
            ):
                if value is None:
                    raise SettingsError(f"{name} is required when SMS_BACKEND includes twilio")
            if not re.fullmatch(r"AC[0-9a-fA-F]{32}", sid or ""):
                raise SettingsError("TWILIO_ACCOUNT_SID must be 'AC' followed by 32 hex digits")
            if not (_E164.match(sender or "") or _MESSAGING_SERVICE_SID.match(sender or "")):
                raise SettingsError(
                    "TWILIO_FROM must be an E.164 number (+62…) or a Messaging Service SID (MG…)"
                )

        twilio_api_url = _http_url("TWILIO_API_URL", get("TWILIO_API_URL"))
        public_base_url = _http_url("PUBLIC_BASE_URL", get("PUBLIC_BASE_URL"))
        whatsapp_from, whatsapp_templates, whatsapp_fallback = _whatsapp(
            get, sid, token, public_base_url, sms_chain)
        if "twilio" in sms_chain and public_base_url is None:
            raise SettingsError(
                "PUBLIC_BASE_URL is required when SMS_BACKEND includes twilio (Twilio's status callbacks and "
                "webhook signatures use it)"
            )

        rate_text = get("SMS_MAX_PER_SECOND") or "10"
        try:
            rate = float(rate_text)
        except ValueError:
            rate = float("nan")
        if not (rate > 0 and rate != float("inf")):
            raise SettingsError(f"SMS_MAX_PER_SECOND must be a positive number; got {rate_text!r}")

        timeout_text = get("SMS_HTTP_TIMEOUT") or "15"
        try:
            http_timeout = float(timeout_text)
        except ValueError:
            http_timeout = float("nan")
        if not (0 < http_timeout <= 50):
            raise SettingsError(
                f"SMS_HTTP_TIMEOUT must be a number of seconds above 0 and at most 50 (below the task time "
                f"limit); got {timeout_text!r}"
            )

        tile_url, tile_attribution = _tiles(get("RESILIENCE_TILE_URL"), get("RESILIENCE_TILE_ATTRIBUTION"))
        zone = _timezone(get("TIMEZONE"))
        sms_language = get("SMS_LANGUAGE") or "id"
        if sms_language not in SMS_LANGUAGES:
            raise SettingsError(f"SMS_LANGUAGE must be one of {', '.join(SMS_LANGUAGES)}; got {sms_language!r}")

        session_idle = _int_setting(get, "SESSION_IDLE_MINUTES", 120, 1, 7 * 24 * 60)
        session_max = _int_setting(get, "SESSION_MAX_HOURS", 12, 1, 30 * 24)
        token_days = _int_setting(get, "API_TOKEN_DAYS", 90, 1, 3650)
        api_rate = _int_setting(get, "API_RATE_LIMIT", 600, 0, 1_000_000)
        proxy_count = _int_setting(get, "PROXY_COUNT", 0, 0, 10)
        log_format = (get("LOG_FORMAT") or "text").lower()
        if log_format not in LOG_FORMATS:
            raise SettingsError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}; got {log_format!r}")
        metrics_token = get("METRICS_TOKEN")
        if metrics_token is not None and len(metrics_token) < 24:
            raise SettingsError("METRICS_TOKEN must be at least 24 characters long")  # never echo it

        anchor_phones = tuple(p.strip() for p in (get("AUDIT_ANCHOR_PHONES") or "").split(",") if p.strip())
        for phone in anchor_phones:
            if not _E164.match(phone):
                raise SettingsError(f"AUDIT_ANCHOR_PHONES must be E.164 numbers (+62…) separated by commas; got {phone!r}")

        return cls(
            env=mode,
            instance_path=instance_path,
            database_url=database_url,
            redis_url=redis_url,
            secret_key=secret_key,
            field_encryption_keys=field_keys,
            sms_backend=sms_backend,
            twilio_account_sid=sid,
            twilio_auth_token=token,
            twilio_from=sender,
            twilio_api_url=twilio_api_url,
            public_base_url=public_base_url.rstrip("/") if public_base_url else None,
            sms_max_per_second=rate,
            sms_http_timeout=http_timeout,
            gammu_config=gammu_config,
            gammu_max_per_second=gammu_rate,
            sms_chain=sms_chain,
            sms_fallback_after=fallback_after,
            whatsapp_from=whatsapp_from,
            whatsapp_templates=whatsapp_templates,
            whatsapp_fallback_seconds=whatsapp_fallback,
            tile_url=tile_url,
            tile_attribution=tile_attribution,
            timezone=zone,
            sms_language=sms_language,
            session_idle_minutes=session_idle,
            session_max_hours=session_max,
            api_token_days=token_days,
            api_rate_limit=api_rate,
            proxy_count=proxy_count,
            log_format=log_format,
            metrics_token=metrics_token,
            audit_anchor_phones=anchor_phones,
        )


def _int_setting(get, name: str, default: int, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high``; unset means ``default``."""
    text = get(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not (low <= value <= high):
        raise SettingsError(f"{name} must be a whole number from {low} to {high}; got {text!r}")
    return value


def _sms_chain(value: str) -> tuple[str, ...]:
    """One backend, or a comma list (``twilio,gammu``): an ordered fallback chain."""
    chain = tuple(part.strip() for part in value.split(","))
    for part in chain:
        if part not in SMS_BACKENDS:
            raise SettingsError(f"SMS_BACKEND must be one of {', '.join(SMS_BACKENDS)} or a comma list of them; "
                                f"got {part!r}")
    if len(set(chain)) != len(chain):
        raise SettingsError(f"SMS_BACKEND names a backend twice; got {value!r}")
    if len(chain) > 1 and "outbox" in chain:
        raise SettingsError(f"SMS_BACKEND={value}: the outbox sends nothing, so it cannot be part of a fallback chain")
    return chain


def _whatsapp(get, sid: str | None, token: str | None, public_base_url: str | None,
              chain: tuple[str, ...]) -> tuple[str | None, tuple[tuple[str, str], ...], float]:
    """TWILIO_WHATSAPP_FROM (the WhatsApp sender, ``whatsapp:+…`` or ``+…``) turns WhatsApp on
    for volunteers who prefer it; it needs the Twilio account and PUBLIC_BASE_URL (replies and
    statuses come by webhook). WHATSAPP_TEMPLATES (``offer=HX…,checkin=HX…``) names the approved
    template of each kind of message for outside the 24-hour window; WHATSAPP_FALLBACK_SECONDS
    how long a WhatsApp message may stay undelivered before it goes by SMS."""
    sender = get("TWILIO_WHATSAPP_FROM")
    templates_text = get("WHATSAPP_TEMPLATES")
    fallback_text = get("WHATSAPP_FALLBACK_SECONDS") or "900"
    try:
        fallback = float(fallback_text)
    except ValueError:
        fallback = float("nan")
    if not (30 <= fallback <= 86400):
        raise SettingsError(f"WHATSAPP_FALLBACK_SECONDS must be a number of seconds from 30 to 86400; "
                            f"got {fallback_text!r}")
    if sender is None:
        if templates_text is not None:
            raise SettingsError("WHATSAPP_TEMPLATES is set but TWILIO_WHATSAPP_FROM is not (WhatsApp is off)")
        return None, (), fallback
    number = sender[len("whatsapp:"):] if sender.startswith("whatsapp:") else sender
    if not _E164.match(number):
        raise SettingsError(f"TWILIO_WHATSAPP_FROM must be a WhatsApp sender number, whatsapp:+62…; got {sender!r}")
    for name, value in (("TWILIO_ACCOUNT_SID", sid), ("TWILIO_AUTH_TOKEN", token)):
        if value is None:
            raise SettingsError(f"{name} is required when TWILIO_WHATSAPP_FROM is set (WhatsApp goes through Twilio)")
    if not re.fullmatch(r"AC[0-9a-fA-F]{32}", sid or ""):
        raise SettingsError("TWILIO_ACCOUNT_SID must be 'AC' followed by 32 hex digits")
    if public_base_url is None:
        raise SettingsError("PUBLIC_BASE_URL is required when TWILIO_WHATSAPP_FROM is set (WhatsApp replies "
                            "and statuses come by Twilio's webhooks)")
    if chain == ("outbox",):
        raise SettingsError("TWILIO_WHATSAPP_FROM needs an SMS backend to fall back to: SMS_BACKEND=twilio, "
                            "gammu or twilio,gammu (not outbox)")
    templates: dict[str, str] = {}
    for part in (templates_text or "").split(","):
        if not part.strip():
            continue
        kind, _, content_sid = (x.strip() for x in part.partition("="))
        if kind not in WHATSAPP_TEMPLATE_KINDS:
            raise SettingsError(f"WHATSAPP_TEMPLATES: {kind!r} is not a kind of message; use "
                                f"{', '.join(WHATSAPP_TEMPLATE_KINDS)} (offer=HX…,checkin=HX…)")
        if kind in templates:
            raise SettingsError(f"WHATSAPP_TEMPLATES names {kind!r} twice")
        if not _CONTENT_SID.match(content_sid):
            raise SettingsError(f"WHATSAPP_TEMPLATES: the template of {kind!r} must be a Content SID, 'HX' "
                                f"followed by 32 hex digits; got {content_sid!r}")
        templates[kind] = content_sid
    return "whatsapp:" + number, tuple(sorted(templates.items())), fallback


def _gammu(chain: tuple[str, ...], config: str | None, rate_text: str | None) -> tuple[str | None, float]:
    """GAMMU_CONFIG (a readable file with a [gammu] section naming the modem's device) is
    required when SMS_BACKEND includes gammu; GAMMU_MAX_PER_SECOND is the modem's own send rate."""
    if "gammu" in chain:
        if config is None:
            raise SettingsError("GAMMU_CONFIG is required when SMS_BACKEND includes gammu (the path of a Gammu config file)")
        import configparser

        parser = configparser.RawConfigParser(strict=False)
        try:
            with open(config, encoding="utf-8", errors="replace") as handle:
                parser.read_file(handle)
        except OSError as exc:
            raise SettingsError(f"GAMMU_CONFIG {config!r} cannot be read: {exc.strerror}") from exc
        except configparser.Error as exc:
            raise SettingsError(f"GAMMU_CONFIG {config!r} is not a Gammu config file ({type(exc).__name__})") from exc
        if not parser.has_section("gammu"):
            raise SettingsError(f"GAMMU_CONFIG {config!r} has no [gammu] section")
        if not (parser.get("gammu", "device", fallback="") or parser.get("gammu", "port", fallback="")).strip():
            raise SettingsError(f"GAMMU_CONFIG {config!r}: the [gammu] section names no device (device = /dev/ttyUSB0)")
    text = rate_text or "1"
    try:
        rate = float(text)
    except ValueError:
        rate = float("nan")
    if not (0 < rate <= 100):
        raise SettingsError(f"GAMMU_MAX_PER_SECOND must be a number above 0 and at most 100; got {text!r}")
    return (config if "gammu" in chain else None), rate


def _database_url(url: str) -> str:
    """Accept SQLite (SpatiaLite) and PostgreSQL (PostGIS) URLs; make SQLite paths absolute.

    A relative SQLite path is taken relative to the working directory, as a user reading
    ``sqlite:///instance/resilience.db`` would expect (Flask-SQLAlchemy alone would put it under
    the instance folder a second time).
    """
    scheme = url.split(":", 1)[0]
    if scheme in ("postgres", "postgresql"):
        # A bare postgresql:// would pick psycopg2, which is not installed: use psycopg 3.
        return "postgresql+psycopg" + url[len(scheme):]
    if scheme == "postgresql+psycopg":
        return url
    if scheme in ("sqlite", "sqlite+pysqlite"):
        prefix = "sqlite:///"
        if not url.startswith(prefix):
            raise SettingsError(f"DATABASE_URL must look like sqlite:///path/to/file.db; got {url!r}")
        path = url[len(prefix):]
        if path in ("", ":memory:"):
            raise SettingsError("DATABASE_URL must name a SQLite file, not an in-memory database")
        path = path.split("?", 1)[0]
        return prefix + str(Path(path).resolve())
    raise SettingsError(
        "DATABASE_URL must be sqlite:///… (SpatiaLite) or postgresql+psycopg://… (PostGIS); "
        f"got scheme {scheme!r}"
    )


def _http_url(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"{name} must be an http(s):// URL; got {value!r}")
    return value


def _tiles(url: str | None, attribution: str | None) -> tuple[str | None, str | None]:
    """RESILIENCE_TILE_URL: an http(s) XYZ template with {z}, {x} and {y} (Leaflet's syntax; {s}
    and {r} allowed). Tile providers require credit, so RESILIENCE_TILE_ATTRIBUTION (plain text,
    shown on the map) is required with it."""
    if url is None:
        if attribution is not None:
            raise SettingsError("RESILIENCE_TILE_ATTRIBUTION is set but RESILIENCE_TILE_URL is not")
        return None, None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"RESILIENCE_TILE_URL must be an http(s):// URL; got {url!r}")
    missing = [p for p in ("{z}", "{x}", "{y}") if p not in url]
    if missing:
        raise SettingsError(
            f"RESILIENCE_TILE_URL must contain {{z}}, {{x}} and {{y}} (missing {', '.join(missing)}); got {url!r}"
        )
    if attribution is None:
        raise SettingsError(
            "RESILIENCE_TILE_ATTRIBUTION is required when RESILIENCE_TILE_URL is set "
            "(e.g. '© OpenStreetMap contributors')"
        )
    if len(attribution) > 300:
        raise SettingsError("RESILIENCE_TILE_ATTRIBUTION must be at most 300 characters")
    return url, attribution


def _timezone(name: str | None) -> str:
    """TIMEZONE: an IANA zone name such as Asia/Jakarta (WIB), Asia/Makassar (WITA) or
    Asia/Jayapura (WIT); unset means Asia/Jakarta."""
    if name is None:
        return "Asia/Jakarta"
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        raise SettingsError(
            f"TIMEZONE must be an IANA time zone name such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura; "
            f"got {name!r}"
        ) from None
    return name


def _field_keys(text: str | None, mode: str, instance_path: Path) -> tuple[str, ...]:
    """FIELD_ENCRYPTION_KEYS: Fernet keys (32 url-safe base64 bytes each), newest first,
    separated by commas or spaces; generated into instance/field_encryption_keys by default."""
    if text is None:
        if mode == "production":
            raise SettingsError("FIELD_ENCRYPTION_KEYS is required when RESILIENCE_ENV=production")
        text = _instance_secret(instance_path, "field_encryption_keys",
                                lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"))
    keys = tuple(k for k in re.split(r"[,\s]+", text) if k)
    for position, key in enumerate(keys, 1):
        try:
            valid = len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32 and len(key) == 44
        except (ValueError, UnicodeError):
            valid = False
        if not valid:  # never echo a key
            raise SettingsError(f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key (44 characters "
                                "of url-safe base64; make one with: resilience keys generate)")
    return keys


def _instance_secret(instance_path: Path, name: str = "secret_key", make=lambda: secrets.token_urlsafe(48)) -> str:
    """The embedded default: a random key kept in instance/<name> (mode 0600)."""
    path = instance_path / name
    try:
        if path.exists():
            key = path.read_text().strip()
            if key:
                return key
        instance_path.mkdir(parents=True, exist_ok=True)
        key = make()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
        return key
    except FileExistsError:  # another process wrote it first
        return path.read_text().strip()
    except OSError as exc:
        variable = "SECRET_KEY" if name == "secret_key" else "FIELD_ENCRYPTION_KEYS"
        raise SettingsError(f"{variable} is unset and {path} cannot be written: {exc}") from exc
