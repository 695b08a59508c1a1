"""Benchmark of the SMS loop: task SMS through real Celery workers to the fake Twilio.

Never part of the test pass/fail. Prints figures; they go to bench/RESULTS.md by hand.

What one run does, end to end on this machine:

* a fresh PostGIS database (``resilience_bench_<pid>``) built by ``resilience init-db``, a
  ``redis-server`` of its own on a free port, and the fake Twilio
  (``tests/fakes/twilio_server.py``) inside this process, spoken to by the real twilio SDK;
* ``--messages`` queued offer SMS written the way ``lifecycle.offer`` writes them (an active flood
  event, households, assigned needs, volunteers, offered tasks, one ``SmsMessage`` per task:
  outbound, kind ``offer``, the body built by ``dispatch.messages.offer``, GSM-7, its segment count), inserted
  in bulk with COPY (setup rows get no audit entries: the chain starts at genesis for the run);
* ``--workers`` × ``celery -A workers worker -P <pool> --concurrency <c>`` with the product's
  settings (SMS_BACKEND=twilio at the fake, SMS_MAX_PER_SECOND=``--rate``);
* every id enqueued through the app's own Celery app the way the after-commit hook does it
  (``outbox.enqueue_sends``: ``SEND_BATCH`` ids per ``resilience.sms.send`` task; ``--batch``
  changes it); the clock runs from the first enqueue until the database shows every row
  ``sent``; then the fake's records are checked: every message created exactly once (none
  missing, no duplicate, provider sid = the fake's sid), no failed or retried create, and the
  audit chain verifies;
* per-second buckets of the segments the fake received (its creation timestamps, wall clock),
  and the largest count in any sliding 1-second window;
* CPU seconds of every process involved (workers, their PostgreSQL backends, redis, this
  process which hosts the fake) and of the whole machine, and a sample of what the
  database sessions were doing (``pg_stat_activity`` every 50 ms).

    .venv/bin/python bench/sms_bench.py --messages 10000 --layouts 1x4,4x4 --wait-idle 180       # throughput
    .venv/bin/python bench/sms_bench.py --messages 10000 --workers 4 --concurrency 4 --rate 50   # the limit
    .venv/bin/python bench/sms_bench.py --messages 2000 --layouts 1x4,4x4,2x2,1x16:threads --wait-idle 180
    .venv/bin/python bench/sms_bench.py --messages 2000 --py-spy 12         # where a worker's time goes
    .venv/bin/python bench/sms_bench.py --in-process 1000 --py-spy 8        # the task body alone, no Celery
    .venv/bin/python bench/sms_bench.py --fake-capacity 4000 --clients 4    # the fake Twilio alone
    .venv/bin/python bench/sms_bench.py --audit-ceiling 6000 --clients 8    # the audit chain alone (SQL only)

The fake Twilio answers with TCP_NODELAY (``--fake-nagle`` turns Nagle's algorithm back on, in
this process only, to see the ~40 ms delayed-ACK stall it used to cause). Other sessions share
this machine: ``--wait-idle`` waits for it to be idle before each run, and every run prints the
CPU the rest of the machine used meanwhile. ``--py-spy`` needs py-spy (``pip install py-spy``;
found on PATH, in .venv/bin, /tmp/pyspy/bin, or named by ``PY_SPY``).

Everything started here (workers, redis, the database) is removed on exit, Ctrl-C
and SIGTERM included.
"""

from __future__ import annotations

import argparse
import atexit
import collections
import inspect
import io
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import redis  # noqa: E402

from tests.fakes.redis_server import RedisServer as SharedRedisServer, free_port  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SECRET = "bench-secret-key-0123456789abcdef"
PUBLIC = "https://posko.example.org"
SENDER = "+15005550006"
KEEP_TABLES = {"admin_areas", "spatial_ref_sys", "alembic_version"}
HZ = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1


# ------------------------------------------------------------------------------------------
# cleanup: everything started here is registered and torn down in reverse order
# ------------------------------------------------------------------------------------------
class Cleanup:
    def __init__(self):
        self._stack: list[tuple[str, callable]] = []
        self._done = False

    def push(self, name: str, fn) -> None:
        self._stack.append((name, fn))

    def run(self) -> None:
        if self._done:
            return
        self._done = True
        while self._stack:
            name, fn = self._stack.pop()
            try:
                fn()
            except Exception as exc:  # keep cleaning up
                print(f"cleanup {name}: {type(exc).__name__}: {exc}", file=sys.stderr)


CLEANUP = Cleanup()
atexit.register(CLEANUP.run)


def _on_signal(signum, _frame):
    raise SystemExit(128 + signum)


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGHUP, _on_signal)


def start_fake(nodelay: bool = True):
    """The fake Twilio in this process. It answers with TCP_NODELAY (socketserver's
    ``disable_nagle_algorithm``); ``nodelay=False`` (--fake-nagle) turns Nagle's algorithm back on,
    in this process only, to measure what the delayed ACK costs."""
    from tests.fakes import twilio_server

    twilio_server._Handler.disable_nagle_algorithm = nodelay
    fake = twilio_server.FakeTwilio().start()
    CLEANUP.push("stop fake Twilio", fake.stop)
    return fake


def realtime_priority() -> str:
    """--fake-rt: put this process (the fake Twilio's threads, the samplers) on SCHED_RR, so the
    receiving end stamps arrivals when they arrive even when the machine is overloaded, instead
    of handling a backlog in a burst after being descheduled. Linux, root or CAP_SYS_NICE."""
    try:
        os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(1))
        return "bench process (the fake's threads) on SCHED_RR priority 1"
    except (AttributeError, PermissionError, OSError) as exc:
        return f"could not set SCHED_RR ({exc}); normal priority"


# ------------------------------------------------------------------------------------------
# /proc accounting (no psutil in the venv)
# ------------------------------------------------------------------------------------------
def proc_cpu(pid: int) -> float | None:
    """utime + stime of one process, seconds."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / HZ
    except (OSError, IndexError, ValueError):
        return None


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children[ppid].append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine."""
    with open("/proc/stat") as fh:
        parts = [int(x) for x in fh.readline().split()[1:]]
    idle = parts[3] + parts[4]
    total = sum(parts[:8])
    return total - idle, total


def wait_for_idle(max_wait: float, threshold: float = 0.3, window: float = 3.0) -> None:
    """Wait (at most max_wait s) until the machine is nearly idle for `window` s: other
    sessions share this machine and skew every figure."""
    deadline = time.time() + max_wait
    while True:
        b0, _ = machine_jiffies()
        time.sleep(window)
        b1, _ = machine_jiffies()
        busy = (b1 - b0) / HZ / window
        if busy <= threshold:
            print(f"machine idle ({busy:.2f} cores busy over {window:g} s)", flush=True)
            return
        if time.time() > deadline:
            print(f"machine still busy ({busy:.2f} cores) after waiting {max_wait:g} s: running anyway", flush=True)
            return


def loadavg() -> str:
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


# ------------------------------------------------------------------------------------------
# services: database, redis, workers
# ------------------------------------------------------------------------------------------
class Database:
    def __init__(self, name: str):
        self.name = name
        base = ADMIN_URL.rsplit("/", 1)[0]
        self.url = f"{base}/{name}"
        self.sa_url = self.url.replace("postgresql://", "postgresql+psycopg://", 1)

    def create(self) -> None:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.name}"')
        CLEANUP.push(f"drop database {self.name}", self.drop)
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")

    def drop(self) -> None:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def connect(self, **kw) -> psycopg.Connection:
        return psycopg.connect(self.url, **kw)


