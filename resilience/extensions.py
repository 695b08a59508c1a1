"""Extension objects, unbound: create_app() binds them (no circular imports, nothing at import).

The flask-smorest Api is made per app in create_app(): its OpenAPI spec is per-app state."""

from celery import Celery
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from resilience.core.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
celery = Celery("resilience")
