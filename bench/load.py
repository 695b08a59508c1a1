"""The production stack under a flood-day load: gunicorn serving ``resilience.wsgi:app`` on
PostGIS and Redis on 127.0.0.1, driven over loopback by an open-loop load generator (threads and
``http.client``, one keep-alive connection per thread).

Set-up (unless ``--target URL`` points at a running server set up the same way): a throw-away
PostgreSQL database with PostGIS (TEST_POSTGRES_ADMIN_URL, else postgres@127.0.0.1), ``resilience
demo`` (the Rakumpit demo), a coordinator from ``resilience users create`` and an API token from
``resilience tokens create``, a Redis server of its own on a free port (no persistence), then
gunicorn with ``config/gunicorn.conf.py`` and ``--workers N --worker-class K --threads T``,
``API_RATE_LIMIT=0`` (one address generates all the load) and ``SMS_BACKEND=outbox``. Everything
it started is stopped and the database dropped at the end (``--keep`` keeps the database).

The mix, per 1000 requests (a flood day: registrations and need updates from the poskos,
lists read by the coordinators' clients, the dashboard map refreshed every 30 s by ~30 open
dashboards, a match every few seconds and dispatches of its proposals):

    household   200  POST /api/v1/households (half with a unique NIK, half without)
    need_update 200  PATCH /api/v1/needs/{id} (priority with a reason, and notes)
    households  180  GET /api/v1/households?page=N (50 a page)
    tasks       150  GET /api/v1/tasks?event=E&page=N
    needs       259  GET /api/v1/events/{E}/needs?page=N (50 a page)
    map           5  GET /events/{E}/map.json (web session from /login, gzip accepted)
    match         1  POST /api/v1/events/{E}/match
    dispatch      5  POST /api/v1/events/{E}/dispatch (one task of the last proposal; 409/422
                     when it is gone)

Requests are scheduled at ``--rate`` per second (open loop: a slow answer does not slow the
schedule). Latency is measured from the request's scheduled time to the end of its answer, so
time spent queued in the generator when the server falls behind counts; the time from send to
answer is printed beside it. Any status other than 2xx/3xx is an error, except 409 and 422
(expected answers of a dispatch or a conflicting update).

    .venv/bin/python bench/load.py [--workers 2] [--worker-class gthread] [--threads 2]
                                   [--rate 200] [--duration 300] [--clients 64]
    .venv/bin/python bench/load.py --map-households 10000 [--runs 20]   # map.json at 10,000
    .venv/bin/python bench/load.py --profile needs [--runs 100]         # cProfile of one kind, in process
    .venv/bin/python bench/load.py --map-households 10000 --profile map --runs 5

Run it from the repository root (PYTHONPATH=$PWD for a worktree).
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import itertools
import json
import os
import queue
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _web_timing import admin_url  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
EMAIL, PASSWORD = "bench.load@posko.test", "a-long-password-for-load"
MIX = {"household": 200, "need_update": 200, "households": 180, "tasks": 150, "needs": 259, "map": 5,
       "match": 1, "dispatch": 5}
EXPECTED = {409, 422}
SERIAL = itertools.count(1)
RAKUMPIT_BOX = {"type": "Polygon", "coordinates": [[[113.60, -1.72], [113.74, -1.72], [113.74, -1.58],
                                                    [113.60, -1.58], [113.60, -1.72]]]}


# --- the stack -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    """The database, Redis and gunicorn this run started; ``close()`` stops and drops them."""

    def __init__(self, args):
        import psycopg
        from cryptography.fernet import Fernet

        self.args = args
        self.procs: list[subprocess.Popen] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="loadbench-"))
        self.admin = admin_url()
        self.dbname = f"resilience_loadbench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.dbname}"')
        base = self.admin.rsplit("/", 1)[0]
        with psycopg.connect(f"{base}/{self.dbname}", autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        redis_port = free_port()
        self.procs.append(subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "RESILIENCE_ENV": "production",
            "DATABASE_URL": f"{base}/{self.dbname}".replace("postgresql://", "postgresql+psycopg://"),
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "SECRET_KEY": "loadbench-secret-" + uuid.uuid4().hex,
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "SMS_BACKEND": "outbox",
            "PUBLIC_BASE_URL": "http://127.0.0.1",
            "API_RATE_LIMIT": "0",
            "RESILIENCE_INSTANCE_PATH": str(self.tmp),
        }
        started = time.perf_counter()
        self.cli("demo")
        self.cli("users", "create", EMAIL, "--role", "coordinator", "--password", PASSWORD)
        self.token = self.cli("tokens", "create", EMAIL).strip().splitlines()[-1]
        print(f"set-up: database {self.dbname}, demo, user and token in {time.perf_counter() - started:.1f} s")

    def cli(self, *argv) -> str:
        done = subprocess.run([str(BIN / "resilience"), *argv], env=self.env, cwd=ROOT, capture_output=True,
                              text=True, stdin=subprocess.DEVNULL)
        if done.returncode:
            raise SystemExit(f"resilience {' '.join(argv[:2])} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start_gunicorn(self, workers: int, worker_class: str, threads: int) -> str:
        port = free_port()
        log = open(self.tmp / f"gunicorn-{workers}.log", "w")
        env = {**self.env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers)}
        proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "config/gunicorn.conf.py", "--workers", str(workers),
             "--worker-class", worker_class, "--threads", str(threads), "resilience.wsgi:app"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    return url
            except OSError:
                pass
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.tmp}")
            time.sleep(0.2)
        raise SystemExit("gunicorn did not become ready")

    def stop_gunicorn(self):
        proc = self.procs.pop()
        proc.terminate()
        proc.wait(30)

    def close(self, keep: bool):
        import psycopg

        for proc in reversed(self.procs):
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        if keep:
            print(f"kept database {self.dbname}")
        else:
            with psycopg.connect(self.admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
        shutil.rmtree(self.tmp, ignore_errors=True)


# --- HTTP --------------------------------------------------------------------------------------
class Client:
    """One keep-alive connection: API requests with the bearer token, web ones with the cookie."""

    def __init__(self, url: str, token: str, cookie: str | None = None):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.token, self.cookie = token, cookie
        self.conn = None

    def request(self, method: str, path: str, body=None, web: bool = False, headers=None):
        headers = dict(headers or {})
        if web:
            if self.cookie:
                headers["Cookie"] = self.cookie
        else:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return response.status, payload, response
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise


def web_login(url: str) -> str:
    """Logs in through /login like a browser; returns the Cookie header value."""
    client = Client(url, "")
    status, page, response = client.request("GET", "/login", web=True)
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.decode()).group(1)
    form = urllib.parse.urlencode({"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    client.conn.request("POST", "/login", body=form, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = client.conn.getresponse()
    response.read()
    assert response.status == 302, response.status
    return response.getheader("Set-Cookie").split(";", 1)[0]


# --- the load ---------------------------------------------------------------------------------
class Flood:
    """What each kind of request sends: ids learnt from the API before the run."""

    def __init__(self, url: str, token: str, cookie: str):
        self.url, self.token, self.cookie = url, token, cookie
        self._setup(Client(url, token))

    def _setup(self, api):
        events = json.loads(api.request("GET", "/api/v1/events")[1])["items"]
        self.event = next(e for e in events if e["status"] == "active")["id"] if any(
            e["status"] == "active" for e in events) else events[0]["id"]
        body = json.loads(api.request("GET", f"/api/v1/events/{self.event}/needs?per_page=1")[1])
        self.needs = []
        for page in range(1, body["total"] // 200 + 2):
            items = json.loads(api.request("GET", f"/api/v1/events/{self.event}/needs?per_page=200&page={page}")[1])
            self.needs += [n["id"] for n in items["items"]]
        self.household_pages = max(1, json.loads(api.request("GET", "/api/v1/households?per_page=1")[1])["total"] // 50)
        self.serial = SERIAL  # shared by the runs on one database: every NIK new
        self.proposed: list[int] = []
        self.lock = threading.Lock()
        print(f"event {self.event}: {len(self.needs)} needs, {self.household_pages} pages of households")

    def nik(self, n: int) -> str:
        # 6271 05 (Palangka Raya, Rakumpit), a birth date (day + 40: a woman), a serial: unique per n
        day, month, year = n % 28 + 1, n // 28 % 12 + 1, n // 336 % 100
        return f"627105{day + 40:02d}{month:02d}{year:02d}{n // 33600 % 9999 + 1:04d}"

    def call(self, client: Client, kind: str, rng: random.Random):
        if kind == "household":
            n = next(self.serial)
            body = {"head_name": f"Warga Beban {n}", "members": rng.randint(1, 8),
                    "location": {"lat": -1.60 - rng.random() * 0.1, "lon": 113.62 + rng.random() * 0.1},
                    "address": f"Jl. Beban No. {n}"}
            if n % 2:
                body["nik"] = self.nik(n)
            return client.request("POST", "/api/v1/households", body)
        if kind == "need_update":
            need = rng.choice(self.needs)
            return client.request("PATCH", f"/api/v1/needs/{need}",
                                  {"priority": rng.randint(1, 5), "priority_reason": "cek lapangan",
                                   "notes": f"cek {rng.randrange(10**6)}"})
        if kind == "households":
            return client.request("GET", f"/api/v1/households?page={rng.randint(1, self.household_pages)}")
        if kind == "tasks":
            return client.request("GET", f"/api/v1/tasks?event={self.event}&page={rng.randint(1, 3)}")
        if kind == "needs":
            return client.request("GET", f"/api/v1/events/{self.event}/needs?page={rng.randint(1, 6)}")
        if kind == "map":
            return client.request("GET", f"/events/{self.event}/map.json", web=True,
                                  headers={"Accept-Encoding": "gzip"})
        if kind == "match":
            status, payload, response = client.request("POST", f"/api/v1/events/{self.event}/match", {})
            if status == 200:
                ids = [t["id"] for t in json.loads(payload)["tasks"]]
                with self.lock:
                    self.proposed = ids
            return status, payload, response
        if kind == "dispatch":
            with self.lock:
                ids = self.proposed[:1]
                self.proposed = self.proposed[1:]
            return client.request("POST", f"/api/v1/events/{self.event}/dispatch",
                                  {"task_ids": ids} if ids else {"task_ids": [0]})
        raise ValueError(kind)


def run_load(flood: Flood, rate: float, duration: float, clients: int, seed: int = 7, backlog_s: float = 10):
    """Open loop: a schedule of ``rate * duration`` requests, kinds drawn from MIX; ``clients``
    threads each take the next due request. A request more than ``backlog_s`` late when a thread
    gets to it is not sent (recorded as "not sent"): a server that cannot keep up does not make
    the run last until the backlog drains. Returns the records and the wall time."""
    rng = random.Random(seed)
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=int(rate * duration))
    todo: queue.Queue = queue.Queue()
    records: list[tuple] = []
    start = time.perf_counter() + 0.5
    for i, kind in enumerate(kinds):
        todo.put((start + i / rate, kind))

    def worker(index: int):
        client = Client(flood.url, flood.token, flood.cookie)
        local = random.Random(seed * 1000 + index)
        mine = []
        while True:
            try:
                due, kind = todo.get_nowait()
            except queue.Empty:
                break
            wait = due - time.perf_counter()
            if -wait > backlog_s:  # the server fell this far behind: not sent, counted as such
                mine.append((kind, "not sent", due, None, None))
                continue
            if wait > 0:
                time.sleep(wait)
            sent = time.perf_counter()
            try:
                status = flood.call(client, kind, local)[0]
            except Exception as exc:  # a broken connection is an error, recorded
                status = f"{type(exc).__name__}"
            end = time.perf_counter()
            mine.append((kind, status, due, sent, end))
        records.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = max(r[4] for r in records if r[4] is not None) - start
    return records, wall


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def cpu_by_part(stack: Stack, gunicorn_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the gunicorn workers, the PostgreSQL backends serving this
    database, Redis, and this process (the load generator)."""
    import psycopg

    children = Path(f"/proc/{gunicorn_pid}/task/{gunicorn_pid}/children").read_text().split()
    with psycopg.connect(stack.admin, autocommit=True) as conn:
        backends = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s",
                                               (stack.dbname,))]
    return {"gunicorn": sum(cpu_seconds(int(p)) for p in children) + cpu_seconds(gunicorn_pid),
            "postgres": sum(cpu_seconds(p) for p in backends), "redis": cpu_seconds(stack.procs[0].pid),
            "generator": sum(os.times()[:2])}


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(p / 100 * len(values))) - 1))]


