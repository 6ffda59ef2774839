# syntax=docker/dockerfile:1
# The image of each of our Python emulators (servicebus, eventhubs, mailbox), in the Python image pattern
# (docs/images.md): uv → base → build → runtime-common → <EMULATOR>-runtime → runtime. Build from the
# repository root (the uv workspace and its lock file live there), naming the emulator's folder:
#   docker build -f emulators/python-emulator.Dockerfile --build-arg EMULATOR=servicebus -t contoso-shop/servicebus .

# The emulator's folder under emulators/: servicebus, eventhubs or mailbox. Required (the default only stops
# the build with that message, in the stage `missing-runtime`).
ARG EMULATOR=missing

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

# --- base: the Python runtime every stage shares -----------------------------------------------------------
FROM python:3.11.11-slim-bookworm AS base
ENV PYTHONUNBUFFERED=1

# --- build: exactly the locked dependencies, then the workspace packages, into /opt/venv -----------------
FROM base AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never
WORKDIR /src
COPY pyproject.toml uv.lock ./
ARG EMULATOR
# Third-party dependencies first: this layer is reused until the lock changes.
RUN uv sync --frozen --no-dev --no-install-workspace --package "${EMULATOR}-emulator"
# The AMQP core and the shared emulator parts (which log through servicekit), then the emulator itself.
COPY libs/servicekit libs/servicekit
COPY emulators/amqp emulators/amqp
COPY emulators/common emulators/common
COPY emulators/${EMULATOR} emulators/${EMULATOR}
RUN uv sync --frozen --no-dev --no-editable --package "${EMULATOR}-emulator"

# --- runtime-common: the virtual environment, run by the unprivileged user 10001 -------------------------
FROM base AS runtime-common
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app \
    && mkdir /data \
    && chown 10001:10001 /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
USER 10001:10001
# HEALTHCHECK_URL is set by each emulator's stage: its admin HTTP port's /health.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ['HEALTHCHECK_URL'], timeout=2)"]

# --- each emulator's own lines. The arguments (CMD) are what `make up` passes, listening on every address;
# Kubernetes passes its own (k8s/components/emulators). Persistence goes to /data (mount a volume there).
FROM runtime-common AS servicebus-runtime
COPY emulators/servicebus/config/platform.json /app/config/platform.json
ENV HEALTHCHECK_URL=http://127.0.0.1:5300/health
EXPOSE 5672 5300
ENTRYPOINT ["servicebus-emulator"]
CMD ["--config", "/app/config/platform.json", "--host", "0.0.0.0", "--amqp-port", "5672", "--http-port", "5300", "--data-dir", "/data"]

FROM runtime-common AS eventhubs-runtime
COPY emulators/eventhubs/config/platform.json /app/config/platform.json
ENV HEALTHCHECK_URL=http://127.0.0.1:5301/health
EXPOSE 5673 5301
ENTRYPOINT ["eventhubs-emulator"]
CMD ["--config", "/app/config/platform.json", "--host", "0.0.0.0", "--amqp-port", "5673", "--http-port", "5301", "--data-dir", "/data"]

FROM runtime-common AS mailbox-runtime
ENV HEALTHCHECK_URL=http://127.0.0.1:8025/health
EXPOSE 2525 8025
ENTRYPOINT ["mailbox-emulator"]
CMD ["--host", "0.0.0.0", "--smtp-port", "2525", "--http-port", "8025"]

# EMULATOR not given: stop, saying what to pass.
FROM base AS missing-runtime
ARG EMULATOR
RUN test "${EMULATOR}" != missing \
    || { echo "Name the emulator: --build-arg EMULATOR=servicebus (or eventhubs, mailbox)" >&2; exit 1; }

# --- runtime: the image of the emulator named by EMULATOR (the last stage, so the default target) ---------
# checkov:skip=CKV_DOCKER_7: not a base image but a stage of this file (${EMULATOR}-runtime above), which
# checkov reads as an image without a tag
FROM ${EMULATOR}-runtime AS runtime
