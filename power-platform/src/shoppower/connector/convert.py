"""OpenAPI 3.1 operations → a Swagger 2.0 definition in the dialect custom connectors accept.

Only what the connector uses is carried over: the chosen operations, their path/query/header parameters,
their JSON request body and JSON 2xx responses, and the component schemas those reach (renamed
``<Service><Schema>`` so that the services' schemas cannot collide). JSON Schema 2020-12 constructs that
Swagger 2.0 lacks become their nearest 2.0 form (``["T","null"]`` and ``anyOf [T, null]`` → ``T`` with
``x-nullable``, ``const`` → a one-value ``enum``); other unions become an untyped schema.
"""

from __future__ import annotations

import copy
from typing import Any

_DROPPED = {"examples", "contentMediaType", "contentEncoding", "$schema", "$id", "$comment", "discriminator"}
_SCHEMA_PREFIX = "#/components/schemas/"


def definition_name(service: str, schema: str) -> str:
    return service.capitalize() + schema[0].upper() + schema[1:]


def _is_null(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null"


def to_swagger_schema(schema: Any, service: str, used: set[str]) -> Any:
    """A Swagger 2.0 schema for ``schema``; ``used`` collects the component names it references."""
    if isinstance(schema, list):
        return [to_swagger_schema(item, service, used) for item in schema]
    if not isinstance(schema, dict):
        return schema
    node = {key: value for key, value in schema.items() if key not in _DROPPED}
    if isinstance(node.get("$ref"), str) and node["$ref"].startswith(_SCHEMA_PREFIX):
        name = node["$ref"][len(_SCHEMA_PREFIX) :]
        used.add(name)
        return {"$ref": f"#/definitions/{definition_name(service, name)}"}
    for union in ("anyOf", "oneOf"):
        if union in node:
            options = [o for o in node.pop(union) if not _is_null(o)]
            nullable = len(options) < len(schema[union])
            if len(options) == 1:
                merged = to_swagger_schema(options[0], service, used)
                if "$ref" in merged:
                    node = {**{k: v for k, v in node.items() if k == "description"}, **merged}
                else:
                    node = {**node, **merged}
            if nullable and "$ref" not in node:
                node["x-nullable"] = True
    if isinstance(node.get("type"), list):
        types = [t for t in node["type"] if t != "null"]
        if len(types) < len(node["type"]):
            node["x-nullable"] = True
        if len(types) == 1:
            node["type"] = types[0]
        else:
            node.pop("type")
    if "const" in node:
        node["enum"] = [node.pop("const")]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(node.get(bound), int | float) and not isinstance(node.get(bound), bool):
            node[plain] = node[bound]
            node[bound] = True
    if "enum" in node:
        node["enum"] = [value for value in node["enum"] if value is not None]
    for key in ("properties", "patternProperties"):
        if key in node:
            node[key] = {name: to_swagger_schema(sub, service, used) for name, sub in node[key].items()}
    for key in ("items", "additionalProperties", "not"):
        if isinstance(node.get(key), dict):
            node[key] = to_swagger_schema(node[key], service, used)
    if "allOf" in node:
        node["allOf"] = [to_swagger_schema(sub, service, used) for sub in node["allOf"]]
    if "prefixItems" in node:
        node.pop("prefixItems")
    return node


def _parameter(parameter: dict[str, Any], service: str, used: set[str]) -> dict[str, Any]:
    schema = to_swagger_schema(parameter.get("schema", {"type": "string"}), service, used)
    result: dict[str, Any] = {"name": parameter["name"], "in": parameter["in"]}
    if parameter.get("description"):
        result["description"] = parameter["description"]
    result["required"] = bool(parameter.get("required", parameter["in"] == "path"))
    result["type"] = schema.get("type", "string")
    for key in ("format", "enum", "pattern", "minimum", "maximum", "minLength", "maxLength", "default"):
        if key in schema:
            result[key] = schema[key]
    if result["type"] == "array":
        result["items"] = schema.get("items", {"type": "string"})
    return result


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def to_swagger_operation(
    document: dict[str, Any],
    service: str,
    method: str,
    path: str,
    operation_id: str,
    summary: str,
    used: set[str],
) -> dict[str, Any]:
    source = document["paths"][path][method]
    parameters = [
        _parameter(_resolve(document, p), service, used)
        for p in [*document["paths"][path].get("parameters", []), *source.get("parameters", [])]
        if _resolve(document, p)["in"] in ("path", "query", "header")
    ]
    body = source.get("requestBody")
    if body is not None:
        body = _resolve(document, body)
        media = body.get("content", {}).get("application/json")
        if media is not None:
            parameters.append(
                {
                    "name": "body",
                    "in": "body",
                    "required": bool(body.get("required", False)),
                    "schema": to_swagger_schema(media.get("schema", {}), service, used),
                }
            )
    responses: dict[str, Any] = {}
    for code, response in source.get("responses", {}).items():
        if not str(code).startswith("2"):
            continue
        response = _resolve(document, response)
        entry: dict[str, Any] = {"description": response.get("description") or "OK"}
        media = response.get("content", {}).get("application/json")
        if media is not None and media.get("schema"):
            entry["schema"] = to_swagger_schema(media["schema"], service, used)
        responses[str(code)] = entry
    responses["default"] = {"description": "Problem details (application/problem+json)"}
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "description": source.get("description") or source.get("summary") or summary,
        "tags": [service],
        "parameters": parameters,
        "responses": responses,
    }
    return operation


def reachable_definitions(document: dict[str, Any], service: str, names: set[str]) -> dict[str, Any]:
    """Every component schema reachable from ``names``, converted, under its connector name."""
    definitions: dict[str, Any] = {}
    pending = sorted(names)
    while pending:
        name = pending.pop()
        key = definition_name(service, name)
        if key in definitions:
            continue
        found: set[str] = set()
        definitions[key] = to_swagger_schema(
            copy.deepcopy(document["components"]["schemas"][name]), service, found
        )
        pending.extend(sorted(found - {n for n in found if definition_name(service, n) in definitions}))
    return definitions