def report(records, wall: float, label: str, rate: float):
    unsent = sum(1 for r in records if r[1] == "not sent")
    records = [r for r in records if r[1] != "not sent"]
    print(f"\n{label}: {len(records)} requests answered in {wall:.1f} s = {len(records) / wall:.1f} req/s "
          f"(target {rate:.0f}; {unsent} not sent, over 10 s behind schedule); load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    by_kind = defaultdict(list)
    for r in records:
        by_kind[r[0]].append(r)
    print(f"{'kind':<12} {'n':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} | {'svc p50':>7} {'svc p99':>7} "
          f"{'409/422':>7} {'errors':>6}")
    errors_seen = defaultdict(int)

    def line(name, rows):
        lat = [(r[4] - r[2]) * 1000 for r in rows]
        svc = [(r[4] - r[3]) * 1000 for r in rows]
        expected = sum(1 for r in rows if r[1] in EXPECTED)
        errors = [r for r in rows if not (isinstance(r[1], int) and (200 <= r[1] < 400 or r[1] in EXPECTED))]
        for r in errors:
            errors_seen[(r[0], r[1])] += 1
        print(f"{name:<12} {len(rows):>6} {pct(lat, 50):7.1f} {pct(lat, 95):7.1f} {pct(lat, 99):7.1f} "
              f"{max(lat):7.1f} | {pct(svc, 50):7.1f} {pct(svc, 99):7.1f} {expected:>7} {len(errors):>6}")

    for kind in MIX:
        if by_kind[kind]:
            line(kind, by_kind[kind])
    line("all", records)
    if errors_seen:
        print("errors by kind and status:", dict(errors_seen))
    print("(ms; p50/p95/p99/max from the scheduled start, svc from the send)")


# --- map.json at 10,000 households ---------------------------------------------------------------
class InProcess:
    """The Client interface over Flask's test client, in this process (for cProfile)."""

    def __init__(self, app, token: str):
        self.app, self.token = app, token
        self.client = app.test_client()
        page = self.client.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        answer = self.client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf})
        assert answer.status_code == 302, answer.status_code

    def request(self, method, path, body=None, web=False, headers=None):
        headers = dict(headers or {})
        if not web:
            headers["Authorization"] = f"Bearer {self.token}"
        response = self.client.open(path, method=method, json=body, headers=headers)
        return response.status_code, response.get_data(), response


