"""Problem details documents (RFC 9457), independent of the web framework that sends them.

Each service translates its errors once, at its edge, and builds the body here; the framework glue (status
line, ``application/problem+json`` content type, headers) stays in the service.
"""

from __future__ import annotations

from typing import Any

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://contoso-shop.example/problems/"


class ApiError(Exception):
    """An HTTP-level refusal raised by a service's API layer (auth, bad parameters, size limits).

    ``slug`` names the problem type under ``PROBLEM_BASE``; ``field`` the request part at fault.
    """

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        slug: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.slug = slug
        self.field = field
        self.headers = dict(headers or {})


def problem_document(
    status: int, title: str, detail: str | None, instance: str, slug: str | None = None, **extensions: Any
) -> dict[str, Any]:
    """The JSON body: ``type`` is ``about:blank`` without a slug, an empty ``detail`` is left out, and
    extension members (``field``, ``traceId``, ...) follow the standard ones."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug if slug else "about:blank",
        "title": title,
        "status": status,
        "instance": instance,
    }
    if detail:
        body["detail"] = detail
    body.update(extensions)
    return body
