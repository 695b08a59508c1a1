"""The per-app SMS service: gateways, rate limiters and hooks, built once from the settings.

``SMS_BACKEND`` may be an ordered chain (``twilio,gammu``): every channel has its gateway and
its own rate limiter (a modem is far slower than Twilio); ``gateway`` and ``limiter`` are the
first channel's."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, current_app

from resilience.sms.gateways import OutboxGateway, TwilioGateway, gateway_for
from resilience.sms.hooks import Hooks
from resilience.sms.modem import GammuGateway
from resilience.sms.ratelimit import RateLimiter

Gateway = OutboxGateway | TwilioGateway | GammuGateway


@dataclass
class SmsService:
    gateway: Gateway
    limiter: RateLimiter
    hooks: Hooks = field(default_factory=Hooks)
    chain: tuple[str, ...] = ()
    channels: dict[str, tuple[Gateway, RateLimiter]] = field(default_factory=dict)
    fallback_after: float = 300.0

    def channel(self, name: str | None) -> tuple[str, Gateway, RateLimiter]:
        """The channel a message goes by: its own once it switched, else the first."""
        if name and name in self.channels:
            return (name, *self.channels[name])
        return (self.chain[0] if self.chain else self.gateway.name, self.gateway, self.limiter)

    def next_channel(self, name: str | None) -> str | None:
        if name == "whatsapp":  # WhatsApp falls back to the SMS chain
            return self.chain[0] if self.chain else None
        current = name or (self.chain[0] if self.chain else None)
        if current not in self.chain:
            return None
        index = self.chain.index(current)
        return self.chain[index + 1] if index + 1 < len(self.chain) else None

    def modem(self) -> GammuGateway | None:
        return next((gateway for gateway, _ in self.channels.values() if isinstance(gateway, GammuGateway)), None)


def init_sms(app: Flask) -> SmsService:
    settings = app.config["SETTINGS"]
    redis_client = None
    if settings.redis_url:
        import redis

        redis_client = redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=5)
    chain = tuple(settings.sms_chain) or (settings.sms_backend,)
    channels: dict[str, tuple[Gateway, RateLimiter]] = {}
    for index, name in enumerate(chain):
        if name == "gammu":
            gateway = GammuGateway(settings.gammu_config)
            rate = settings.gammu_max_per_second  # a modem sends far slower than Twilio
        elif name == "twilio":
            gateway = TwilioGateway(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_from,
                                    settings.twilio_api_url, settings.sms_http_timeout)
            rate = settings.sms_max_per_second
        else:
            gateway = gateway_for(settings, settings.sms_http_timeout)
            rate = settings.sms_max_per_second
        key = "resilience:sms:rate:tat" + ("" if index == 0 else f":{name}")
        channels[name] = (gateway, RateLimiter(rate, redis_client, key=key))
    gateway, limiter = channels[chain[0]]
    if settings.whatsapp_from:  # a channel of its own, chosen per volunteer, outside the SMS chain
        from resilience.sms.whatsapp import WhatsAppGateway

        channels["whatsapp"] = (
            WhatsAppGateway(settings.twilio_account_sid, settings.twilio_auth_token, settings.whatsapp_from,
                            dict(settings.whatsapp_templates), settings.twilio_api_url, settings.sms_http_timeout),
            RateLimiter(settings.sms_max_per_second, redis_client, key="resilience:sms:rate:tat:whatsapp"))
    service = SmsService(gateway=gateway, limiter=limiter, chain=chain, channels=channels,
                         fallback_after=settings.sms_fallback_after)
    app.extensions["sms"] = service
    return service


def service() -> SmsService:
    """The current app's SMS service."""
    return current_app.extensions["sms"]