def profile(stack: Stack, kind: str, runs: int, event: int | None = None) -> None:
    """``runs`` requests of one kind through the app in this process under cProfile (after a
    warm-up of ten): the functions where the time goes, by own time and by cumulative time."""
    import cProfile
    import pstats

    with stack_env(stack):
        from resilience.app import create_app

        app = create_app()
        local = InProcess(app, stack.token)

        class Direct(Flood):
            def __init__(self):
                self.url, self.token, self.cookie = None, stack.token, None
                self._setup(local)

        flood = Direct()
        flood.event = event or flood.event
        rng = random.Random(5)
        for _ in range(min(10, runs)):
            flood.call(local, kind, rng)
        profiler = cProfile.Profile()
        t0 = time.perf_counter()
        profiler.enable()
        statuses = defaultdict(int)
        for _ in range(runs):
            statuses[flood.call(local, kind, rng)[0]] += 1
        profiler.disable()
        print(f"{kind}: {runs} requests in process under cProfile, {(time.perf_counter() - t0) / runs * 1000:.1f} ms "
              f"each (profiler overhead included); statuses {dict(statuses)}")
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(45)


class stack_env:
    """The stack's environment in this process while inside (for create_app)."""

    def __init__(self, stack: Stack):
        self.stack = stack

    def __enter__(self):
        self.before = dict(os.environ)
        os.environ.update(self.stack.env)

    def __exit__(self, *exc):
        os.environ.clear()
        os.environ.update(self.before)