class RedisServer(SharedRedisServer):
    """tests/fakes/redis_server.py's server, stopped by this bench's cleanup."""

    def start(self, timeout: float = 10.0) -> "RedisServer":
        CLEANUP.push("stop redis-server", self.stop)
        return super().start(timeout)


@dataclass
class Layout:
    workers: int
    concurrency: int
    pool: str = "prefork"

    @classmethod
    def parse(cls, text: str) -> "Layout":
        m = re.fullmatch(r"(\d+)x(\d+)(?::(prefork|threads|solo))?", text.strip())
        if not m:
            raise argparse.ArgumentTypeError(f"layout must look like 4x4 or 2x16:threads; got {text!r}")
        return cls(int(m.group(1)), int(m.group(2)), m.group(3) or "prefork")

    def __str__(self) -> str:
        return f"{self.workers}x{self.concurrency} {self.pool}"

    def command(self, loglevel: str) -> list[str]:
        return ["celery", "-A", "workers", "worker", f"--loglevel={loglevel}", "-P", self.pool,
                f"--concurrency={self.concurrency}", "--without-gossip", "--without-mingle",
                "--without-heartbeat"]


class Workers:
    def __init__(self, env: dict[str, str], log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen] = []

    def start(self, layout: Layout, loglevel: str) -> None:
        logs = []
        for i in range(layout.workers):
            path = self.log_dir / f"worker{i}.log"
            path.write_bytes(b"")
            log = open(path, "ab")
            cmd = [sys.executable, "-m"] + layout.command(loglevel) + ["-n", f"bench{i}@%h"]
            proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
            log.close()
            self.procs.append(proc)
            logs.append(path)
        deadline = time.time() + 120
        pending = list(zip(self.procs, logs))
        while pending:
            if time.time() > deadline:
                raise RuntimeError("workers did not become ready in 120 s")
            for proc, path in list(pending):
                if proc.poll() is not None:
                    raise RuntimeError(f"worker exited: {path.read_text()[-3000:]}")
                if b"ready." in path.read_bytes():
                    pending.remove((proc, path))
            time.sleep(0.2)

    def pids(self) -> list[int]:
        out = []
        for proc in self.procs:
            out.extend(descendants(proc.pid))
        return out

    def pool_children(self) -> list[int]:
        out = []
        for proc in self.procs:
            out.extend(p for p in descendants(proc.pid) if p != proc.pid)
        return out

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(5)
            # the pool children of a worker are in its process group; make sure none is left
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.procs = []


# ------------------------------------------------------------------------------------------
# data: households, needs, volunteers, offered tasks, queued offer SMS
# ------------------------------------------------------------------------------------------
LANDMARKS = [
    "", "Dekat masjid Al-Ikhlas, gang 3", "Rumah panggung biru di belakang dermaga",
    "Seberang SDN 2, jalan titian kayu", "Samping warung Bu Sri", "Ujung gang Sepakat, dekat jembatan",
    "Lanting di tepi sungai, cat hijau", "Belakang pos ronda RT 04",
]
CATEGORIES = ["evacuation", "medical", "food", "water", "logistics", "clothing", "psychosocial"]


def reset_tables(db: Database) -> None:
    from resilience.audit.models import GENESIS_HASH

    with db.connect(autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
            if r[0] not in KEEP_TABLES]
        conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        conn.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, %s)", (GENESIS_HASH,))


