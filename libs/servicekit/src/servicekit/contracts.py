"""The message contracts (JSON Schema files in the repository's ``contract-tests/messages``) as one validator
registry.

The schemas stay data, not code: a source checkout finds them by walking up from this file, and an image
copies them in and names the folder in the service's ``<PREFIX>_CONTRACTS_DIR`` setting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

_BASE = "https://schemas.contoso-shop.example/messages/"


@dataclass(frozen=True)
class Violation:
    """Where a message breaks its schema and which rule it breaks; never the offending value, which may
    be a card number."""

    path: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}: {self.rule}"


class Contracts:
    def __init__(self, directory: Path) -> None:
        resources = []
        for file in sorted(directory.glob("*.schema.json")):
            schema = json.loads(file.read_text(encoding="utf-8"))
            resources.append((schema["$id"], Resource.from_contents(schema)))
        if not resources:
            raise ValueError(f"no *.schema.json files in {directory}")
        self._registry: Registry[Any] = Registry().with_resources(resources)
        self._known = {uri for uri, _ in resources}

    def knows(self, message_type: str, version: int) -> bool:
        return f"{_BASE}{message_type}.v{version}.schema.json" in self._known

    def violations(self, message: dict[str, Any], message_type: str, version: int) -> list[Violation]:
        schema = self._registry.contents(f"{_BASE}{message_type}.v{version}.schema.json")
        validator = Draft202012Validator(schema, registry=self._registry, format_checker=FormatChecker())
        return [
            Violation("/" + "/".join(str(part) for part in error.absolute_path), str(error.validator))
            for error in sorted(validator.iter_errors(message), key=lambda e: list(map(str, e.absolute_path)))
        ]


def find_contracts_dir(start: Path) -> Path | None:
    """The repo's ``contract-tests/messages``, looked for upwards from ``start`` (a source checkout)."""
    for parent in start.resolve().parents:
        candidate = parent / "contract-tests" / "messages"
        if candidate.is_dir():
            return candidate
    return None


def default_contracts_dir() -> Path:
    """The checkout's schemas when running from source; ``contract-tests/messages`` of the working directory
    otherwise (an installed package has no checkout above it)."""
    return find_contracts_dir(Path(__file__)) or Path("contract-tests/messages")


def check_contracts_dir(directory: Path, setting: str) -> None:
    """Raises ValueError naming ``setting`` when ``directory`` does not hold the message schemas."""
    if not (directory / "envelope.schema.json").is_file():
        raise ValueError(f"{setting}={directory} holds no message schemas")
