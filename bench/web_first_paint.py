"""First paint of the coordinator dashboard with the Rakumpit demo (600 households) loaded.

Builds a fresh SQLite database in a temporary directory, runs ``resilience demo``, starts
``resilience serve`` (the embedded default, as a coordinator at a posko runs it), logs in with
Debian's Chromium headless (Playwright, ``executable_path=/usr/bin/chromium``; never downloads a
browser), and loads the event dashboard several times. For each load it reads
``performance.getEntriesByType('paint')`` (first paint, first contentful paint), the navigation
timing (response end, DOMContentLoaded, load) and the time until the map has drawn the
households (map.json fetched and rendered after the first paint). The first load has a cold
browser cache; the rest are warm, as a coordinator's reloads are.

    .venv/bin/python bench/web_first_paint.py [--runs 7] [--screenshots DIR]

Prints one line per load and the medians. Target: first contentful paint under 1 s locally.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
EMAIL, PASSWORD = "bench.koordinator@posko.test", "a-long-password"

TIMING_JS = """() => {
  const paint = Object.fromEntries(performance.getEntriesByType('paint').map(e => [e.name, e.startTime]));
  const nav = performance.getEntriesByType('navigation')[0];
  return {fp: paint['first-paint'], fcp: paint['first-contentful-paint'], ttfb: nav.responseStart,
          response_end: nav.responseEnd, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
          transfer: nav.transferSize, body: nav.decodedBodySize};
}"""


def _cli(env: dict, *args: str) -> str:
    exe = Path(sys.executable).with_name("resilience")
    out = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        sys.exit(f"resilience {' '.join(args)} failed:\n{out.stderr}")
    return out.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="dashboard loads (the first is cold)")
    parser.add_argument("--screenshots", type=Path, help="save a screenshot of the dashboard here")
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        sys.exit(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="resilience-paint-") as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
        env.update(DATABASE_URL=f"sqlite:///{tmp}/bench.db", RESILIENCE_INSTANCE_PATH=tmp,
                   SECRET_KEY="bench-secret-0123456789abcdef", RESILIENCE_ENV="development", SMS_BACKEND="outbox")
        demo = _cli(env, "demo").strip().splitlines()
        print(f"resilience demo: {demo[0] if demo else ''}")
        _cli(env, "users", "create", EMAIL, "--role", "coordinator", "--password", PASSWORD)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        exe = Path(sys.executable).with_name("resilience")
        server = subprocess.Popen([str(exe), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(150):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            else:
                sys.exit("resilience serve did not start")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1366, "height": 768})
                page.goto(base + "/login")
                page.fill("#email", EMAIL)
                page.fill("#password", PASSWORD)
                page.click("main button[type=submit]")
                page.wait_for_url("**/events")
                dashboard = base + page.get_attribute("main table a", "href")
                households = None
                rows = []
                for run in range(args.runs):
                    t0 = time.perf_counter()
                    page.goto(dashboard, wait_until="load")
                    page.wait_for_function("document.getElementById('map-status').hidden")
                    drawn_ms = (time.perf_counter() - t0) * 1000
                    timing = page.evaluate(TIMING_JS)
                    households = page.evaluate("document.querySelectorAll('.leaflet-overlay-pane canvas').length")
                    timing["map_drawn"] = drawn_ms
                    rows.append(timing)
                    print(f"load {run + 1} ({'cold' if run == 0 else 'warm'}): first paint {timing['fp']:.0f} ms, "
                          f"first contentful paint {timing['fcp']:.0f} ms, HTML response end {timing['response_end']:.0f} ms, "
                          f"DOMContentLoaded {timing['dcl']:.0f} ms, load {timing['load']:.0f} ms, "
                          f"map drawn {drawn_ms:.0f} ms (wall), HTML {timing['body']} bytes")
                wire = page.evaluate("""() => { const e = performance.getEntriesByType('resource')
                    .filter(r => r.name.includes('map.json'))[0]; return e ? e.encodedBodySize : null; }""")
                map_json = page.evaluate("""async (u) => { const t = performance.now(); const r = await fetch(u);
                    const b = await r.text(); return {ms: performance.now() - t, bytes: b.length,
                    households: JSON.parse(b).households.length, encoding: r.headers.get('content-encoding')}; }""",
                                         page.get_attribute("#map", "data-src"))
                if args.screenshots:
                    args.screenshots.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(args.screenshots / "dashboard_demo.png"))
                # The matching page with the whole demo proposal (the largest page).
                page.goto(dashboard + "/match")
                t0 = time.perf_counter()
                page.click("button:has-text('Jalankan pencocokan')", timeout=180_000)  # first use imports the solver
                page.wait_for_selector("#proposal")
                match_wall = (time.perf_counter() - t0) * 1000
                match_rows = []
                for _ in range(3):
                    page.reload(wait_until="load")
                    page.wait_for_selector("#match-map path.leaflet-interactive")
                    match_rows.append(page.evaluate(TIMING_JS))
                proposal = page.locator("#proposal tbody tr").count()
                if args.screenshots:
                    page.screenshot(path=str(args.screenshots / "match_demo.png"))
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)

    def med(key):
        return statistics.median(r[key] for r in rows)

    print(f"map.json: {map_json['households']} households, {map_json['bytes']} bytes of JSON, {wire} bytes on the wire "
          f"(content-encoding {map_json['encoding'] or 'none'}), fetched in {map_json['ms']:.0f} ms; canvas layers {households}")
    print(f"median of {len(rows)} loads: first paint {med('fp'):.0f} ms, first contentful paint {med('fcp'):.0f} ms, "
          f"DOMContentLoaded {med('dcl'):.0f} ms, load {med('load'):.0f} ms, map drawn {med('map_drawn'):.0f} ms")
    print(f"matching page: {proposal} proposed tasks, match run and page {match_wall:.0f} ms (wall); reloads: "
          f"first contentful paint {statistics.median(r['fcp'] for r in match_rows):.0f} ms, "
          f"load {statistics.median(r['load'] for r in match_rows):.0f} ms (medians of {len(match_rows)}), "
          f"HTML {match_rows[0]['body']} bytes")
    print(f"cold load: first contentful paint {rows[0]['fcp']:.0f} ms; target < 1000 ms: "
          f"{'met' if max(r['fcp'] for r in rows) < 1000 else 'NOT met'}")


if __name__ == "__main__":
    main()
