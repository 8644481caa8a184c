# wqmon service image: `docker compose up` runs it with InfluxDB (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY models ./models
COPY store ./store
COPY ingest ./ingest
COPY service ./service
COPY config ./config
RUN pip install . \
    && useradd --system --home-dir /var/lib/wqmon --create-home wqmon \
    && install -d -o wqmon -g wqmon /var/lib/wqmon/data  # a named volume takes this owner

# The shipped configuration (sites, zones, standards); mount a bureau's own over it or point
# WQMON_CONFIG_DIR elsewhere. Relative data paths (data/wqmon.duckdb, data/influx-spool.sqlite)
# land in /var/lib/wqmon, which docker-compose.yml keeps on a volume.
ENV WQMON_CONFIG_DIR=/app/config
WORKDIR /var/lib/wqmon
USER wqmon

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["wqmon", "serve", "--host", "0.0.0.0", "--port", "8000"]
