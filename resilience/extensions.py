"""Extension objects, unbound: create_app() binds them (no circular imports, nothing at import).

The flask-smorest Api and the Celery app are made per Flask app in create_app(): both hold
per-app state (the OpenAPI spec; broker settings). Celery tasks use ``shared_task``."""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from resilience.core.db import Base

# Responses are serialised after the commit: keep the committed values instead of reloading
# every row in a new transaction.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
