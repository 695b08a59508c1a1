"""The global send rate: reservations are spaced so that no 1-second window, wherever it
starts, holds more segments than the limit — across threads, and across processes via Redis."""

import threading
import uuid

import pytest
import redis

from resilience.sms.ratelimit import RateLimiter


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
    requests = [1, 2] * 60  # 180 segments: 3.6 s at 50/s
    reserved = _reserve_concurrently(limiter, requests)
    assert len(reserved) == len(requests)
    # Starts are on the limiter's own clock: the property holds however the calls were timed.
    assert _max_in_window(reserved) <= 50 + 2  # a window may also catch one message's start edge
    starts = sorted(start for start, _ in reserved)
    assert starts[-1] - starts[0] >= (sum(requests) - 2) / 50 - 0.001  # the batch is spread out


def test_too_long_a_wait_reserves_nothing(limiter_factory):
    limiter = limiter_factory(10)
    _wait, first = limiter.reserve(10, max_wait=5)
    assert limiter.reserve(10, max_wait=0.5) is None  # the next start is 1 s after the first
    _wait, second = limiter.reserve(10, max_wait=5)  # the refused call did not take a slot
    assert second - first == pytest.approx(1.0, abs=0.001)
