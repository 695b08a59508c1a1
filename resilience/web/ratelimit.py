"""Failed-login counting: at most ``limit`` failures per key in a sliding ``window``.

Two counts: per email and client address (LIMIT: one account guessed at), and per client
address alone (IP_LIMIT: passwords sprayed across many accounts). In Redis when REDIS_URL is
set (shared by every gunicorn worker), else in this process.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import defaultdict, deque

LIMIT = 5
IP_LIMIT = 20
WINDOW_SECONDS = 15 * 60


def limiter_key(email: str, ip: str) -> str:
    digest = hashlib.sha256(f"{email.strip().lower()}|{ip}".encode()).hexdigest()[:32]
    return f"resilience:web:login-fail:{digest}"


def ip_limiter_key(ip: str) -> str:
    return f"resilience:web:login-fail-ip:{hashlib.sha256(ip.encode()).hexdigest()[:32]}"


class MemoryLimiter:
    def __init__(self, limit: int = LIMIT, window: float = WINDOW_SECONDS, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._hits: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def _trim(self, key: str) -> deque:
        hits = self._hits[key]
        cutoff = self.clock() - self.window
        while hits and hits[0] <= cutoff:
            hits.popleft()
        return hits

    def blocked(self, key: str) -> bool:
        with self._lock:
            return len(self._trim(key)) >= self.limit

    def fail(self, key: str) -> None:
        with self._lock:
            self._trim(key).append(self.clock())

    def reset(self, key: str | None = None) -> None:
        with self._lock:
            if key is None:
                self._hits.clear()
            else:
                self._hits.pop(key, None)


class RedisLimiter:
    """A sorted set of failure times per key, expiring with the window."""

    def __init__(self, client, limit: int = LIMIT, window: float = WINDOW_SECONDS, clock=time.time):
        self.client, self.limit, self.window, self.clock = client, limit, window, clock

    def blocked(self, key: str) -> bool:
        now = self.clock()
        pipe = self.client.pipeline()
        pipe.zremrangebyscore(key, 0, now - self.window)
        pipe.zcard(key)
        return pipe.execute()[1] >= self.limit

    def fail(self, key: str) -> None:
        now = self.clock()
        pipe = self.client.pipeline()
        pipe.zadd(key, {f"{now:.6f}:{threading.get_ident()}": now})
        pipe.expire(key, int(self.window) + 1)
        pipe.execute()

    def reset(self, key: str | None = None) -> None:
        if key is not None:
            self.client.delete(key)


def limiter_for(redis_url: str | None, limit: int = LIMIT):
    if redis_url:
        import redis

        return RedisLimiter(redis.Redis.from_url(redis_url), limit=limit)
    return MemoryLimiter(limit=limit)
