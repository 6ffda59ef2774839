# syntax=docker/dockerfile:1
# The image of every Python service (product, payment, notification, analytics): one pattern, one file
# (docs/images.md).
# Build from the repository root (the uv workspace and its lock file live there), naming the service's folder:
#   docker build -f services/python-service.Dockerfile --build-arg SERVICE=product -t contoso-shop/product .
# Stages: uv → base → build → runtime. `build` installs the workspace package `$SERVICE-service` from
# services/$SERVICE; `runtime` is `runtime-common` (what every service's image has) plus the stage
# `$SERVICE-runtime`: the only lines that differ between the services (settings, ports, entrypoint, and the
# message contracts where the service validates messages).

# The service's folder under services/: product, payment, notification or analytics. Required (the default
# only stops the build with that message, in the stage `missing-runtime`).
ARG SERVICE=missing

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
ARG SERVICE
# Third-party dependencies first: this layer is reused until the lock changes.
RUN uv sync --frozen --no-dev --no-install-workspace --package "${SERVICE}-service"
COPY libs/servicekit libs/servicekit
COPY services/${SERVICE} services/${SERVICE}
# Then the service and the shared library, installed rather than linked: the runtime needs no /src.
RUN uv sync --frozen --no-dev --no-editable --package "${SERVICE}-service"

# --- runtime-common: the virtual environment, run by the unprivileged user 10001 -------------------------
FROM base AS runtime-common
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
USER 10001:10001
# /health on the port of the service's own setting. HEALTHCHECK_PORT_SETTINGS (set by each service below) pairs
# console scripts with their port settings: the first script found in the command line of the container's
# first process (also under `docker run --init`) names the setting, else the first pair does.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; cmdline = open('/proc/1/cmdline', 'rb').read(); pairs = [pair.split(':') for pair in os.environ['HEALTHCHECK_PORT_SETTINGS'].split()]; setting = next((setting for script, setting in pairs if script.encode() in cmdline), pairs[0][1]); urllib.request.urlopen('http://127.0.0.1:' + os.environ[setting] + '/health', timeout=2)"]

# --- each service's own lines. Settings come from the environment (<SERVICE>_*), overridable; the console
# scripts take no arguments (no CMD) and run as the container's first process, so signals reach them.
FROM runtime-common AS product-runtime
ENV PRODUCT_HOST=0.0.0.0 \
    PRODUCT_PORT=8001 \
    HEALTHCHECK_PORT_SETTINGS=product-service:PRODUCT_PORT
EXPOSE 8001
ENTRYPOINT ["product-service"]

# One image, two processes, one per container: the API (the entrypoint) and the worker
# (`docker run --entrypoint payment-worker ...`); the healthcheck probes whichever runs.
FROM runtime-common AS payment-runtime
ENV PAYMENT_HOST=0.0.0.0 \
    PAYMENT_PORT=8003 \
    PAYMENT_WORKER_HOST=0.0.0.0 \
    PAYMENT_WORKER_PORT=8013 \
    PAYMENT_CONTRACTS_DIR=/app/contract-tests/messages \
    PAYMENT_GATEWAY_STATE_PATH=/tmp/payment-gateway.sqlite3 \
    HEALTHCHECK_PORT_SETTINGS="payment-service:PAYMENT_PORT payment-worker:PAYMENT_WORKER_PORT"
COPY contract-tests/messages /app/contract-tests/messages
EXPOSE 8003 8013
ENTRYPOINT ["payment-service"]

# The worker as an image of its own (contoso-shop/payment-worker in harness/platform.yaml): the same build and
# layers, the worker as entrypoint. Built with --build-arg SERVICE=payment --target payment-worker-runtime.
FROM payment-runtime AS payment-worker-runtime
ENTRYPOINT ["payment-worker"]

FROM runtime-common AS notification-runtime
ENV NOTIFICATION_HOST=0.0.0.0 \
    NOTIFICATION_PORT=8004 \
    NOTIFICATION_CONTRACTS_DIR=/app/contract-tests/messages \
    HEALTHCHECK_PORT_SETTINGS=notification-service:NOTIFICATION_PORT
COPY contract-tests/messages /app/contract-tests/messages
EXPOSE 8004
ENTRYPOINT ["notification-service"]

# analytics has no /ready: the orchestrators' readiness is its /health (harness/platform.yaml).
FROM runtime-common AS analytics-runtime
ENV ANALYTICS_HOST=0.0.0.0 \
    ANALYTICS_PORT=8005 \
    ANALYTICS_CONTRACTS_DIR=/app/contract-tests/messages \
    HEALTHCHECK_PORT_SETTINGS=analytics-service:ANALYTICS_PORT
COPY contract-tests/messages /app/contract-tests/messages
EXPOSE 8005
ENTRYPOINT ["analytics-service"]

# SERVICE not given: stop, saying what to pass. (A builder that builds every stage, not only those the target
# needs, passes here when SERVICE is given.)
FROM base AS missing-runtime
ARG SERVICE
RUN test "${SERVICE}" != missing \
    || { echo "Name the service: --build-arg SERVICE=product (or payment, notification, analytics)" >&2; exit 1; }

# --- runtime: the image of the service named by SERVICE (the last stage, so the default target) ----------
# checkov:skip=CKV_DOCKER_7: not a base image but a stage of this file (${SERVICE}-runtime above), which
# checkov reads as an image without a tag
FROM ${SERVICE}-runtime AS runtime
