"""Entry module for Celery processes: ``celery -A workers worker`` and ``celery -A workers beat``.

Building the Flask app here is the point of this module (it is the worker's ``wsgi.py``);
nothing else in the project builds an app at import time.
"""

from resilience.app import create_app

flask_app = create_app()
celery = app = flask_app.extensions["celery"]
