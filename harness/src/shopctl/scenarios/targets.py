"""Where the shop is: the running local platform, or an env file naming a deployed environment.

`local` reads the run state `shopctl up` keeps (`.shop/run/state.json`: the ports each component got)
and mints an admin token with the development signing key of harness/platform.yaml. An env file
(`KEY=VALUE` lines, `#` comments) names base URLs and the variable holding the admin bearer token:

    NAME=staging
    PRODUCT_URL=https://product.staging.contoso-shop.example
    ORDER_URL=https://order.staging.contoso-shop.example
    PAYMENT_URL=https://payment.staging.contoso-shop.example
    NOTIFICATION_URL=...        # optional: the status history comes from its log
    MAILBOX_URL=...             # optional: email/SMS expectations need it (a mail sink, not ACS)
    SERVICEBUS_ADMIN_URL=...    # optional: fault steps need the emulator's admin API
    EVENTHUBS_ADMIN_URL=...
    ADMIN_TOKEN_VAR=STAGING_ADMIN_TOKEN   # the environment variable holding the bearer token

Everything that can be wrong with a target fails before a scenario sends anything, naming it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from servicekit.auth import AuthMode, mint_dev_token

from shopctl.errors import ShopError
from shopctl.state import RunState

SERVICES = ("product", "order", "payment", "notification", "mailbox", "servicebus-admin", "eventhubs-admin")
REQUIRED = ("product", "order", "payment")
# platform.yaml component (with an `http` port) behind each service of a target.
LOCAL_COMPONENTS = {
    "product": "product",
    "order": "order",
    "payment": "payment",
    "notification": "notification",
    "mailbox": "mailbox",
    "servicebus-admin": "servicebus",
    "eventhubs-admin": "eventhubs",
}
_ENV_KEYS = {f"{service.upper().replace('-', '_')}_URL": service for service in SERVICES}
_OTHER_KEYS = ("NAME", "ADMIN_TOKEN_VAR")


class TargetError(ShopError):
    """A target that cannot be used: unknown, malformed, unreachable, or without a token it needs."""


@dataclass(frozen=True)
class Target:
    name: str
    urls: dict[str, str]
    admin_token: str | None = field(default=None, repr=False)
    token_source: str = "none"
    local: RunState | None = None

    @property
    def is_local(self) -> bool:
        return self.local is not None

    def has(self, service: str) -> bool:
        return service in self.urls

    def url(self, service: str) -> str:
        if service not in self.urls:
            raise TargetError(f"target {self.name} has no {service} URL")
        return self.urls[service]

    def pid_of(self, component: str) -> int | None:
        if self.local is None or component not in self.local.components:
            return None
        return self.local.components[component].pid


@dataclass(frozen=True)
class _Secret:
    value: str

    def get_secret_value(self) -> str:
        return self.value


@dataclass(frozen=True)
class DevAuth:
    """The fields `servicekit.auth.mint_dev_token` reads (the product service's dev-mode settings)."""

    auth_dev_signing_key: _Secret | None
    auth_audience: str = "api://contoso-shop-product"
    auth_dev_issuer: str = "contoso-shop-dev"
    auth_mode: AuthMode = AuthMode.DEV
    auth_entra_tenant_id: str | None = None
    auth_entra_jwks_url: str | None = None


def local_target(state: RunState, host: str, product_env: Mapping[str, str]) -> Target:
    urls = {}
    for service, component in LOCAL_COMPONENTS.items():
        entry = state.components.get(component)
        if entry is not None and "http" in entry.ports:
            urls[service] = f"http://{host}:{entry.ports['http']}"
    return Target("local", urls, *_local_token(product_env), local=state)


def _local_token(env: Mapping[str, str]) -> tuple[str | None, str]:
    key = env.get("PRODUCT_AUTH_DEV_SIGNING_KEY")
    if not key or env.get("PRODUCT_AUTH_MODE", "entra") != "dev":
        return None, "none (the platform's product service is not in dev auth mode)"
    auth = DevAuth(
        _Secret(key),
        auth_audience=env.get("PRODUCT_AUTH_AUDIENCE", "api://contoso-shop-product"),
        auth_dev_issuer=env.get("PRODUCT_AUTH_DEV_ISSUER", "contoso-shop-dev"),
    )
    role = env.get("PRODUCT_AUTH_ADMIN_ROLE", "Catalog.Admin")
    token = mint_dev_token(auth, "shopctl-scenarios", [role], lifetime_seconds=6 * 3600)
    return token, "minted with the platform's development signing key"


def env_file_target(path: Path, environ: Mapping[str, str] = os.environ) -> Target:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise TargetError(f"target file {path}: {exc.strerror}") from exc
    values: dict[str, str] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.split(" #", 1)[0].strip().strip("'\"")
        if not sep:
            raise TargetError(f"{path}:{number}: expected KEY=VALUE, got {line!r}")
        if key not in _ENV_KEYS and key not in _OTHER_KEYS:
            known = ", ".join([*_ENV_KEYS, *_OTHER_KEYS])
            raise TargetError(f"{path}:{number}: unknown key {key!r} (known: {known})")
        if key in _ENV_KEYS and value and not value.startswith(("http://", "https://")):
            raise TargetError(f"{path}:{number}: {key} must be an http(s) URL, got {value!r}")
        values[key] = value
    missing = [f"{service.upper()}_URL" for service in REQUIRED if not values.get(f"{service.upper()}_URL")]
    if missing:
        raise TargetError(f"{path}: missing {', '.join(missing)}")
    urls = {service: values[key].rstrip("/") for key, service in _ENV_KEYS.items() if values.get(key)}
    token_var = values.get("ADMIN_TOKEN_VAR")
    token = None
    source = "none (the file names no ADMIN_TOKEN_VAR)"
    if token_var:
        token = environ.get(token_var)
        if not token:
            raise TargetError(
                f"{path}: ADMIN_TOKEN_VAR names {token_var}, which is not set in the environment"
            )
        source = f"${token_var}"
    return Target(values.get("NAME") or path.stem, urls, token, source)


async def check_reachable(target: Target, services: Iterable[str], seconds: float = 5.0) -> None:
    """GET /health of each service; the first that does not answer below 500 fails the run, named."""
    wanted = sorted(set(services))

    async def probe(client: httpx.AsyncClient, service: str) -> str | None:
        url = f"{target.url(service)}/health"
        try:
            response = await client.get(url)
        except httpx.HTTPError as exc:
            return f"{service} ({url}) is unreachable: {type(exc).__name__} {exc}".rstrip()
        if response.status_code >= 500:
            return f"{service} ({url}) answers {response.status_code}"
        return None

    async with httpx.AsyncClient(timeout=seconds, trust_env=not target.is_local) as client:
        problems = [p for p in await asyncio.gather(*(probe(client, s) for s in wanted)) if p]
    if problems:
        raise TargetError(f"target {target.name}: " + "; ".join(problems))
