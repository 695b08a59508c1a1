"""The per-app SMS service: gateway and rate limiter, built once from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from resilience.sms.gateways import OutboxGateway, TwilioGateway, gateway_for
from resilience.sms.ratelimit import RateLimiter


@dataclass
class SmsService:
    gateway: OutboxGateway | TwilioGateway
    limiter: RateLimiter


def init_sms(app: Flask) -> SmsService:
    settings = app.config["SETTINGS"]
    redis_client = None
    if settings.redis_url:
        import redis

        redis_client = redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=5)
    gateway = gateway_for(settings, settings.sms_http_timeout)
    service = SmsService(gateway=gateway, limiter=RateLimiter(settings.sms_max_per_second, redis_client))
    app.extensions["sms"] = service
    return service
