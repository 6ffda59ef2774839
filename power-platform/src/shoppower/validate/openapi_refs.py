"""Local ``$ref`` resolution check for OpenAPI/Swagger documents."""

from __future__ import annotations

from typing import Any


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def resolves(document: Any, ref: str) -> bool:
    if not ref.startswith("#/"):
        return False
    node = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def unresolved_refs(document: Any) -> list[str]:
    """Every ``$ref`` in ``document`` that does not point inside it, in document order, once each."""
    return list(dict.fromkeys(ref for ref in _refs(document) if not resolves(document, ref)))
