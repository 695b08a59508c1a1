FROM python:3.11-slim-bookworm
# postgresql-client (15 on bookworm, as the postgis:15 server): pg_dump/pg_restore for backups
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-mod-spatialite postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY setup.py pyproject.toml README.md ./
COPY resilience resilience
COPY workers workers
COPY migrations migrations
COPY config config
# The matching engine's solver is a C extension (resilience/matching/_native.c): the compiler
# is installed for this step only. The check runs outside /app so that it imports the
# installed package, not the source tree.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && pip install --no-cache-dir ".[gammu]" \
    && apt-get purge -y --auto-remove gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/* \
    && cd / && python -c "from resilience.matching.engine import native_available; assert native_available()"
USER nobody
EXPOSE 8000
