"""Building blocks for the OpenAPI 3.1 documents the services write by hand (aiohttp and Flask have no
schema of their own): references, responses, and the components every service's ops endpoints share
(RFC 9457 problem details and the health answers of ``servicekit.health``)."""

from __future__ import annotations

from typing import Any

PROBLEM_MEDIA_TYPE = "application/problem+json"
_HEALTH_STATUS = {"type": "string", "enum": ["ok", "unavailable"]}


def ref(name: str) -> dict[str, str]:
    """A reference to ``#/components/schemas/<name>``."""
    return {"$ref": f"#/components/schemas/{name}"}


def json_response(description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A response with an ``application/json`` body; ``extra`` adds keys (``headers``, say)."""
    return {"description": description, "content": {"application/json": {"schema": schema}}, **extra}


def problem_response(description: str, **extra: Any) -> dict[str, Any]:
    """A response with a problem+json body (the ``Problem`` component)."""
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": ref("Problem")}}, **extra}


def common_schemas(problem_description: str) -> dict[str, Any]:
    """The ``Problem``, ``HealthCheck`` and ``Health`` components; ``problem_description`` says what the
    service's ``field`` names."""
    return {
        "Problem": {
            "type": "object",
            "description": problem_description,
            "required": ["type", "title", "status"],
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "detail": {"type": "string"},
                "instance": {"type": "string"},
                "field": {"type": "string"},
            },
        },
        "HealthCheck": {
            "type": "object",
            "required": ["status"],
            "properties": {"status": _HEALTH_STATUS, "error": {"type": "string"}},
        },
        "Health": {
            "type": "object",
            "required": ["status", "checks"],
            "properties": {
                "status": _HEALTH_STATUS,
                "checks": {"type": "object", "additionalProperties": ref("HealthCheck")},
            },
        },
    }


def ops_paths(ready_summary: str) -> dict[str, Any]:
    """The ``/health``, ``/ready``, ``/metrics`` and ``/openapi.json`` paths; ``ready_summary`` says what
    readiness checks."""
    return {
        "/health": {
            "get": {
                "operationId": "health",
                "summary": "Liveness: the process serves (`checks` is empty)",
                "responses": {"200": json_response("Serving", ref("Health"))},
            }
        },
        "/ready": {
            "get": {
                "operationId": "ready",
                "summary": ready_summary,
                "responses": {
                    "200": json_response("Every dependency answers", ref("Health")),
                    "503": json_response("A dependency does not answer", ref("Health")),
                },
            }
        },
        "/metrics": {
            "get": {
                "operationId": "metrics",
                "summary": "Prometheus metrics",
                "responses": {
                    "200": {
                        "description": "Prometheus text format",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This OpenAPI document",
                "responses": {"200": json_response("OpenAPI 3.1 document", {"type": "object"})},
            }
        },
    }
