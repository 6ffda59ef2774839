"""What a test sees of a platform it launched, whichever runtime runs it (processes or containers)."""

from __future__ import annotations

from pathlib import Path

from shopctl.emulator_accounts import azurite_connection_string
from shopctl.resolve import ResolvedComponent


class LaunchedPlatform:
    def __init__(self, components: list[ResolvedComponent], state_dir: Path) -> None:
        self._by_name = {c.name: c for c in components}
        self.state_dir = state_dir

    def component(self, name: str) -> ResolvedComponent:
        return self._by_name[name]

    def port(self, name: str, port_name: str | None = None) -> int:
        ports = self._by_name[name].ports
        return ports[port_name] if port_name else next(iter(ports.values()))

    def url(self, name: str, url_name: str | None = None) -> str:
        urls = self._by_name[name].urls
        return urls[url_name] if url_name else next(iter(urls.values()))

    def env(self, name: str) -> dict[str, str]:
        """The environment the platform gives this component (its settings for local dependencies)."""
        return dict(self._by_name[name].env)

    def azurite_connection_string(self, *services: str) -> str:
        """A connection string for this platform's Azurite with the named services (blob, queue, table)."""
        return azurite_connection_string(**{service: self.url("azurite", service) for service in services})
