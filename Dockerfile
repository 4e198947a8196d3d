# One image for every habitcore program: `habit`, `habit-telegram` and `habit-api`, with the
# telegram, api and postgres extras. Build: docker build -t habitcore . (docs/deploy.md).
# Everything is installed here, from this source tree; nothing is fetched when it runs.

FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /opt/habitcore \
    && /opt/habitcore/bin/pip install ".[telegram,api,postgres]"

FROM python:3.12-slim
# tzdata: the system's zone files too (the package also ships Python's tzdata), so TZ works.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 --user-group habitcore \
    && mkdir /data \
    && chown habitcore:habitcore /data
COPY --from=build /opt/habitcore /opt/habitcore
# HABITCORE_DATABASE_URL: where every program keeps its data. The default is a SQLite file in
# the /data volume (one container, no server); compose.yaml points it at PostgreSQL instead.
ENV PATH=/opt/habitcore/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TZ=UTC \
    HABITCORE_DATABASE_URL=sqlite:////data/habits.db
VOLUME /data
USER habitcore
WORKDIR /home/habitcore
EXPOSE 8000
# habit-api's /healthz, with the standard library alone (no curl in the image). The bot's
# service in compose.yaml replaces it with `habit db current`.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; r.urlopen('http://127.0.0.1:' + os.environ.get('HABITCORE_API_PORT', '8000') + '/healthz', timeout=8)"]
CMD ["habit-api", "--host", "0.0.0.0"]
