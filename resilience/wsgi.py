"""WSGI entry for gunicorn: ``gunicorn resilience.wsgi:app``."""

from resilience.app import create_app

app = create_app()
