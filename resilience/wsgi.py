"""WSGI entry for gunicorn: ``gunicorn resilience.wsgi:app``."""

import logging

from resilience.app import create_app, freeze_loaded_objects
from resilience.core import logging as safe_logging
from resilience.core.settings import Settings

settings = Settings.from_env()
safe_logging.configure(settings.log_format, logging.INFO)
app = create_app(settings)
freeze_loaded_objects()
