FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    MINYI_HOST=0.0.0.0 MINYI_PORT=8080 MINYI_DATABASE_URL=sqlite:///data/minyi.db MINYI_MEDIA_DIR=/data/media

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY dialogs ./dialogs
COPY storage ./storage
COPY notifier ./notifier
COPY admin_cli ./admin_cli
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 minyi \
    && mkdir -p /data && chown minyi /data

USER minyi
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2).status != 200)"
CMD ["minyi", "serve"]
