"""A global SMS send rate (``SMS_MAX_PER_SECOND``), charged per segment, shared by every worker.

Sends are *spaced*, not counted per calendar second (GCRA): each caller atomically reserves
the next free start time and sleeps until it. With Redis the reservation is a Lua script on
Redis's own clock (workers on skewed machines agree); without Redis (embedded) the same rule
runs in-process.

What the limit must hold at is the provider, and a request reaches it a little after its
reserved start (Python work, the HTTP client, the scheduler). Call that lag *J*. Messages that
arrive in any 1-second window started within a span of ``1 + J`` seconds, so the spacing is
chosen for that span: ``segments × (1 + J) / (limit − C)`` seconds per message, where C is the
largest message (2 segments). Within ``1 + J`` seconds the starts then carry less than
``limit − C`` segments before the last one and at most C with it: never more than the limit,
in any window, calendar second or not. The price is the margin: the emitted rate is
``(limit − C) / (1 + J)`` (43.6 segments/s for a limit of 50, with J = 0.1 s).

J is kept true from this side: a caller that wakes up more than ``late_after`` (0.05 s) past
its start — a cold process, a preempted one — does not use the stale slot; it reserves a new
one. The rest of J (0.05 s) covers the HTTP client and the wire. No client-side limiter can
bound arrival exactly (a process can be stopped between the check and the write), so the
README names this margin.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

JITTER_BUDGET = 0.1    # J: seconds between a reserved start and the request reaching the provider
LATE_AFTER = 0.05      # a caller this late for its slot takes a new one (part of J)
MAX_COST = 2           # C: the largest message, in segments (text.MAX_SEGMENTS)
ON_WAIT_AFTER = 0.1    # waits longer than this call the caller's ``on_wait`` first

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


def seconds_per_segment(limit: float, jitter: float = JITTER_BUDGET, max_cost: int = MAX_COST) -> float:
    """The spacing that keeps every 1-second window at the receiver within ``limit`` segments
    when arrivals lag their reserved start by at most ``jitter`` (see the module doc). Limits
    of 2·C or less cannot keep a C-segment message exact; they are spaced at limit / (2(1 + J))."""
    spare = limit - max_cost
    if spare < limit / 2:
        spare = limit / 2
    return (1 + jitter) / spare


class RateLimiter:
    def __init__(self, per_second: float, redis_client=None, key: str = "resilience:sms:rate:tat",
                 jitter: float = JITTER_BUDGET, late_after: float = LATE_AFTER):
        self.per_second = float(per_second)
        self.interval = seconds_per_segment(self.per_second, jitter)
        self.jitter = jitter
        self.late_after = late_after
        self.redis = redis_client
        self.key = key
        self.late = 0  # slots given up because the caller woke too late (for tests and logs)
        self._lock = threading.Lock()
        self._tat = 0.0  # in-process theoretical arrival time (monotonic seconds)
        self._script = redis_client.register_script(_RESERVE) if redis_client is not None else None

    def warm(self) -> None:
        """Load the script and open the connection now, not on the first send (worker start)."""
        if self._script is not None:
            self.redis.script_load(_RESERVE)

    def reserve(self, segments: int, max_wait: float) -> tuple[float, float] | None:
        """Reserve a start for ``segments``: (seconds to wait, the start on the limiter's clock
        in seconds), or None when the wait would exceed ``max_wait`` (nothing reserved)."""
        cost = max(1, segments) * self.interval
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

    def acquire(self, segments: int, timeout: float = 30.0,
                on_wait: Callable[[], None] | None = None) -> bool:
        """Block until ``segments`` may be sent; False when the wait would exceed ``timeout``.
        ``on_wait`` runs once before a wait longer than ``ON_WAIT_AFTER`` (the caller records
        what it has sent so far meanwhile)."""
        deadline = time.monotonic() + timeout
        while True:
            reservation = self.reserve(segments, max(0.0, deadline - time.monotonic()))
            if reservation is None:
                return False
            # Measured after the reservation came back: never earlier than the reserved start.
            target = time.monotonic() + reservation[0]
            if on_wait is not None and reservation[0] > ON_WAIT_AFTER:
                on_wait()
                on_wait = None
            pause = target - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            if time.monotonic() - target <= self.late_after:
                return True
            self.late += 1  # the slot went by while this process was not running: take another
