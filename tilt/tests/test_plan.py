"""`python -m shoptilt` (make tilt-plan): the declarations as a table, the Tiltfile's refusal as exit 1."""

from __future__ import annotations

import subprocess
import sys
from typing import Any


def _plan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shoptilt", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_plan_lists_every_component_with_its_dependencies(platform: dict[str, Any]) -> None:
    result = _plan("--mode=process")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    for name, component in platform["components"].items():
        assert name in rows
        assert ", ".join(component.get("depends_on", [])) in rows[name]


def test_plan_of_an_unknown_mode_fails_listing_the_modes() -> None:
    result = _plan("--mode=compose")
    assert result.returncode == 1
    assert 'unknown mode "compose"; the modes are: cluster, process' in result.stderr
