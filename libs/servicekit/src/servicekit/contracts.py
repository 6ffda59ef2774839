"""The message contracts (JSON Schema files in the repository's ``contract-tests/messages``) as one validator
registry.

The schemas stay data, not code: a source checkout finds them by walking up from this file, and an image
copies them in and names the folder in the service's ``<PREFIX>_CONTRACTS_DIR`` setting.

Every consumed message is checked, almost always a valid one: a compiled ``jsonschema-rs`` validator (Rust,
about 100 times cheaper per message) answers "valid" on its own, and only a message it refuses goes through
``jsonschema``, whose errors (path, rule, order) are the answer. Both sides use one format checker, so the
Rust validator accepts no more than ``jsonschema`` does; its ECMA regular expressions are stricter than
Python's (``$`` never matches before a final newline), and whatever it refuses ``jsonschema`` decides.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs
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
        schemas: list[tuple[str, dict[str, Any]]] = []
        for file in sorted(directory.glob("*.schema.json")):
            schema = json.loads(file.read_text(encoding="utf-8"))
            schemas.append((schema["$id"], schema))
        if not schemas:
            raise ValueError(f"no *.schema.json files in {directory}")
        self._registry: Registry[Any] = Registry().with_resources(
            (uri, Resource.from_contents(schema)) for uri, schema in schemas
        )
        self._known = {uri for uri, _ in schemas}
        self._format_checker = FormatChecker()
        self._fast_registry = jsonschema_rs.Registry(schemas)
        names = _format_names(schema for _, schema in schemas)
        self._formats = {name: self._format_rule(name) for name in names}
        self._validators: dict[str, tuple[jsonschema_rs.Validator, Draft202012Validator]] = {}

    def knows(self, message_type: str, version: int) -> bool:
        return f"{_BASE}{message_type}.v{version}.schema.json" in self._known

    def violations(self, message: dict[str, Any], message_type: str, version: int) -> list[Violation]:
        fast, detailed = self._validators_for(f"{_BASE}{message_type}.v{version}.schema.json")
        try:
            if fast.is_valid(message):
                return []
        except ValueError:
            pass  # a value Rust cannot take in (bytes, a set: never from json.loads): jsonschema decides
        return [
            Violation("/" + "/".join(str(part) for part in error.absolute_path), str(error.validator))
            for error in sorted(detailed.iter_errors(message), key=lambda e: list(map(str, e.absolute_path)))
        ]

    def _validators_for(self, uri: str) -> tuple[jsonschema_rs.Validator, Draft202012Validator]:
        pair = self._validators.get(uri)
        if pair is None:
            schema = self._registry.contents(uri)
            fast = jsonschema_rs.validator_for(
                schema,
                registry=self._fast_registry,
                validate_formats=True,
                formats=self._formats,
                offline=True,
            )
            detailed = Draft202012Validator(
                schema, registry=self._registry, format_checker=self._format_checker
            )
            pair = self._validators[uri] = (fast, detailed)
        return pair

    def _format_rule(self, name: str) -> Callable[[str], bool]:
        # jsonschema's own checker on both sides: the formats it checks depend on what is installed
        # (no rfc3339-validator, no date-time check), and the fast path must accept no more than it does.
        return lambda value: self._format_checker.conforms(value, name)


def _format_names(schemas: Iterable[Any]) -> set[str]:
    names: set[str] = set()
    pending = list(schemas)
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if isinstance(node.get("format"), str):
                names.add(node["format"])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return names


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
