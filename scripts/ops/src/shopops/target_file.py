"""The `shopctl replay --target` env file of an environment, from environments.yaml (one source of URLs)."""

from __future__ import annotations

from shopops.environments import Environment


def render(environment: Environment, token_variable: str) -> str:
    lines = [f"NAME={environment.name}"]
    # product and order as customers reach them (the ingress); payment and notification have no ingress.
    for service in ("product", "order"):
        lines.append(f"{service.upper()}_URL={environment.public_url}")
    for service in ("payment", "notification"):
        lines.append(f"{service.upper()}_URL={environment.url(service)}")
    lines.append(f"ADMIN_TOKEN_VAR={token_variable}")
    return "\n".join(lines) + "\n"
