"""RFC 9457 problem details for the stand-in's errors."""

from __future__ import annotations

from typing import Any

PROBLEM_TYPE_BASE = "https://contoso-shop.example/problems/"


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"type": PROBLEM_TYPE_BASE + slug, "title": title, "status": status, "detail": detail, **extra}
