"""YAML loading with the libyaml parser when present (the pure-Python one is ten times slower)."""

from __future__ import annotations

from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    # _Loader is a SafeLoader (C or Python) (B506).
    return yaml.load(text, Loader=_Loader)  # nosec B506
