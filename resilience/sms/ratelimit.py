"""A global SMS send rate (``SMS_MAX_PER_SECOND``), charged per segment, shared by every worker.

Sends are *spaced*, not counted per calendar second (GCRA): each caller atomically reserves
the next free start time — ``segments / rate`` seconds after the previous reservation — and
sleeps until it. So starts are never closer than the rate allows and no 1-second window, wherever
it begins, carries more than the limit; a fixed per-second counter would let a burst at the end
of one second meet a burst at the start of the next. With Redis the reservation is a Lua
script on Redis's own clock (workers on skewed machines agree); without Redis (embedded) the
same rule runs in-process.
"""

from __future__ import annotations

import threading
import time

# KEYS[1]: the theoretical arrival time (TAT) in microseconds of Redis TIME.
# ARGV: cost in microseconds, the longest wait a caller accepts (µs).
# Returns {microseconds to wait, the reserved start in µs of Redis TIME}, or {-1, 0} when the
# wait would exceed the longest wait (nothing is reserved then).
_RESERVE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local cost = tonumber(ARGV[1])
local max_wait = tonumber(ARGV[2])
local start = math.max(tat, now)
if start - now > max_wait then
  return {-1, 0}
end
redis.call('SET', KEYS[1], start + cost, 'PX', math.floor((start + cost - now) / 1000) + 1000)
return {start - now, start}
"""


class RateLimiter:
    def __init__(self, per_second: float, redis_client=None, key: str = "resilience:sms:rate:tat"):
        self.per_second = float(per_second)
        self.redis = redis_client
        self.key = key
        self._lock = threading.Lock()
        self._tat = 0.0  # in-process theoretical arrival time (monotonic seconds)
        self._script = redis_client.register_script(_RESERVE) if redis_client is not None else None

    def reserve(self, segments: int, max_wait: float) -> tuple[float, float] | None:
        """Reserve a start for ``segments``: (seconds to wait, the start on the limiter's clock
        in seconds), or None when the wait would exceed ``max_wait`` (nothing reserved)."""
        cost = max(1, segments) / self.per_second
        if self._script is not None:
            wait, start = self._script(keys=[self.key], args=[int(cost * 1_000_000), int(max_wait * 1_000_000)])
            return None if int(wait) < 0 else (int(wait) / 1_000_000, int(start) / 1_000_000)
        with self._lock:
            now = time.monotonic()
            start = max(self._tat, now)
            if start - now > max_wait:
                return None
            self._tat = start + cost
            return start - now, start

    def acquire(self, segments: int, timeout: float = 30.0) -> bool:
        """Block until ``segments`` may be sent; False when the wait would exceed ``timeout``."""
        reservation = self.reserve(segments, timeout)
        if reservation is None:
            return False
        if reservation[0] > 0:
            time.sleep(reservation[0])
        return True
