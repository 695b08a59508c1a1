"""The global send rate: reservations are spaced so that no 1-second window at the provider,
wherever it starts, holds more segments than the limit — across threads, and across processes
via Redis — even when requests arrive up to J after their reserved start."""

import random
import threading
import time
import uuid

import pytest
import redis

from resilience.sms import ratelimit
from resilience.sms.ratelimit import JITTER_BUDGET, LATE_AFTER, MAX_COST, RateLimiter, seconds_per_segment


def _max_in_window(starts_and_costs, window=1.0):
    events = sorted(starts_and_costs)
    best, j, total = 0, 0, 0
    for i, (start, cost) in enumerate(events):
        total += cost
        while events[j][0] <= start - window:
            total -= events[j][1]
            j += 1
        best = max(best, total)
    return best


def _reserve_concurrently(limiter, requests, threads=8):
    """Reserve from several threads without sleeping; return (reserved start, segments)."""
    out, lock = [], threading.Lock()
    chunks = [requests[i::threads] for i in range(threads)]

    def run(chunk):
        for segments in chunk:
            _wait, start = limiter.reserve(segments, max_wait=60)
            with lock:
                out.append((start, segments))

    workers = [threading.Thread(target=run, args=(c,)) for c in chunks]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return out


@pytest.fixture(params=["in-process", "redis"])
def limiter_factory(request):
    if request.param == "in-process":
        yield lambda rate: RateLimiter(rate)
    else:
        client = redis.Redis.from_url("redis://127.0.0.1:6379/15")
        key = f"test:rate:{uuid.uuid4().hex}"
        yield lambda rate: RateLimiter(rate, client, key=key)
        client.delete(key)


def test_no_window_exceeds_the_rate(limiter_factory):
    limiter = limiter_factory(50)
    requests = [1, 2] * 60  # 180 segments
    reserved = _reserve_concurrently(limiter, requests)
    assert len(reserved) == len(requests)
    # Starts are on the limiter's own clock: the property holds however the calls were timed.
    # A request may reach the provider up to J after its start, so the starts of any span of
    # 1 + J seconds are what one second at the provider can hold: never more than the limit.
    assert _max_in_window(reserved, window=1 + JITTER_BUDGET) <= 50
    assert _max_in_window(reserved, window=1.0) <= 50 - MAX_COST  # the margin J costs
    starts = sorted(start for start, _ in reserved)
    spread = (sum(requests) - 2) * seconds_per_segment(50)
    assert starts[-1] - starts[0] >= spread - 0.001  # the batch is spread out


def test_spacing_keeps_the_margin():
    assert seconds_per_segment(50) == pytest.approx((1 + JITTER_BUDGET) / (50 - MAX_COST))
    assert 1 / seconds_per_segment(50) > 43  # the margin costs 13 % of a limit of 50
    # a limit too small for the exact bound still spaces messages apart
    assert seconds_per_segment(3) > seconds_per_segment(4) > seconds_per_segment(50)


def test_too_long_a_wait_reserves_nothing(limiter_factory):
    limiter = limiter_factory(10)
    _wait, first = limiter.reserve(10, max_wait=5)
    assert limiter.reserve(10, max_wait=0.5) is None  # the next start is ~1.4 s after the first
    _wait, second = limiter.reserve(10, max_wait=5)  # the refused call did not take a slot
    assert second - first == pytest.approx(10 * seconds_per_segment(10), abs=0.001)


def test_a_caller_late_for_its_slot_takes_a_new_one(limiter_factory, monkeypatch):
    """A process that wakes up long after its start (preempted, cold) must not send then: its
    request would land next to the following slot's."""
    limiter = limiter_factory(50)
    real_sleep = time.sleep
    naps = []

    def oversleep_once(seconds):
        naps.append(seconds)
        real_sleep(seconds + (0.2 if len(naps) == 1 else 0))

    monkeypatch.setattr(ratelimit.time, "sleep", oversleep_once)
    limiter.reserve(20, max_wait=5)  # someone else holds the next ~0.9 s
    called = []
    assert limiter.acquire(2, timeout=10, on_wait=lambda: called.append(1)) is True
    assert limiter.late == 1 and len(naps) == 1  # the stale slot was given up for a fresh (free) one
    assert called == [1]  # the long wait let the caller record its work first, once


def test_arrivals_stay_within_the_limit_despite_jitter(monkeypatch):
    """Senders in threads, each request "arriving" up to 0.05 s after acquire returns, and some
    sleeps overrun by 0.1-0.3 s as a preempted process's would: no 1-second window of arrivals,
    wherever it starts, holds more than the limit."""
    rng = random.Random(7)
    real_sleep = time.sleep
    monkeypatch.setattr(ratelimit.time, "sleep",
                        lambda s: real_sleep(s + (rng.uniform(0.1, 0.3) if rng.random() < 0.15 else 0)))
    limiter = RateLimiter(20)
    arrivals, lock = [], threading.Lock()

    def sender(costs):
        for cost in costs:
            assert limiter.acquire(cost, timeout=30)
            arrival = time.monotonic() + rng.uniform(0, JITTER_BUDGET - LATE_AFTER)
            with lock:
                arrivals.append((arrival, cost))

    costs = [2, 1, 2] * 10  # 50 segments: ~2.9 s at the spaced rate
    threads = [threading.Thread(target=sender, args=(costs[i::5],)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(arrivals) == len(costs)
    assert limiter.late > 0  # the overruns happened and were caught
    assert _max_in_window(arrivals, window=1.0) <= 20
