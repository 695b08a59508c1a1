"""A global SMS send rate (``SMS_MAX_PER_SECOND``), charged per segment, shared by every worker.

With Redis: a counter per wall-clock second, incremented atomically by a Lua script that
refuses the charge when it would pass the limit; a refused sender sleeps until the next second.
So no calendar second ever carries more segments than the limit, however many workers run
(unlike Celery's per-worker ``rate_limit``). Without Redis (embedded), the same rule in-process.
"""

from __future__ import annotations

import math
import threading
import time

# Redis's own clock decides the second, so workers on machines with skewed clocks agree.
# Returns the segments used in this second after the charge, or -(microseconds to wait).
_CHARGE = """
local now = redis.call('TIME')
local key = KEYS[1] .. ':' .. now[1]
local used = tonumber(redis.call('GET', key) or '0')
local want = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
if used + want > limit and used > 0 then
  return -(1000000 - tonumber(now[2]))
end
redis.call('INCRBY', key, want)
redis.call('EXPIRE', key, 5)
return used + want
"""


class RateLimiter:
    def __init__(self, per_second: float, redis_client=None, prefix: str = "resilience:sms:rate"):
        self.limit = max(1, math.floor(per_second))
        self.redis = redis_client
        self.prefix = prefix
        self._lock = threading.Lock()
        self._local: dict[int, int] = {}
        self._script = redis_client.register_script(_CHARGE) if redis_client is not None else None

    def _try(self, segments: int) -> float:
        """0 when charged; otherwise seconds to wait for the next second.
        A message longer than the limit still goes out, alone in its second."""
        if self._script is not None:
            answer = int(self._script(keys=[self.prefix], args=[segments, self.limit]))
            return 0.0 if answer >= 0 else -answer / 1_000_000
        now = time.time()
        second = int(now)
        with self._lock:
            used = self._local.get(second, 0)
            if used + segments > self.limit and used > 0:
                return max(0.001, second + 1 - now)
            self._local = {s: u for s, u in self._local.items() if s >= second - 2}
            self._local[second] = used + segments
            return 0.0

    def acquire(self, segments: int, timeout: float = 30.0) -> bool:
        """Block until ``segments`` may be sent in the current second; False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            wait = self._try(segments)
            if wait == 0.0:
                return True
            if time.monotonic() + wait > deadline:
                return False
            time.sleep(wait)
