# kpops-bot container: slim Python, non-root, the database on a volume, a real health check.
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/var/lib/kpops-bot/kpops.sqlite3

RUN useradd --create-home --uid 10001 kpops \
    && mkdir -p /var/lib/kpops-bot \
    && chown kpops:kpops /var/lib/kpops-bot

WORKDIR /app
# Only what the bot needs at run time; secrets come from the environment (--env-file), never the image.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
COPY data/*.toml ./data/
# Editable, so the curated content in /app/data sits beside the code as in a checkout.
RUN pip install -e .

USER kpops
VOLUME ["/var/lib/kpops-bot"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 CMD ["python", "-m", "bot", "health"]
CMD ["python", "-m", "bot"]