def make_data(db: Database, n: int, seed: int = 0) -> list[int]:
    """Write n offered tasks with their queued offer SMS; returns the SMS ids."""
    from resilience.core import crypto
    from resilience.dispatch import messages
    from resilience.sms import gsm7

    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    n_vol = max(1, n // 5)
    with db.connect() as conn:
        kel = conn.execute("SELECT id, name FROM admin_areas WHERE level = 'kelurahan' ORDER BY id").fetchall()
        event_id = conn.execute(
            "INSERT INTO flood_events (name, status, started_at, offer_timeout_minutes, created_at, updated_at) "
            "VALUES ('Banjir Rungan-Kahayan (bench)', 'active', %s, 30, %s, %s) RETURNING id",
            (now, now, now)).fetchone()[0]
        vols = []
        with conn.cursor().copy(
                "COPY volunteers (name, phone, phone_digest, skills, trainings, location, availability, "
                "capacity, sms_opt_out, created_at, updated_at) FROM STDIN") as copy:
            for i in range(n_vol):
                phone = f"+62812{i:07d}"
                lon, lat = 113.85 + rng.random() * 0.2, -2.0 + rng.random() * 0.3
                # Phones are stored encrypted with their digest, as the app stores them.
                copy.write_row((f"Relawan {i}", crypto.encrypt(phone), crypto.digest(phone), "[]", "[]", f"SRID=4326;POINT({lon:.6f} {lat:.6f})",
                                "available", 5, False, now, now))
        vols = conn.execute("SELECT id, phone, phone_digest FROM volunteers ORDER BY id").fetchall()
        households = []
        with conn.cursor().copy(
                "COPY households (head_name, address, landmark, location, admin_area_id, members, elderly, "
                "children_under5, pregnant_or_lactating, disabled, chronically_ill, created_at, updated_at) "
                "FROM STDIN") as copy:
            for i in range(n):
                area_id, area_name = kel[rng.randrange(len(kel))]
                lon, lat = 113.85 + rng.random() * 0.2, -2.0 + rng.random() * 0.3
                members = rng.randint(1, 7)
                vuln = [rng.choice([0, 0, 0, 1, 2]) for _ in range(5)]
                landmark = rng.choice(LANDMARKS)
                households.append((area_name, members, vuln, landmark))
                copy.write_row((f"Kepala Keluarga {i}", f"RT {rng.randint(1, 12):02d}", landmark,
                                f"SRID=4326;POINT({lon:.6f} {lat:.6f})", area_id, members, *vuln, now, now))
        hh_ids = [r[0] for r in conn.execute("SELECT id FROM households ORDER BY id").fetchall()]
        with conn.cursor().copy(
                "COPY needs (event_id, household_id, category, status, priority, derived_priority, "
                "priority_overridden, priority_reason, notes, reporter, reported_at, created_at, updated_at) "
                "FROM STDIN") as copy:
            cats = []
            for hh in hh_ids:
                cat = rng.choice(CATEGORIES)
                cats.append(cat)
                p = rng.randint(1, 5)
                copy.write_row((event_id, hh, cat, "assigned", p, p, False, "", "", "bench", now, now, now))
        need_ids = [r[0] for r in conn.execute("SELECT id FROM needs ORDER BY id").fetchall()]
        assign = [vols[i % len(vols)] for i in range(n)]
        distances = [rng.uniform(200, 8000) for _ in range(n)]
        with conn.cursor().copy(
                "COPY tasks (event_id, need_id, volunteer_id, status, distance_m, explanation, proposed_at, "
                "offered_at, updated_at) FROM STDIN") as copy:
            for i in range(n):
                copy.write_row((event_id, need_ids[i], assign[i][0], "offered", distances[i], "", now, now, now))
        task_ids = [r[0] for r in conn.execute("SELECT id FROM tasks ORDER BY id").fetchall()]
        with conn.cursor().copy(
                "COPY sms_messages (direction, phone, phone_digest, body, kind, encoding, segments, status, error_message, "
                "attempts, task_id, volunteer_id, created_at, updated_at) FROM STDIN") as copy:
            for i in range(n):
                area_name, members, vuln, landmark = households[i]
                body = messages.offer(
                    code=f"T{task_ids[i]}", need_category=cats[i], people=members,
                    vulnerable=dict(zip(("elderly", "children_under5", "pregnant_or_lactating", "disabled",
                                         "chronically_ill"), vuln)),
                    landmark=landmark, kelurahan=area_name, distance_m=distances[i], timeout_minutes=30)
                body = gsm7.to_gsm7(body)  # as outbox.queue does
                encoding, count = gsm7.segments(body)
                copy.write_row(("outbound", assign[i][1], assign[i][2], body, "offer", encoding, count, "queued", "", 0,
                                task_ids[i], assign[i][0], now, now))
        conn.commit()
        ids = [r[0] for r in conn.execute("SELECT id FROM sms_messages ORDER BY id").fetchall()]
        conn.execute("ANALYZE")
        conn.commit()
    return ids


# ------------------------------------------------------------------------------------------
# samplers running during a run
# ------------------------------------------------------------------------------------------
class ActivitySampler(threading.Thread):
    """What the worker sessions are doing, every ``interval`` s (pg_stat_activity)."""

    def __init__(self, db: Database, interval: float = 0.05):
        super().__init__(daemon=True, name="pg-activity")
        self.db = db
        self.interval = interval
        self.stop_event = threading.Event()
        self.counts: collections.Counter = collections.Counter()
        self.samples = 0

    @staticmethod
    def classify(state, wtype, wevent, query) -> str:
        q = (query or "").strip().split("\n", 1)[0]
        if state == "idle":
            return "idle (no transaction)"
        if state and state.startswith("idle in transaction"):
            if "audit_head" in q or "audit_entries" in q:
                return "idle in transaction, holding the audit head (worker in Python)"
            return "idle in transaction, other (worker in Python)"
        what = ("SELECT audit_head FOR UPDATE" if "audit_head" in q and q.upper().startswith("SELECT") else
                "UPDATE audit_head" if "audit_head" in q else
                "INSERT audit_entries" if "audit_entries" in q else
                "SELECT sms_messages FOR UPDATE" if "sms_messages" in q and q.upper().startswith("SELECT") else
                "UPDATE sms_messages" if "sms_messages" in q and q.upper().startswith("UPDATE") else
                q.split(" ", 1)[0].upper() or "?")
        if wtype is None:
            return f"active on CPU: {what}"
        return f"active waiting {wtype}/{wevent}: {what}"

    def run(self) -> None:
        try:
            self._run()
        except Exception:  # the run is being torn down (database dropped): stop sampling
            pass

    def _run(self) -> None:
        with self.db.connect(autocommit=True, application_name="bench-activity") as conn:
            while not self.stop_event.is_set():
                rows = conn.execute(
                    "SELECT state, wait_event_type, wait_event, query FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
                    "AND application_name NOT LIKE 'bench-%%'", (self.db.name,)).fetchall()
                for row in rows:
                    self.counts[self.classify(*row)] += 1
                self.samples += 1
                self.stop_event.wait(self.interval)

    def stop(self) -> None:
        self.stop_event.set()
        self.join(5)


class GcWatch:
    """Python's cyclic GC in this process during a run. This process hosts the fake Twilio, and
    a full collection over the run's records (tens of thousands of objects) stops every thread
    for ~0.2 s: the fake then stamps the requests that queued meanwhile all at once, which looks
    like a burst at the receiver. So the collector is off while the clock runs (``--keep-gc``
    leaves it on and lists its pauses)."""

    def __init__(self, enabled: bool):
        import gc

        self.gc = gc
        self.enabled = enabled
        self.pauses: list[tuple[float, int, float]] = []
        self._start = 0.0
        if enabled:
            gc.callbacks.append(self._callback)
        else:
            gc.collect()
            gc.freeze()
            gc.disable()

    def _callback(self, phase, info):
        if phase == "start":
            self._start = time.time()
        elif time.time() - self._start > 0.02:
            self.pauses.append((self._start, info["generation"], time.time() - self._start))

    def stop(self) -> None:
        if self.enabled:
            self.gc.callbacks.remove(self._callback)
        else:
            self.gc.enable()
            self.gc.unfreeze()

    def report(self, t0: float) -> str:
        if not self.enabled:
            return "cyclic GC of this process (the fake) off during the run"
        if not self.pauses:
            return "GC pauses over 20 ms in this process (the fake): none"
        return "GC pauses over 20 ms in this process (the fake): " + ", ".join(
            f"at {start - t0:.1f} s gen {gen} {1000 * took:.0f} ms" for start, gen, took in self.pauses)


# ------------------------------------------------------------------------------------------
# py-spy
# ------------------------------------------------------------------------------------------
def py_spy_binary() -> str | None:
    for candidate in (os.environ.get("PY_SPY"), shutil.which("py-spy"), str(ROOT / ".venv/bin/py-spy"),
                      "/tmp/pyspy/bin/py-spy"):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def _audit_lines() -> dict[str, range]:
    """Line ranges of resilience/audit/chain.py:_append, for splitting its samples."""
    from resilience.audit import chain

    lines, start = inspect.getsourcelines(chain._append)
    spans: dict[str, range] = {}
    marks = []
    for i, line in enumerate(lines):
        no = start + i
        s = line.strip()
        if s.startswith("head = conn.execute"):
            marks.append(("lock the head row (SELECT ... FOR UPDATE)", no))
        elif s.startswith("conn.execute(insert(AuditEntry)"):
            marks.append(("INSERT the entry", no))
        elif s.startswith("conn.execute(update(AuditHead)"):
            marks.append(("UPDATE the head", no))
        elif s.startswith("actor = current_actor()"):
            marks.append(("hash the entry (Python)", no))
        elif s.startswith("if head is None"):
            marks.append(("(head bookkeeping)", no))
    marks.sort(key=lambda m: m[1])
    for j, (name, no) in enumerate(marks):
        end = marks[j + 1][1] if j + 1 < len(marks) else start + len(lines)
        spans[name] = range(no, end)
    return spans


FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:()]+)(?::(?P<line>\d+))?\)$")


def _frames(stack: str) -> list[tuple[str, str, int]]:
    out = []
    for frame in stack.split(";"):
        m = FRAME.match(frame.strip())
        if m:
            out.append((m["func"], m["file"], int(m["line"] or 0)))
        else:
            out.append((frame.strip(), "", 0))
    return out


def classify_stack(frames: list[tuple[str, str, int]], audit_spans: dict[str, range]) -> str:
    def has(func: str, file_part: str) -> int | None:
        # py-spy names frames by qualified name on 3.11 (TwilioGateway.send)
        for i, (f, path, _line) in enumerate(frames):
            if (f == func or f.endswith("." + func)) and file_part in path:
                return i
        return None

    i = has("_append", "audit/chain.py")
    if i is not None:
        line = frames[i][2]
        for name, span in audit_spans.items():
            if line in span:
                return f"audit chain: {name}"
        return "audit chain: other"
    if has("send", "sms/gateways.py") is not None:
        return "Twilio SDK create (HTTP to the fake, incl. waiting for it)"
    if has("acquire", "sms/ratelimit.py") is not None:
        return "rate limiter (Redis Lua)"
    if has("_checkout", "pool/base.py") is not None or has("_do_ping_w_event", "") is not None:
        return "pool checkout + pre-ping (SELECT 1)"
    if has("_claim", "sms/sender.py") is not None:
        return "claim (UPDATE ... RETURNING, COMMIT)"
    if has("_record_sent", "sms/sender.py") is not None:
        return "record (SELECT ... FOR UPDATE, UPDATE, COMMIT)"
    if has("lock", "core/db.py") is not None:
        return "SELECT sms_messages ... FOR UPDATE (failure paths)"
    if has("commit", "orm/session.py") is not None:
        if has("_do_commit", "engine/default.py") is not None or has("do_commit", "engine/default.py") is not None:
            return "COMMIT round trip (WAL flush)"
        return "session.commit: flush / ORM (not the audit append)"
    if has("send_batch", "sms/sender.py") is not None:
        return "other work inside sender.send_batch"
    if has("send_sms", "sms/tasks.py") is not None:
        return "task wrapper (session.remove, imports)"
    if has("__call__", "core/celery.py") is not None:
        return "app context push/pop"
    if any("celery/app/trace.py" in p for _f, p, _l in frames):
        return "Celery task tracing (outside the task body)"
    return "worker loop: waiting for / receiving the next task, acks, logging"


