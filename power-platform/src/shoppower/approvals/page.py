"""The release managers' web page: pending requests with approve/reject buttons, then the history."""

from __future__ import annotations

from html import escape

from shoppower.approvals.book import ApprovalRequest

_STYLE = "body{font-family:sans-serif;margin:2em}td,th{padding:.3em .8em;text-align:left}"


def _images(request: ApprovalRequest) -> str:
    return "<br>".join(
        escape(f"{image['image']}@{image['digest'][:19]}…") for image in request.manifest.get("images", [])
    )


def _row(request: ApprovalRequest) -> str:
    release = escape(request.releaseId)
    cells = [
        release,
        escape(request.environment),
        _images(request),
        escape(str(request.manifest.get("requestedBy", ""))),
        escape(request.status),
        escape(request.approver or ""),
        escape(request.comment or ""),
    ]
    actions = ""
    if request.status == "pending":
        actions = "".join(
            f'<form method="post" action="/ui/releases/{release}/{verb}" style="display:inline">'
            f'<input name="approver" placeholder="your name" required> '
            f'<input name="comment" placeholder="comment"> <button>{verb}</button></form> '
            for verb in ("approve", "reject")
        )
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + f"<td>{actions}</td></tr>"


def render(requests: list[ApprovalRequest]) -> str:
    head = "".join(
        f"<th>{h}</th>"
        for h in ("release", "env", "images", "requested by", "status", "approver", "comment", "")
    )
    rows = "".join(_row(r) for r in requests) or '<tr><td colspan="8">no approval requests</td></tr>'
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Release approvals (local stand-in)</title>"
        f"<style>{_STYLE}</style></head><body><h1>Release approvals</h1>"
        "<p>Local stand-in of the ContosoShopFlows deployment-approval flow.</p>"
        f"<table><tr>{head}</tr>{rows}</table></body></html>"
    )
