FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-mod-spatialite \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY resilience resilience
COPY workers workers
COPY migrations migrations
COPY config config
RUN pip install --no-cache-dir .
USER nobody
EXPOSE 8000
