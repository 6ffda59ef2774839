# syntax=docker/dockerfile:1
# Example: a multi-stage image for a Python service (the product service).
# Demonstrates: a build stage that installs exactly the locked dependencies with uv into a virtual
# environment, a slim runtime stage that gets only that environment (no compiler, no uv, no sources),
# an unprivileged user, a HEALTHCHECK on /health, and the console script as ENTRYPOINT so it receives
# the container's signals.
# The full version, one file for every Python service (chosen by --build-arg SERVICE), lives in
# services/python-service.Dockerfile (docs/images.md). examples/tests keep the base images, stage names,
# user, port and health path here equal to it.
# Build from the repository root (the uv workspace and its lock file live there):
#   docker build -f examples/docker/multi-stage.Dockerfile -t contoso-shop/product .
# Check: .venv/bin/pytest examples/tests/test_dockerfile.py

# --- uv: the official image, used only to copy the uv binary (pinned: the version `make` installs) -------
FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

# --- base: the Python runtime both stages below share -------------------------------------------------------
FROM python:3.11.11-slim-bookworm AS base
ENV PYTHONUNBUFFERED=1

# --- build: the locked dependencies, then the service, into /opt/venv ----------------------------------
FROM base AS build
COPY --from=uv /uv /usr/local/bin/uv
# Compile bytecode now (the runtime's root filesystem is read-only); copy rather than hard-link files out of
# uv's cache, and keep no cache in the layer.
ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never
WORKDIR /src
COPY pyproject.toml uv.lock ./
# Third-party dependencies first, from the lock file alone: this layer is reused until the lock changes.
RUN uv sync --frozen --no-dev --no-install-workspace --package product-service
COPY libs/servicekit libs/servicekit
COPY services/product services/product
# Then the service and its shared library, installed (not linked to /src, which the runtime does not get).
RUN uv sync --frozen --no-dev --no-editable --package product-service

# --- runtime: the virtual environment and nothing else, run by user 10001 --------------------------------
FROM base AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PRODUCT_HOST=0.0.0.0 \
    PRODUCT_PORT=8001
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# A numeric user, so Kubernetes can verify runAsNonRoot without looking the name up.
USER 10001:10001
EXPOSE 8001
# Liveness only: /health answers while the process serves (/ready, which checks dependencies, is for
# traffic). The slim image has no curl, so Python's standard library does the request.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['PRODUCT_PORT'] + '/health', timeout=2)"]
# Exec form and no shell: the service is the container's first process and gets SIGTERM itself.
ENTRYPOINT ["product-service"]
