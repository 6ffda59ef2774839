"""Fail in seconds when the target does not answer, naming the URL, instead of a run of connection errors."""

from __future__ import annotations

import httpx


class UnreachableTargetError(RuntimeError):
    pass


def check_reachable(urls: dict[str, str], seconds: float = 3.0) -> None:
    """GET <url>/health of each service; any that does not answer below 500 within `seconds` fails."""
    problems = []
    with httpx.Client(timeout=seconds, trust_env=False) as client:
        for service, base in urls.items():
            url = f"{base}/health"
            try:
                answer = client.get(url)
            except httpx.HTTPError as exc:
                problems.append(f"{service} at {url} is unreachable ({type(exc).__name__}: {exc})")
                continue
            if answer.status_code >= 500:
                problems.append(f"{service} at {url} answers {answer.status_code}")
    if problems:
        raise UnreachableTargetError("; ".join(problems))
