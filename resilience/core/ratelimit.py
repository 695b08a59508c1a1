"""A small sliding-window rate limit for public endpoints: at most ``limit`` calls per key in
``window`` seconds. In Redis when REDIS_URL is set (shared by every worker), else in this
process. ``hit(key)`` counts a call and answers None when it may proceed, else the seconds to
wait before the next one may (for ``Retry-After``); a refused call is not counted.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections import defaultdict, deque


class MemoryRateLimit:
    def __init__(self, limit: int, window: float, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._hits: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str) -> int | None:
        with self._lock:
            now = self.clock()
            hits = self._hits[key]
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(1, math.ceil(hits[0] + self.window - now))
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle keys now and then
                for idle in [k for k, v in self._hits.items() if not v]:
                    del self._hits[idle]
            return None


class RedisRateLimit:
    """A sorted set of call times per key, expiring with the window."""

    def __init__(self, client, limit: int, window: float, clock=time.time):
        self.client, self.limit, self.window, self.clock = client, limit, window, clock

    def hit(self, key: str) -> int | None:
        now = self.clock()
        pipe = self.client.pipeline()
        pipe.zremrangebyscore(key, 0, now - self.window)
        pipe.zcard(key)
        pipe.zrange(key, 0, 0, withscores=True)
        _, count, oldest = pipe.execute()
        if count >= self.limit:
            first = oldest[0][1] if oldest else now
            return max(1, math.ceil(first + self.window - now))
        pipe = self.client.pipeline()
        pipe.zadd(key, {uuid.uuid4().hex: now})
        pipe.expire(key, int(self.window) + 1)
        pipe.execute()
        return None


def rate_limit(redis_url: str | None, limit: int, window: float):
    if redis_url:
        import redis

        return RedisRateLimit(redis.Redis.from_url(redis_url), limit, window)
    return MemoryRateLimit(limit, window)