def add_households(stack: Stack, count: int) -> int:
    """A new event over Rakumpit whose needs cover ``count`` households: the demo's households
    copied (points moved by up to ~500 m, no NIK, KK or phone) until there are enough, one open
    need each, written with bulk inserts. Returns the event id."""
    env_before = dict(os.environ)
    os.environ.update(stack.env)
    try:
        from sqlalchemy import func, insert, select

        from resilience.app import create_app
        from resilience.audit.chain import set_actor
        from resilience.core.db import utcnow
        from resilience.events.operations import create_event
        from resilience.extensions import db
        from resilience.households.models import Household
        from resilience.needs.models import Need
        from resilience.vocabulary import NEED_CATEGORIES

        app = create_app()
        with app.app_context():
            set_actor("bench")
            from resilience.events.schemas import EventCreateSchema

            body = EventCreateSchema().load({"name": "Banjir besar (bench map)", "affected_area": RAKUMPIT_BOX,
                                             "started_at": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")})
            event = create_event(db.session, body).id
            db.session.commit()
            have = db.session.scalar(select(func.count()).select_from(Household))
            if have < count:
                db.session.execute(db.text(
                    "INSERT INTO households (head_name, address, landmark, rt, rw, street, location, "
                    "location_precision, admin_area_id, members, elderly, children_under5, pregnant_or_lactating, "
                    "disabled, chronically_ill, created_at, updated_at) "
                    "SELECT head_name || ' ' || g, address, landmark, rt, rw, street, "
                    "ST_SetSRID(ST_MakePoint(ST_X(location) + (random() - 0.5) * 0.01, "
                    "ST_Y(location) + (random() - 0.5) * 0.01), 4326), location_precision, admin_area_id, members, "
                    "elderly, children_under5, pregnant_or_lactating, disabled, chronically_ill, now(), now() "
                    "FROM households CROSS JOIN generate_series(1, :copies) AS g "
                    "WHERE merged_into_id IS NULL AND location IS NOT NULL LIMIT :n"),
                    {"copies": count // max(1, have) + 1, "n": count - have})
            ids = db.session.scalars(select(Household.id).order_by(Household.id).limit(count)).all()
            rng = random.Random(3)
            now = utcnow()
            rows = []
            for hid in ids:
                priority = rng.randint(1, 5)
                rows.append({"event_id": event, "household_id": hid, "category": rng.choice(NEED_CATEGORIES),
                             "status": "open", "priority": priority, "derived_priority": priority,
                             "priority_overridden": False, "priority_reason": "", "notes": "", "reporter": "bench",
                             "reported_at": now})
            db.session.execute(insert(Need), rows)
            db.session.commit()
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
            households = db.session.scalar(
                select(func.count(func.distinct(Need.household_id))).where(Need.event_id == event))
            print(f"event {event}: {households} households with a need")
            db.session.remove()
            db.engine.dispose()
        return event
    finally:
        os.environ.clear()
        os.environ.update(env_before)


def time_map(url: str, cookie: str, event: int, runs: int, stack: Stack | None = None):
    """Each answer's wall time over loopback, and (with ``stack``) the CPU the server spent per
    answer (gunicorn workers and PostgreSQL backends, from /proc): the figure that holds on a
    machine whose other load stretches the wall times."""
    client = Client(url, "", cookie)
    for encoding in ("gzip", "identity"):
        times, size = [], 0
        cpu_before = None
        for i in range(runs + 1):
            t0 = time.perf_counter()
            status, payload, response = client.request("GET", f"/events/{event}/map.json", web=True,
                                                       headers={"Accept-Encoding": encoding})
            elapsed = (time.perf_counter() - t0) * 1000
            assert status == 200, status
            if i:
                times.append(elapsed)
            elif stack is not None:  # after the warm-up
                cpu_before = cpu_by_part(stack, stack.procs[-1].pid)
            size = len(payload)
        cpu = ""
        if cpu_before is not None:
            after = cpu_by_part(stack, stack.procs[-1].pid)
            cpu = (f"; server CPU per answer: gunicorn {(after['gunicorn'] - cpu_before['gunicorn']) / runs * 1000:.0f} ms"
                   f" + PostgreSQL {(after['postgres'] - cpu_before['postgres']) / runs * 1000:.0f} ms")
        body = gzip.decompress(payload) if encoding == "gzip" else payload
        households = len(json.loads(body)["households"])
        if encoding == "identity":  # what the compression costs, at two levels, in this process
            for level in (1, 5):
                t0 = time.perf_counter()
                packed = gzip.compress(body, compresslevel=level)
                print(f"  gzip level {level} of the {len(body) / 1024:.0f} KB: {(time.perf_counter() - t0) * 1000:.0f} ms, "
                      f"{len(packed) / 1024:.0f} KB")
        print(f"map.json, {households} households, Accept-Encoding {encoding}: median {statistics.median(times):.0f} ms, "
              f"p90 {pct(times, 90):.0f} ms, max {max(times):.0f} ms, {size / 1024:.0f} KB on the wire ({runs} runs){cpu}")


# --- main ---------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[2], help="one run per value, e.g. 2 4")
    parser.add_argument("--worker-class", default="gthread", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--duration", type=float, default=300)
    parser.add_argument("--clients", type=int, default=64, help="load-generating threads")
    parser.add_argument("--map-households", type=int, default=0, help="only time map.json at this many households")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--profile", choices=list(MIX), help="only profile this kind of request in process")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    stack = Stack(args)
    try:
        if args.map_households:
            event = add_households(stack, args.map_households)
            if args.profile:
                profile(stack, args.profile, args.runs, event)
                return
            url = stack.start_gunicorn(args.workers[0], args.worker_class, args.threads)
            time_map(url, web_login(url), event, args.runs, stack)
            print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            return
        if args.profile:
            profile(stack, args.profile, args.runs)
            return
        for workers in args.workers:
            url = stack.start_gunicorn(workers, args.worker_class, args.threads)
            flood = Flood(url, stack.token, web_login(url))
            # warm every worker's connections and caches before measuring
            run_load(flood, min(args.rate, 50), 2, 8, seed=1)
            before = cpu_by_part(stack, stack.procs[-1].pid)
            records, wall = run_load(flood, args.rate, args.duration, args.clients)
            after = cpu_by_part(stack, stack.procs[-1].pid)
            answered = sum(1 for r in records if r[1] != "not sent")
            report(records, wall, f"gunicorn {workers} workers × {args.threads} threads ({args.worker_class})",
                   args.rate)
            # backends that ended during the run are missed: the pool keeps its connections
            print("CPU per request (ms): " + ", ".join(
                f"{part} {(after[part] - before[part]) * 1000 / answered:.1f}" for part in after)
                + f"; CPU used {sum(after[p] - before[p] for p in after) / wall:.2f} of {os.cpu_count()} cores")
            stack.stop_gunicorn()
    finally:
        stack.close(args.keep)


if __name__ == "__main__":
    main()
