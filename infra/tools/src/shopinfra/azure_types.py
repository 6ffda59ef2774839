"""Azure's resource type definitions in bicep-types format (the files the Bicep compiler type-checks
against), read from the offline snapshot in `../shared/schemas/bicep-types`.

`api-versions.json` lists every version of every resource type; the newest stable one is the newest
without a suffix such as `-preview`. The `types.json` that defines a type@version is found under
`types/*/<provider>/<version>/`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

REQUIRED = 1
READ_ONLY = 2

JsonType = dict[str, Any]


@dataclass(frozen=True)
class TypeRef:
    """One entry of a types.json array; `resolve` follows a `{"$ref": "#/N"}`."""

    table: tuple[JsonType, ...]
    index: int

    @property
    def node(self) -> JsonType:
        return self.table[self.index]

    @property
    def kind(self) -> str:
        return str(self.node["$type"])

    def resolve(self, ref: JsonType) -> TypeRef:
        pointer = str(ref["$ref"])
        if not pointer.startswith("#/"):
            raise ValueError(f"cross-file type reference {pointer} is not supported")
        return TypeRef(self.table, int(pointer[2:]))


class TypeLibrary:
    def __init__(self, root: Path) -> None:
        if not (root / "api-versions.json").is_file():
            raise FileNotFoundError(f"no bicep-types snapshot at {root} (expected api-versions.json)")
        self.root = root
        raw: dict[str, list[str]] = json.loads((root / "api-versions.json").read_text(encoding="utf-8"))
        self.versions = {key.lower(): value for key, value in raw.items()}

    def known_provider(self, type_name: str) -> bool:
        provider = type_name.split("/")[0].lower()
        return any(key.split("/")[0] == provider for key in self.versions)

    def api_versions(self, type_name: str) -> list[str] | None:
        return self.versions.get(type_name.lower())

    def newest_stable(self, type_name: str) -> str | None:
        stable = [v for v in self.api_versions(type_name) or [] if "-" not in v[len("2000-00-00") :]]
        return max(stable) if stable else None

    def resource_body(self, type_name: str, api_version: str) -> TypeRef | None:
        provider = type_name.split("/")[0].lower()
        wanted = f"{type_name}@{api_version}".lower()
        for path in sorted(self.root.glob(f"types/*/{provider}/{api_version}/types.json")):
            table = _load_table(path)
            for index, node in enumerate(table):
                if node["$type"] == "ResourceType" and str(node["name"]).lower() == wanted:
                    return TypeRef(table, index).resolve(node["body"])
        return None


@cache
def _load_table(path: Path) -> tuple[JsonType, ...]:
    return tuple(json.loads(path.read_text(encoding="utf-8")))
