# Concord's production image: gunicorn serves the web app; the same image runs
# the Celery worker and the beat scheduler (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

# WeasyPrint (board-ready PDFs) needs Pango and HarfBuzz, and a font to draw with.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 concord \
    && useradd --system --uid 10001 --gid concord --home-dir /app --shell /usr/sbin/nologin concord

WORKDIR /app

# Exact versions from the production lock file (the app's dependencies only, no
# test tools), installed before the code so that this layer is reused when only
# the code changes.
COPY requirements-production.lock ./
RUN pip install -r requirements-production.lock

# The code stays owned by root: the app user writes only under var/ (uploads,
# the scheduler's state).
COPY . .

# Static files are collected into the image (WhiteNoise serves them). The
# production settings insist on a secret key even for this step; this one is
# thrown away with the build step and never used at run time.
RUN SECRET_KEY="collectstatic-only-$(python -c 'import secrets; print(secrets.token_hex(32))')" \
    ALLOWED_HOSTS=localhost SITE_URL=https://localhost \
    python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p var/media var/beat \
    && chown -R concord:concord var

USER concord
EXPOSE 8000

# Each worker is replaced after about 1,000 requests (the jitter staggers them),
# so that memory stays under 300 MB per worker; heavy PDFs run in the Celery worker.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", \
     "--access-logfile", "-", "--timeout", "60", "--max-requests", "1000", "--max-requests-jitter", "100"]
