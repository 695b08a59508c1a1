# gunicorn settings for the web process (docker-compose.yml, service "web").
import multiprocessing
import os
import shutil

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = 2
timeout = 60
# No access log: the app writes one line a request itself (resilience.core.requestlog), with
# the request id and without the query string (a query may hold a name or a phone).
accesslog = None
errorlog = "-"
# Only for gunicorn's own wsgi.url_scheme; the app's PROXY_COUNT decides what it trusts.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

if os.environ.get("LOG_FORMAT", "text").strip().lower() == "json":
    # gunicorn's own lines (start, worker timeouts) as JSON too, like the app's.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "resilience.core.logging.JsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                                "stream": "ext://sys.stderr"}},
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False}},
    }


# Prometheus multiprocess mode: with several workers each one writes its counters into files in
# PROMETHEUS_MULTIPROC_DIR, and a scrape answered by any worker adds them all up. Unset, this
# master makes a directory of its own (the workers inherit the variable) and removes it on exit.
_OWN_METRICS_DIR = None
if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _OWN_METRICS_DIR = f"/tmp/resilience-prometheus-{os.getpid()}"
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _OWN_METRICS_DIR


def on_starting(server):
    """Start from an empty directory: a previous run's files would add up with this one's."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, exist_ok=True)


def on_exit(server):
    if _OWN_METRICS_DIR:
        shutil.rmtree(_OWN_METRICS_DIR, ignore_errors=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
