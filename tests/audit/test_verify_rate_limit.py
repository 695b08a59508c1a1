"""Anonymous GET /audit/verify is limited per client address (429 + Retry-After)."""

from __future__ import annotations

import os
import uuid

import pytest

from resilience.core.ratelimit import MemoryRateLimit, RedisRateLimit


def test_anonymous_verification_is_limited_per_address(app, official, monkeypatch):
    monkeypatch.setitem(app.extensions, "audit_verify_limit", MemoryRateLimit(3, 60))
    client = app.test_client()
    here = {"REMOTE_ADDR": "203.0.113.7"}
    for _ in range(3):
        assert client.get("/api/v1/audit/verify", environ_base=here).status_code == 200
    refused = client.get("/api/v1/audit/verify", environ_base=here)
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.get_json()["status"] == 429 and "try again" in refused.get_json()["detail"]
    # another address, and a signed-in official, are not held back
    assert client.get("/api/v1/audit/verify", environ_base={"REMOTE_ADDR": "198.51.100.2"}).status_code == 200
    assert official.get("/api/v1/audit/verify").status_code == 200


def test_the_memory_window_slides():
    now = [1000.0]
    limit = MemoryRateLimit(2, 60, clock=lambda: now[0])
    assert limit.hit("a") is None and limit.hit("a") is None
    assert limit.hit("a") == 60 and limit.hit("b") is None
    now[0] += 30
    assert limit.hit("a") == 30  # refused calls are not counted
    now[0] += 30.5
    assert limit.hit("a") is None


@pytest.fixture
def redis_client():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis")
    return client


def test_the_redis_window_is_shared_and_slides(redis_client):
    key = f"resilience:test:audit-verify:{uuid.uuid4().hex}"
    now = [5000.0]
    one = RedisRateLimit(redis_client, 2, 60, clock=lambda: now[0])
    other = RedisRateLimit(redis_client, 2, 60, clock=lambda: now[0])  # another worker
    try:
        assert one.hit(key) is None and other.hit(key) is None
        assert one.hit(key) == 60
        now[0] += 61
        assert other.hit(key) is None
        assert redis_client.ttl(key) > 0
    finally:
        redis_client.delete(key)
