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

# Only what the bot needs at run time; secrets come from the environment (--env-file), never the image.
COPY pyproject.toml setup.py README.md /tmp/src/
COPY bot /tmp/src/bot
COPY cogs /tmp/src/cogs
COPY data /tmp/src/data
# A plain install: the curated content ships inside the package (bot/data), no sources kept.
RUN pip install /tmp/src && rm -rf /tmp/src

USER kpops
# The volume is also the working directory: an installed bot's default database lives there, so
# an empty DATABASE_PATH= in an --env-file still keeps the database on the volume.
WORKDIR /var/lib/kpops-bot
VOLUME ["/var/lib/kpops-bot"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 CMD ["python", "-m", "bot", "health"]
CMD ["python", "-m", "bot"]
