"""`uses`: components started together with a component, without waiting for them to be ready."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from shopctl.platform import Platform


def platform(**web: Any) -> Platform:
    return Platform.model_validate(
        {
            "version": 1,
            "components": {
                "db": {"command": ["db"], "ports": {"main": 7000}, "health": {"tcp": ["main"]}},
                "api": {
                    "command": ["api"],
                    "ports": {"http": 8000},
                    "health": {"tcp": ["http"]},
                    "depends_on": ["db"],
                },
                "web": {"command": ["web"], "ports": {"http": 8080}, "health": {"tcp": ["http"]}, **web},
            },
        }
    )


def test_a_used_component_is_started_with_the_one_that_uses_it() -> None:
    assert platform(uses=["api"]).with_dependencies(["web"]) == ["db", "api", "web"]


def test_uses_naming_an_unknown_component_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"components\.web\.uses: unknown component 'nope'"):
        platform(uses=["nope"])