def summarize_pyspy(path: Path, top: int = 15) -> str:
    spans = _audit_lines()
    cats: collections.Counter = collections.Counter()
    leaves: collections.Counter = collections.Counter()
    total = 0
    for raw in path.read_text().splitlines():
        if not raw.strip():
            continue
        stack, _, count = raw.rpartition(" ")
        try:
            n = int(count)
        except ValueError:
            continue
        frames = _frames(stack)
        total += n
        cats[classify_stack(frames, spans)] += n
        leaf = frames[-1]
        leaves[f"{leaf[0]} ({leaf[1].split('site-packages/')[-1]}:{leaf[2]})"] += n
    out = io.StringIO()
    out.write(f"  {total} samples\n")
    for name, n in cats.most_common():
        out.write(f"  {100 * n / total:5.1f}%  {name}\n")
    out.write("  top leaf frames:\n")
    for name, n in leaves.most_common(top):
        out.write(f"  {100 * n / total:5.1f}%  {name}\n")
    return out.getvalue()


# ------------------------------------------------------------------------------------------
# one run
# ------------------------------------------------------------------------------------------
@dataclass
class RunResult:
    layout: Layout
    messages: int
    rate: float
    enqueue_s: float = 0.0
    total_s: float = 0.0
    steady_mps: float = 0.0
    ok: bool = False
    problems: list[str] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)
    machine_busy_cores: float = 0.0
    max_segments_second: int = 0
    avg_segments_per_s: float = 0.0
    seconds_over: int = 0
    max_sliding: int = 0
    load_before: str = ""

    @property
    def our_cpu_ms(self) -> float:
        """CPU ms per message of every process of the pipeline (not the rest of the machine)."""
        ours = sum(v for k, v in self.cpu.items() if not k.startswith("everything else"))
        return 1000 * ours / self.messages if self.messages else 0.0

    @property
    def others_cores(self) -> float:
        return self.cpu.get("everything else on the machine", 0.0) / self.total_s if self.total_s else 0.0

    @property
    def mps(self) -> float:
        return self.messages / self.total_s if self.total_s else 0.0


TASK_DONE = re.compile(r"\[[^\]]*: INFO/(?P<proc>[\w-]+)\] Task resilience\.sms\.send\[[^\]]+\] "
                       r"succeeded in (?P<sec>\d+\.\d+)s")


def task_durations(log_dir: Path, workers: int) -> tuple[list[float], list[float]]:
    """(first task of each pool process, all later tasks) durations from the worker logs.
    (Durations the log scrubber turned into '[NIK/KK]' are skipped.)"""
    first, rest = [], []
    for i in range(workers):
        path = log_dir / f"worker{i}.log"
        if not path.exists():
            continue
        seen = set()
        for line in path.read_text(errors="replace").splitlines():
            m = TASK_DONE.search(line)
            if not m:
                if "Task resilience.sms.send[" in line and "succeeded" in line:
                    seen.add(line.split("INFO/", 1)[1].split("]", 1)[0])  # scrubbed: still its first
                continue
            proc = m["proc"]
            (rest if proc in seen else first).append(float(m["sec"]))
            seen.add(proc)
    return first, rest


