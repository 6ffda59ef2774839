"""schemathesis hooks module (``SCHEMATHESIS_HOOKS=shop_checks``): the checks of our own.

``problem_json_on_4xx``: every 4xx answer is ``application/problem+json`` (RFC 9457) with ``type``,
``title`` and ``status`` (the response's own), and a validation refusal (400, 422) names the field at fault,
as ``field`` or as ``errors[]`` entries with a ``field`` each. Only a body that is not JSON at all
(``.../malformed-json``) is refused as a whole, with no field to name.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, Response

PROBLEM_JSON = "application/problem+json"
VALIDATION_STATUSES = (400, 422)
# Problem types (by their slug) that refuse the request as a whole, where no single field is at fault.
WHOLE_REQUEST_PROBLEMS = ("/malformed-json",)


def names_field(body: dict[str, Any]) -> bool:
    if isinstance(body.get("field"), str) and body["field"]:
        return True
    errors = body.get("errors")
    return (
        isinstance(errors, list)
        and bool(errors)
        and all(isinstance(error, dict) and isinstance(error.get("field"), str) for error in errors)
    )


def problem_failures(status: int, content_type: str | None, body: Any) -> list[str]:
    """What is wrong with a 4xx answer (nothing for any other status); the check's logic, kept apart from
    schemathesis's types so that it can be tested on its own."""
    if not 400 <= status < 500:
        return []
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != PROBLEM_JSON:
        return [f"{status} answered with {media_type or 'no Content-Type'}, not {PROBLEM_JSON}"]
    if not isinstance(body, dict):
        return [f"{status} problem body is not a JSON object"]
    failures = [
        f"problem member `{name}` is missing or not {kind.__name__}"
        for name, kind in (("type", str), ("title", str), ("status", int))
        if not isinstance(body.get(name), kind) or isinstance(body.get(name), bool)
    ]
    if failures:
        return failures
    if body["status"] != status:
        failures.append(f"problem `status` is {body['status']}, the response's is {status}")
    whole_request = str(body["type"]).endswith(WHOLE_REQUEST_PROBLEMS)
    if status in VALIDATION_STATUSES and not whole_request and not names_field(body):
        failures.append(
            f"{status} {body['type']}: a validation refusal names no field at fault "
            "(`field`, or `errors[]` with a `field` each)"
        )
    return failures


@schemathesis.check
def problem_json_on_4xx(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    status = response.status_code
    if not 400 <= status < 500:
        return None
    content_types = response.headers.get("content-type") or []
    try:
        body = response.json()
    except ValueError:
        body = None
    failures = problem_failures(status, content_types[0] if content_types else None, body)
    if failures:
        raise AssertionError("; ".join(failures))
    return True
