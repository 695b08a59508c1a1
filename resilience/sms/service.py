"""The per-app SMS service: gateway, rate limiter and hooks, built once from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, current_app

from resilience.sms.gateways import OutboxGateway, TwilioGateway, gateway_for
from resilience.sms.modem import GammuGateway
from resilience.sms.hooks import Hooks
from resilience.sms.ratelimit import RateLimiter


@dataclass
class SmsService:
    gateway: OutboxGateway | TwilioGateway | GammuGateway
    limiter: RateLimiter
    hooks: Hooks = field(default_factory=Hooks)


def init_sms(app: Flask) -> SmsService:
    settings = app.config["SETTINGS"]
    redis_client = None
    if settings.redis_url:
        import redis

        redis_client = redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=5)
    if settings.sms_backend == "gammu":
        gateway = GammuGateway(settings.gammu_config)
    else:
        gateway = gateway_for(settings, settings.sms_http_timeout)
    # A modem sends far slower than Twilio: its own limit (GAMMU_MAX_PER_SECOND) applies.
    rate = settings.gammu_max_per_second if settings.sms_backend == "gammu" else settings.sms_max_per_second
    service = SmsService(gateway=gateway, limiter=RateLimiter(rate, redis_client))
    app.extensions["sms"] = service
    return service


def service() -> SmsService:
    """The current app's SMS service."""
    return current_app.extensions["sms"]
