"""The local platform experiments act on: found the way `shopctl` finds it (harness/platform.yaml upwards from
the working directory, `SHOP_STATE_DIR` or `.shop/` for its run state), so every action and probe of one run
talks to the same processes the runner started."""

from __future__ import annotations

import os
from dataclasses import dataclass

import httpx
from shop_invariants import Endpoints
from shopctl.state import RunState, read_state
from shopctl.workspace import Workspace, find_platform_file


class ChaosError(Exception):
    """An action or probe that cannot be carried out; the message says what and why."""


@dataclass(frozen=True)
class LocalPlatform:
    workspace: Workspace

    @classmethod
    def current(cls) -> LocalPlatform:
        return cls(Workspace.open(find_platform_file(None, os.environ), None))

    def component_names(self) -> list[str]:
        return list(self.workspace.platform.components)

    def state(self) -> RunState:
        state = read_state(self.workspace.state_path)
        if state is None or not state.supervisor_alive():
            raise ChaosError(f"no platform is running with state in {self.workspace.state_dir}")
        return state

    def port(self, component: str, name: str = "http") -> int:
        entry = self.state().components.get(component)
        if entry is None or name not in entry.ports:
            raise ChaosError(f"{component}.{name} is not a port of the running platform")
        return entry.ports[name]

    def url(self, component: str, name: str = "http") -> str:
        return f"http://127.0.0.1:{self.port(component, name)}"

    def endpoints(self) -> Endpoints:
        ports = {name: dict(entry.ports) for name, entry in self.state().components.items()}
        return Endpoints.local(ports, state_dir=self.workspace.state_dir)


def dead_letter_counts() -> dict[str, int]:
    """Messages in each dead-letter queue of the local Service Bus emulator, by its admin API."""
    answer = httpx.get(f"{LocalPlatform.current().url('servicebus')}/entities", timeout=10)
    return {
        f"{e['path']}/$DeadLetterQueue": int(e["counts"]["dead_lettered"])
        for e in answer.json()["entities"]
        if "dead_lettered" in e.get("counts", {})
    }