class Bench:
    def __init__(self, args):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="sms_bench_"))
        CLEANUP.push("remove temp dir", lambda: shutil.rmtree(self.tmp, ignore_errors=True)
                     if not args.keep_logs else print(f"logs kept in {self.tmp}"))
        self.db = Database(args.database or f"resilience_bench_{os.getpid()}")
        self.redis = RedisServer(self.tmp)
        self.fake = None
        self.app = None

    # ------------------------------------------------------------------ setup
    def setup(self, rate: float) -> None:
        t = time.time()
        self.db.create()
        self.redis.start()
        self.fake = start_fake(not self.args.fake_nagle)
        if self.args.fake_delay:
            from tests.fakes.twilio_server import Fault

            self.fake.set_default(Fault.ok(self.args.fake_delay))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TWILIO", "REDIS", "DATABASE", "SMS_", "PUBLIC_BASE", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS"))}
        env.update(
            DATABASE_URL=self.db.sa_url, REDIS_URL=self.redis.url, SMS_BACKEND="twilio",
            TWILIO_ACCOUNT_SID=self.fake.account_sid, TWILIO_AUTH_TOKEN=self.fake.auth_token,
            TWILIO_FROM=SENDER, TWILIO_API_URL=self.fake.base_url, PUBLIC_BASE_URL=PUBLIC,
            SECRET_KEY=SECRET, SMS_MAX_PER_SECOND=str(rate), RESILIENCE_ENV="production",
            FIELD_ENCRYPTION_KEYS="TCm0F4Eo84xLrBgqZQLRZ4jwEq-6eKWc3Fs1VOrYEUo=",  # a bench-only key (production requires one)
            RESILIENCE_INSTANCE_PATH=str(self.tmp), PYTHONPATH=str(ROOT),
        )
        self.env = env
        init = subprocess.run([sys.executable, "-m", "resilience.cli", "init-db"], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        if init.returncode != 0:
            raise RuntimeError(f"init-db failed: {init.stderr[-2000:]}")
        from resilience.app import create_app
        from resilience.core.settings import Settings

        self.app = create_app(Settings.from_env(env))
        print(f"setup: database {self.db.name} (migrations), redis {self.redis.url}, "
              f"fake Twilio {self.fake.base_url} ({nagle_note(self.args)}"
              f"{f', answering after {self.args.fake_delay:g} s' if self.args.fake_delay else ''}) in {time.time() - t:.1f} s", flush=True)

    def set_rate(self, rate: float) -> None:
        self.env["SMS_MAX_PER_SECOND"] = str(rate)

    # ------------------------------------------------------------------ the run
    def run(self, layout: Layout, n: int, rate: float) -> RunResult:
        from tests.fakes.twilio_server import sms_segments

        args = self.args
        if args.wait_idle:
            wait_for_idle(args.wait_idle)
        self.set_rate(rate)
        result = RunResult(layout, n, rate)
        print(f"\n=== {n} messages, layout {layout}, SMS_MAX_PER_SECOND={rate:g} ===", flush=True)
        t = time.time()
        reset_tables(self.db)
        ids = make_data(self.db, n, seed=args.seed)
        self.fake.reset_state()
        if args.fake_delay:
            from tests.fakes.twilio_server import Fault

            self.fake.set_default(Fault.ok(args.fake_delay))
        redis.Redis.from_url(self.redis.url).flushall()
        print(f"data: {n} queued offer SMS (+ tasks, needs, households, {max(1, n // 5)} volunteers) "
              f"in {time.time() - t:.1f} s", flush=True)

        workers = Workers(self.env, self.tmp)
        CLEANUP.push("stop workers", workers.stop)
        t = time.time()
        workers.start(layout, args.loglevel)
        print(f"workers: {layout.workers} x `{' '.join(layout.command(args.loglevel))}` ready in "
              f"{time.time() - t:.1f} s", flush=True)
        time.sleep(1.0)  # let the pool children settle (imports done, connected to the broker)

        celery_app = self.app.extensions["celery"]
        # warm the producer pool so connecting to Redis is not counted as sending
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection()

        poll = self.db.connect(autocommit=True, application_name="bench-poll")
        activity = ActivitySampler(self.db)
        worker_pids = workers.pids()
        cpu0 = {pid: proc_cpu(pid) or 0.0 for pid in worker_pids}
        redis0 = proc_cpu(self.redis.proc.pid) or 0.0
        busy0, total0 = machine_jiffies()
        self_cpu0 = time.process_time()
        result.load_before = loadavg()
        activity.start()
        gc_watch = GcWatch(enabled=args.keep_gc)

        spy_proc = None
        spy_out = self.tmp / "pyspy.txt"
        if args.py_spy:
            spy = py_spy_binary()
            if spy is None:
                print("py-spy not found (pip install py-spy, or set PY_SPY)", file=sys.stderr)
            else:
                children = workers.pool_children() if layout.pool == "prefork" else [p.pid for p in workers.procs]
                target = children[0]
                spy_proc = subprocess.Popen(
                    [spy, "record", "--pid", str(target), "--duration", str(args.py_spy), "--rate", "250",
                     "--nonblocking", "--format", "raw", "-o", str(spy_out)]
                    + (["--idle"] if args.py_spy_mode == "wall" else []),
                    stdout=subprocess.DEVNULL, stderr=open(self.tmp / "pyspy.log", "w"))
                print(f"py-spy recording pool process {target} for {args.py_spy:g} s", flush=True)
                CLEANUP.push("stop py-spy", lambda: spy_proc.poll() is None and spy_proc.terminate())
                time.sleep(0.5)  # py-spy attaches

        from resilience.sms import outbox

        if args.batch:
            outbox.SEND_BATCH = args.batch
        t0 = time.time()
        with self.app.app_context():
            outbox.enqueue_sends(ids)  # as the after-commit hook does: SEND_BATCH ids per task
        t_enq = time.time()
        result.enqueue_s = t_enq - t0
        print(f"enqueued {n} in {result.enqueue_s:.2f} s ({n / result.enqueue_s:.0f}/s)", flush=True)

        sent, last_change, last_sent, last_print = 0, time.time(), -1, 0.0
        stall = args.stall_timeout
        while True:
            sent = poll.execute("SELECT count(*) FROM sms_messages WHERE status = 'sent'").fetchone()[0]
            now = time.time()
            if sent >= n:
                break
            if sent != last_sent:
                last_sent, last_change = sent, now
            elif now - last_change > stall:
                counts = dict(poll.execute("SELECT status, count(*) FROM sms_messages GROUP BY 1").fetchall())
                result.problems.append(f"stalled at {sent}/{n} sent for {stall:.0f} s: {counts}")
                break
            if now - last_print >= 5:
                print(f"  t={now - t0:6.1f} s  sent {sent:6d}/{n}", flush=True)
                last_print = now
            time.sleep(0.05)
        t_end = time.time()
        gc_watch.stop()
        result.total_s = t_end - t0

        # CPU accounting, before anything stops
        self_cpu = time.process_time() - self_cpu0
        busy1, total1 = machine_jiffies()
        mains = {p.pid for p in workers.procs}
        worker_cpu_by = {pid: (proc_cpu(pid) or cpu0.get(pid, 0.0)) - cpu0.get(pid, 0.0) for pid in workers.pids()}
        worker_cpu = sum(worker_cpu_by.values())
        worker_main_cpu = sum(v for pid, v in worker_cpu_by.items() if pid in mains)
        backends = [r[0] for r in poll.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend' "
            "AND application_name NOT LIKE 'bench-%%'", (self.db.name,)).fetchall()]
        pg_cpu = sum(proc_cpu(pid) or 0.0 for pid in backends)
        redis_cpu = (proc_cpu(self.redis.proc.pid) or 0.0) - redis0
        activity.stop()
        if spy_proc is not None:
            try:
                spy_proc.wait(args.py_spy + 30)
            except subprocess.TimeoutExpired:
                spy_proc.terminate()
        workers.stop()

        wall = result.total_s
        machine = (busy1 - busy0) / HZ
        result.cpu = {
            "workers: main processes (consume, dispatch, ack)": worker_main_cpu,
            "workers: pool processes (task bodies)": worker_cpu - worker_main_cpu,
            f"PostgreSQL backends ({len(backends)})": pg_cpu,
            "redis-server": redis_cpu,
            "bench process (fake Twilio + enqueue + polling)": self_cpu,
        }
        ours = sum(result.cpu.values())
        result.cpu["everything else on the machine"] = max(0.0, machine - ours)
        result.machine_busy_cores = machine / wall

        # ---------------------------------------------------------------- correctness
        rows = poll.execute("SELECT id, status, attempts, provider_sid, segments FROM sms_messages").fetchall()
        statuses = collections.Counter(r[1] for r in rows)
        creates = self.fake.creates
        attempts = self.fake.create_attempts
        seen = collections.Counter()
        fake_sid = {}
        for c in creates:
            query = parse_qs(urlsplit(c.status_callback or "").query)
            mid = int(query["m"][0]) if "m" in query else None
            seen[mid] += 1
            fake_sid[mid] = c.sid
        dupes = {k: v for k, v in seen.items() if v > 1}
        missing = set(ids) - set(seen)
        extra = set(seen) - set(ids)
        sid_mismatch = sum(1 for r in rows if r[3] != fake_sid.get(r[0]))
        retries = sum(1 for r in rows if r[2] != 1)
        if statuses.get("sent", 0) != n:
            result.problems.append(f"database statuses {dict(statuses)}")
        if dupes:
            result.problems.append(f"{len(dupes)} messages created more than once at the fake")
        if missing:
            result.problems.append(f"{len(missing)} messages never created at the fake")
        if extra:
            result.problems.append(f"{len(extra)} unexpected creates at the fake")
        if len(attempts) != len(creates):
            result.problems.append(f"{len(attempts) - len(creates)} create attempts that did not create")
        if sid_mismatch:
            result.problems.append(f"{sid_mismatch} rows whose provider_sid is not the fake's sid")
        if retries:
            result.problems.append(f"{retries} rows with attempts != 1")
        with self.app.app_context():
            from resilience.audit.chain import verify
            from resilience.extensions import db

            check = verify(db.session)
            db.session.remove()
        if not check.ok:
            result.problems.append(f"audit chain broken at seq {check.first_bad_seq}")
        poll.close()
        result.ok = not result.problems
        print(f"check: {len(creates)} creates at the fake for {n} messages; duplicates {len(dupes)}, "
              f"missing {len(missing)}, extra {len(extra)}, failed/retried creates "
              f"{len(attempts) - len(creates)}, attempts != 1: {retries}, sid mismatches {sid_mismatch}; "
              f"audit chain {'ok' if check.ok else 'BROKEN'} ({check.entries} entries)", flush=True)

        # ---------------------------------------------------------------- rates
        times = sorted(c.created_time for c in creates if c.created_time)
        if len(times) >= 10:
            a, b = times[len(times) // 10], times[len(times) * 9 // 10]
            result.steady_mps = (len(times) * 8 // 10) / (b - a) if b > a else 0.0
        buckets: collections.Counter = collections.Counter()
        msg_buckets: collections.Counter = collections.Counter()
        for c in creates:
            second = int(c.created_time)
            buckets[second] += sms_segments(c.body or "")[1]
            msg_buckets[second] += 1
        if buckets:
            result.max_segments_second = max(buckets.values())
            span = (times[-1] - times[0]) or 1.0
            result.avg_segments_per_s = sum(buckets.values()) / span
            result.seconds_over = sum(1 for v in buckets.values() if v > rate)
        # any 1-second window, not only calendar seconds (two pointers over the arrivals)
        weighted = sorted((c.created_time, sms_segments(c.body or "")[1]) for c in creates if c.created_time)
        sliding, lo, acc, worst_window = 0, 0, 0, (0, 0)
        for hi, (t_hi, w) in enumerate(weighted):
            acc += w
            while weighted[lo][0] <= t_hi - 1.0:
                acc -= weighted[lo][1]
                lo += 1
            if acc > sliding:
                sliding, worst_window = acc, (lo, hi)
        result.max_sliding = sliding

        # ---------------------------------------------------------------- report this run
        print(f"end to end: {n} sent in {wall:.2f} s = {result.mps:.0f} msgs/s "
              f"(enqueue {result.enqueue_s:.2f} s; steady 10-90% of creates {result.steady_mps:.0f} msgs/s)")
        print(f"CPU over the run ({wall:.1f} s wall, {NCPU} cores = {NCPU * wall:.1f} CPU-s available; "
              f"machine busy {result.machine_busy_cores:.2f} cores, load before {result.load_before}):")
        for name, sec in result.cpu.items():
            per_msg = 1000 * sec / n
            print(f"  {name:<52} {sec:7.2f} s  {100 * sec / wall:5.0f}% of a core  {per_msg:6.2f} ms/msg")
        if activity.samples:
            total = sum(activity.counts.values())
            print(f"database sessions of the workers ({activity.samples} samples every 50 ms, "
                  f"{total / activity.samples:.1f} sessions on average):")
            for name, count in activity.counts.most_common(12):
                print(f"  {100 * count / total:5.1f}%  {name}")
        if rate < 1000 or args.show_buckets:
            secs = sorted(buckets)
            print(f"segments per wall-clock second at the fake (limit {rate:g}): "
                  f"max {result.max_segments_second}, seconds over the limit {result.seconds_over}, "
                  f"average {result.avg_segments_per_s:.1f} segments/s "
                  f"({len(creates) / ((times[-1] - times[0]) or 1):.1f} msgs/s) over {len(secs)} seconds")
            print(f"  max in any sliding 1-second window: {result.max_sliding} segments")
            print(f"  {gc_watch.report(t0)}")
            if result.max_sliding > rate - 5:
                lo, hi = worst_window
                gaps = [1000 * (weighted[i][0] - weighted[i - 1][0]) for i in range(max(1, lo), hi + 1)]
                from resilience.sms.ratelimit import seconds_per_segment

                expected = 1000 * 2 * seconds_per_segment(rate)
                print(f"  that window: {hi - lo + 1} arrivals from {weighted[lo][0] - times[0]:.3f} s; gaps between "
                      f"arrivals (ms, a 2-segment slot is {expected:.0f} ms): "
                      + " ".join(f"{g:.0f}" for g in gaps))
            first, rest = task_durations(self.tmp, layout.workers)
            if first and rest:
                rest.sort()
                print(f"  task durations from the worker logs: first task of each pool process max "
                      f"{1000 * max(first):.0f} ms (median {1000 * sorted(first)[len(first) // 2]:.0f} ms); "
                      f"later tasks median {1000 * rest[len(rest) // 2]:.0f} ms, p99 "
                      f"{1000 * rest[len(rest) * 99 // 100]:.0f} ms (they include the limiter's wait)")
            every = range(min(secs), max(secs) + 1)
            print("  seconds:      " + " ".join(f"{s - every[0]:>2}" for s in every))
            print("  at the fake:  " + " ".join(f"{buckets.get(s, 0):>2}" for s in every))
            for sec in secs:
                if buckets[sec] > rate:
                    late = sorted(c.created_time - sec for c in creates if int(c.created_time) == sec)
                    print(f"  second {sec - every[0]} over the limit: {buckets[sec]} segments at the fake, "
                          f"arrivals from +{1000 * late[0]:.0f} ms to +{1000 * late[-1]:.0f} ms into the second")
        if spy_proc is not None and not spy_out.exists():
            print("py-spy wrote nothing: " + (self.tmp / "pyspy.log").read_text()[-1500:])
        if spy_proc is not None and spy_out.exists():
            print(f"py-spy ({'wall clock, idle included' if args.py_spy_mode == 'wall' else 'CPU only'}), "
                  f"one pool process for {args.py_spy} s from the first enqueue:")
            print(summarize_pyspy(spy_out), end="")
            if args.keep_logs:
                print(f"  raw stacks: {spy_out}")
        if result.problems:
            print("PROBLEMS: " + "; ".join(result.problems))
        return result


# ------------------------------------------------------------------------------------------
# the task body alone, in this process: what one send costs without Celery
# ------------------------------------------------------------------------------------------
PROFILE_GROUPS = [  # (label, pstats key: (file suffix, function name)) — cumulative times
    ("Celery-free task body: sender.send_batch", ("resilience/sms/sender.py", "send_batch")),
    ("  claim: UPDATE ... RETURNING + audit + COMMIT", ("resilience/sms/sender.py", "_claim")),
    ("  record: SELECT FOR UPDATE, UPDATE, audit, COMMIT", ("resilience/sms/sender.py", "_record_sent")),
    ("    audit chain _append (head lock, entries, head)", ("resilience/audit/chain.py", "_append")),
    ("  COMMIT (psycopg Connection.commit)", ("psycopg/connection.py", "commit")),
    ("  rate limiter acquire (Redis EVALSHA)", ("resilience/sms/ratelimit.py", "acquire")),
    ("  TwilioGateway.send (SDK + HTTP to the fake)", ("resilience/sms/gateways.py", "send")),
    ("    requests Session.send (HTTP round trip)", ("requests/sessions.py", "send")),
    ("  pool checkout (+ pre-ping SELECT 1)", ("sqlalchemy/pool/base.py", "_checkout")),
    ("  psycopg execute (all statements)", ("psycopg/cursor.py", "execute")),
    ("  logging (handlers, scrubbing)", ("logging/__init__.py", "callHandlers")),
    ("session.remove", ("sqlalchemy/orm/scoping.py", "remove")),
]


def in_process(bench: "Bench", n: int, args) -> None:
    """Run the task body (what resilience.sms.send runs, minus Celery) for n messages in this
    thread: wall time, this thread's CPU time, SQL statements per send, and a cProfile split."""
    import cProfile
    import logging
    import pstats

    from sqlalchemy import event

    from resilience.extensions import db
    from resilience.sms import outbox, sender

    app = bench.app
    reset_tables(bench.db)
    ids = make_data(bench.db, n * 3 + 50, seed=args.seed)
    bench.fake.reset_state()
    statements: collections.Counter = collections.Counter()

    def count(conn, cursor, statement, parameters, context, executemany):
        statements[statement.split(None, 1)[0].upper()] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)

    size = args.batch or outbox.SEND_BATCH

    def body(chunk):
        with app.app_context():
            try:
                outcome = sender.send_batch(db.session, chunk)  # a terminal failure fires dispatch's hook
                assert outcome == {mid: "sent" for mid in chunk}, outcome
            finally:
                db.session.remove()

    def run(batch):
        for i in range(0, len(batch), size):
            body(batch[i:i + size])

    run(ids[:50])  # warm up: connections, caches, the HTTP keep-alive connection

    def measure(batch, label):
        statements.clear()
        t0, c0 = time.perf_counter(), time.thread_time()
        run(batch)
        wall, cpu = time.perf_counter() - t0, time.thread_time() - c0
        per_stmt = ", ".join(f"{k} {v / len(batch):.1f}" for k, v in statements.most_common())
        print(f"  {label:<44} {1000 * wall / len(batch):6.2f} ms wall, {1000 * cpu / len(batch):6.2f} ms CPU "
              f"per send (this thread; {len(batch)} sends) -> one process at most {len(batch) / wall:.0f}/s")
        return per_stmt

    print(f"task body in-process (sender.send_batch of {size} + session.remove, no Celery), "
          f"sequential, load before {loadavg()}:")
    spy_proc, spy_out = None, bench.tmp / "inprocess-pyspy.txt"
    if args.py_spy and py_spy_binary():
        spy_proc = subprocess.Popen(
            [py_spy_binary(), "record", "--pid", str(os.getpid()), "--duration", str(args.py_spy),
             "--rate", "500", "--nonblocking", "--format", "raw", "-o", str(spy_out)]
            + (["--idle"] if args.py_spy_mode == "wall" else []),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        CLEANUP.push("stop py-spy", lambda: spy_proc.poll() is None and spy_proc.terminate())
        time.sleep(1.0)
    per_stmt = measure(ids[50:50 + n], "logging off (WARNING)")
    if spy_proc is not None:
        spy_proc.wait(args.py_spy + 30)
        if spy_out.exists():
            only = bench.tmp / "inprocess-pyspy-send.txt"
            only.write_text("\n".join(line for line in spy_out.read_text().splitlines()
                                      if "sms/sender.py" in line))
            print(f"  py-spy ({args.py_spy_mode}) of the sends above, this thread only:")
            print(summarize_pyspy(only), end="")
    root = logging.getLogger()
    handler = logging.FileHandler(bench.tmp / "inprocess.log")
    handler.setFormatter(logging.Formatter("[%(asctime)s: %(levelname)s/%(processName)s] %(message)s"))
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    measure(ids[50 + n:50 + 2 * n], "logging INFO to a file (as the workers)")
    root.removeHandler(handler)
    root.setLevel(old_level)
    print(f"  SQL statements per send: {per_stmt}")

    # timer = this thread's CPU time: the split is of CPU, not of waiting
    profiler = cProfile.Profile(time.thread_time)
    profiler.enable()
    run(ids[50 + 2 * n:50 + 3 * n])
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(v[3] for k, v in stats.stats.items() if k[2] == "send_batch" and k[0].endswith("resilience/sms/sender.py"))
    print(f"  cProfile of {n} more sends (cumulative CPU time of this thread, profiler overhead included; "
          f"share of sender.send_batch):")
    for label, (suffix, func) in PROFILE_GROUPS:
        cum = sum(v[3] for k, v in stats.stats.items() if k[0].endswith(suffix) and k[2] == func)
        calls = sum(v[1] for k, v in stats.stats.items() if k[0].endswith(suffix) and k[2] == func)
        if cum:
            print(f"  {label:<52} {1000 * cum / n:6.2f} ms/send {100 * cum / total:5.1f}%  ({calls / n:.1f} calls/send)")
    print("  top functions by own time:")
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:12]
    for (path, line, func), v in rows:
        short = path.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
        print(f"    {1000 * v[2] / n:6.3f} ms/send  {func} ({short}:{line})")
    event.remove(engine, "before_cursor_execute", count)
    if args.keep_logs:
        stats.dump_stats(str(bench.tmp / "inprocess.pstats"))
        print(f"  pstats: {bench.tmp / 'inprocess.pstats'}")


# ------------------------------------------------------------------------------------------
# capacity checks of the parts on their own
# ------------------------------------------------------------------------------------------
def _sdk_client_loop(base_url: str, sid: str, token: str, count: int, start_at: float, out) -> None:
    from resilience.sms.gateways import TwilioGateway

    gateway = TwilioGateway(sid, token, SENDER, base_url, timeout=15)
    body = ("Tugas T1234: evakuasi (perahu) untuk 4 orang (1 lansia, 2 balita). Lokasi: Dekat masjid "
            "Al-Ikhlas, gang 3, Kel. Petuk Katimpun (2,3 km dari Anda). Balas YA T1234 untuk menerima "
            "atau TIDAK T1234 untuk menolak. Berlaku 30 menit.")
    gateway.send(0, "+628120000000", body, None)  # connect outside the measurement
    while time.time() < start_at:
        time.sleep(0.001)
    c0 = time.process_time()
    for i in range(count):
        gateway.send(i, f"+62812{i % 10_000_000:07d}", body, f"{PUBLIC}/sms/twilio/status?m={i}")
    out.put(time.process_time() - c0)


def nagle_note(args) -> str:
    return ("Nagle's algorithm turned back on (--fake-nagle)" if args.fake_nagle
            else "TCP_NODELAY on its sockets")


def fake_capacity(total: int, clients: int, args) -> None:
    """The fake alone: ``clients`` processes each running TwilioGateway.send in a loop."""
    import multiprocessing as mp

    fake = start_fake(not args.fake_nagle)
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    per = total // clients
    start_at = time.time() + 2.0
    procs = [ctx.Process(target=_sdk_client_loop,
                         args=(fake.base_url, fake.account_sid, fake.auth_token, per, start_at, out))
             for _ in range(clients)]
    for p in procs:
        p.start()
    CLEANUP.push("stop SDK clients", lambda: [p.kill() for p in procs if p.is_alive()])
    while time.time() < start_at:
        time.sleep(0.001)
    busy0, _ = machine_jiffies()
    cpu0 = time.process_time()
    t0 = time.time()
    client_cpu = [out.get(timeout=600) for _ in procs]
    wall = time.time() - t0
    fake_cpu = time.process_time() - cpu0
    busy1, _ = machine_jiffies()
    for p in procs:
        p.join(10)
    done = len(fake.creates) - clients
    print(f"fake Twilio capacity ({nagle_note(args)}), {clients} client processes x {per} creates "
          f"through TwilioGateway.send (twilio SDK {_twilio_version()}), load before {loadavg()}:")
    print(f"  {done} creates in {wall:.2f} s = {done / wall:.0f} creates/s")
    print(f"  CPU: fake (in this process) {fake_cpu:.2f} s = {1000 * fake_cpu / done:.2f} ms/create; "
          f"SDK clients {sum(client_cpu):.2f} s = {1000 * sum(client_cpu) / done:.2f} ms/create; "
          f"machine busy {(busy1 - busy0) / HZ / wall:.2f} of {NCPU} cores")
    fake.stop()


def _twilio_version() -> str:
    try:
        from importlib.metadata import version

        return version("twilio")
    except Exception:
        return "?"


def _audit_client(url: str, count: int, start_at: float, sync_commit: bool, out) -> None:
    import hashlib
    import json

    with psycopg.connect(url) as conn:
        if not sync_commit:
            conn.execute("SET synchronous_commit = off")
            conn.commit()
        while time.time() < start_at:
            time.sleep(0.001)
        for i in range(count):
            # what one send transaction does: lock the message row, update it, append to the chain
            mid = conn.execute("SELECT id FROM bench_msgs WHERE id = %s FOR UPDATE",
                               (random.randint(1, 10000),)).fetchone()[0]
            conn.execute("UPDATE bench_msgs SET n = n + 1 WHERE id = %s", (mid,))
            seq, prev = conn.execute("SELECT seq, hash FROM bench_head WHERE id = 1 FOR UPDATE").fetchone()
            body = json.dumps({"seq": seq + 1, "action": "sms_message.sent", "payload": {"status": ["sending", "sent"]}},
                              sort_keys=True, separators=(",", ":"))
            digest = hashlib.sha256((prev + body).encode()).hexdigest()
            conn.execute("INSERT INTO bench_entries (seq, payload, prev_hash, hash) VALUES (%s, %s, %s, %s)",
                         (seq + 1, body, prev, digest))
            conn.execute("UPDATE bench_head SET seq = %s, hash = %s WHERE id = 1", (seq + 1, digest))
            conn.commit()
    out.put(count)


def audit_ceiling(db: Database, total: int, clients: int) -> None:
    """The database alone: how many transactions per second can append to one chain (the head
    row locked by every writer), with nothing but SQL in them. Each SMS send needs two."""
    import multiprocessing as mp

    with db.connect(autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_msgs (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)")
        conn.execute("INSERT INTO bench_msgs (id) SELECT generate_series(1, 10000)")
        conn.execute("CREATE TABLE bench_head (id int PRIMARY KEY, seq int NOT NULL, hash varchar(64) NOT NULL)")
        conn.execute("CREATE TABLE bench_entries (seq int PRIMARY KEY, payload json, prev_hash varchar(64), "
                     "hash varchar(64))")
    ctx = mp.get_context("fork")
    print(f"audit-chain ceiling: {clients} client processes, each transaction = lock+update a row, "
          f"lock the head, insert an entry, update the head, COMMIT (load before {loadavg()})")
    for sync_commit in (True, False):
        with db.connect(autocommit=True) as conn:
            conn.execute("TRUNCATE bench_entries")
            conn.execute("DELETE FROM bench_head")
            conn.execute("INSERT INTO bench_head VALUES (1, 0, %s)", ("0" * 64,))
        out = ctx.Queue()
        per = total // clients
        start_at = time.time() + 1.0
        procs = [ctx.Process(target=_audit_client, args=(db.url, per, start_at, sync_commit, out))
                 for _ in range(clients)]
        for p in procs:
            p.start()
        while time.time() < start_at:
            time.sleep(0.001)
        t0 = time.time()
        busy0, _ = machine_jiffies()
        for _ in procs:
            out.get(timeout=600)
        wall = time.time() - t0
        busy1, _ = machine_jiffies()
        for p in procs:
            p.join(10)
        tps = per * clients / wall
        print(f"  synchronous_commit={'on ' if sync_commit else 'off'}: {per * clients} transactions in "
              f"{wall:.2f} s = {tps:.0f} tx/s -> at most {tps / 2:.0f} sends/s (2 audited transactions each); "
              f"machine busy {(busy1 - busy0) / HZ / wall:.2f} cores")


# ------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4, help="worker processes")
    parser.add_argument("--concurrency", type=int, default=4, help="--concurrency of each worker")
    parser.add_argument("--pool", default="prefork", choices=["prefork", "threads", "solo"])
    parser.add_argument("--layouts", help="several runs, e.g. 2x4,4x4,2x16:threads (overrides the three above)")
    parser.add_argument("--rate", type=float, default=100_000,
                        help="SMS_MAX_PER_SECOND (default 100000 = off)")
    parser.add_argument("--loglevel", default="INFO", help="workers' --loglevel (docker-compose uses INFO)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per layout")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--py-spy", type=int, default=0, metavar="SECONDS",
                        help="record one worker pool process with py-spy for this long")
    parser.add_argument("--py-spy-mode", choices=["wall", "cpu"], default="wall",
                        help="wall: idle (waiting) samples included; cpu: on-CPU samples only")
    parser.add_argument("--show-buckets", action="store_true", help="print per-second segments even when unlimited")
    parser.add_argument("--stall-timeout", type=float, default=90.0)
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                        help="before each run, wait up to this long for the machine to be idle")
    parser.add_argument("--database", help="database name (default resilience_bench_<pid>; dropped at exit)")
    parser.add_argument("--keep-logs", action="store_true", help="keep worker logs and py-spy output")
    parser.add_argument("--fake-capacity", type=int, metavar="N",
                        help="only measure the fake Twilio: N creates from --clients SDK processes")
    parser.add_argument("--audit-ceiling", type=int, metavar="N",
                        help="only measure the database: N audited transactions from --clients processes")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--fake-delay", type=float, default=0, metavar="SECONDS",
                        help="the fake answers every create after this long (real Twilio is ~0.1-0.3 s away)")
    parser.add_argument("--in-process", type=int, metavar="N",
                        help="only run the task body (no Celery) for N messages in this process, sequentially")
    parser.add_argument("--fake-nagle", action="store_true",
                        help="turn Nagle's algorithm back on at the fake (as it was before commit 26da23c: its "
                             "two writes per answer meet the client's delayed ACK, ~40 ms per request)")
    parser.add_argument("--keep-gc", action="store_true",
                        help="leave Python's cyclic GC on in this process (the fake) during runs and list "
                             "its pauses (by default it is off while the clock runs: see GcWatch)")
    parser.add_argument("--fake-rt", action="store_true",
                        help="run this process (the fake Twilio) on SCHED_RR, so a busy machine does not "
                             "make the receiver stamp a backlog of arrivals at once (rate-limit proofs)")
    parser.add_argument("--batch", type=int, default=0,
                        help="ids per send task (default: the product's SEND_BATCH)")
    args = parser.parse_args(argv)

    try:
        if args.fake_capacity:
            fake_capacity(args.fake_capacity, args.clients, args)
            return 0
        if args.audit_ceiling:
            db = Database(args.database or f"resilience_bench_{os.getpid()}")
            db.create()
            audit_ceiling(db, args.audit_ceiling, args.clients)
            return 0

        if args.fake_rt:
            print(realtime_priority(), flush=True)
        layouts = ([Layout.parse(x) for x in args.layouts.split(",")] if args.layouts
                   else [Layout(args.workers, args.concurrency, args.pool)])
        bench = Bench(args)
        bench.setup(args.rate)
        if args.in_process:
            in_process(bench, args.in_process, args)
            return 0
        results: list[RunResult] = []
        for layout in layouts:
            for _ in range(args.repeat):
                results.append(bench.run(layout, args.messages, args.rate))

        print(f"\nSummary ({NCPU} cores, PostgreSQL + Redis + fake Twilio on the same machine):")
        limited = args.rate < 1000
        head = f"{'layout':<18}{'msgs':>7}{'rate limit':>11}{'total s':>9}{'msgs/s':>8}{'steady':>8}{'enqueue s':>10}"
        head += f"{'busy cores':>11}{'others':>7}{'CPU ms/msg':>11}{'ceiling':>8}"
        head += (f"{'max seg/s':>10}{'avg seg/s':>10}" if limited else "") + "  check"
        print(head)
        for r in results:
            line = (f"{str(r.layout):<18}{r.messages:>7}{('off' if r.rate >= 1000 else f'{r.rate:g}'):>11}"
                    f"{r.total_s:>9.2f}{r.mps:>8.0f}{r.steady_mps:>8.0f}{r.enqueue_s:>10.2f}"
                    f"{r.machine_busy_cores:>11.2f}{r.others_cores:>7.2f}{r.our_cpu_ms:>11.1f}"
                    f"{1000 * NCPU / r.our_cpu_ms if r.our_cpu_ms else 0:>8.0f}")
            if limited:
                line += f"{r.max_segments_second:>10}{r.avg_segments_per_s:>10.1f}"
            line += "  " + ("ok" if r.ok else "FAILED")
            print(line)
        if limited:
            worst = max(r.max_segments_second for r in results)
            sliding = max(r.max_sliding for r in results)
            print(f"rate limit {args.rate:g}: max segments at the fake in any calendar second = {worst}, "
                  f"in any sliding 1-second window = {sliding} "
                  f"-> {'MET' if max(worst, sliding) <= args.rate else 'NOT MET'}")
        else:
            best = max(results, key=lambda r: r.mps)
            print("busy cores: the whole machine during the run; others: cores used by processes that are not "
                  "part of the run; CPU ms/msg: all the run's processes (workers, their PostgreSQL backends, "
                  f"redis, this process with the fake); ceiling: {NCPU} cores / CPU ms per msg = msgs/s if "
                  "this machine did nothing else and nothing waited")
            print(f"target 300 msgs/s end to end: best {best.mps:.0f} msgs/s ({best.layout}) -> "
                  f"{'MET' if best.mps >= 300 else 'NOT MET'}")
        return 0 if all(r.ok for r in results) else 1
    finally:
        CLEANUP.run()


if __name__ == "__main__":
    sys.exit(main())
