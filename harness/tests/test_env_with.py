"""`env_with`: environment a component gets only when another component is part of the same run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from shopctl.platform import Platform
from shopctl.resolve import resolve_platform

ROOT = Path("/repo")
STATE = Path("/repo/.shop")


def platform(**api: Any) -> Platform:
    return Platform.model_validate(
        {
            "version": 1,
            "components": {
                "collector": {
                    "command": ["collector", "--port", "{ports.http}"],
                    "ports": {"http": 4318},
                    "health": {"tcp": ["http"]},
                    "group": "monitoring",
                },
                "api": {
                    "command": ["api"],
                    "ports": {"http": 8000},
                    "health": {"tcp": ["http"]},
                    "env": {"API_NAME": "api"},
                    "env_with": {"collector": {"EXPORT_TO": "http://{host}:{collector.ports.http}"}},
                    **api,
                },
            },
        }
    )


def test_env_with_is_added_when_its_component_runs() -> None:
    resolved = resolve_platform(platform(), ["api", "collector"], root=ROOT, state_dir=STATE)
    api = next(component for component in resolved if component.name == "api")
    assert api.env == {"API_NAME": "api", "EXPORT_TO": "http://127.0.0.1:4318"}


def test_env_with_is_left_out_when_its_component_does_not_run() -> None:
    (api,) = resolve_platform(platform(), ["api"], root=ROOT, state_dir=STATE)
    assert api.env == {"API_NAME": "api"}


def test_env_with_follows_the_ports_chosen_for_the_run() -> None:
    resolved = resolve_platform(platform(), ["api", "collector"], root=ROOT, state_dir=STATE, free_ports=True)
    collector, api = (next(c for c in resolved if c.name == name) for name in ("collector", "api"))
    assert api.env["EXPORT_TO"] == f"http://127.0.0.1:{collector.ports['http']}"


def test_env_with_naming_an_unknown_component_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"components\.api\.env_with: unknown component 'nope'"):
        platform(env_with={"nope": {"X": "1"}})


def test_env_with_may_not_shadow_env() -> None:
    with pytest.raises(ValidationError, match=r"env_with\.collector: API_NAME is already in env"):
        platform(env_with={"collector": {"API_NAME": "other"}})
