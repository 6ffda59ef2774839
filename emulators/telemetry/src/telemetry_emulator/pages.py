"""Server-rendered pages: recent traces, and one trace as an indented span tree with a timing bar per span.

Everything a span carries is escaped; the pages run no script (the handlers send a CSP that forbids it).
"""

from __future__ import annotations

from html import escape

from telemetry_emulator.model import Span, StatusCode, iso_time
from telemetry_emulator.store import TraceSummary
from telemetry_emulator.tree import span_tree

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.bar { position: relative; height: .8rem; background: #f0f0f0; min-width: 12rem; }
.bar span { position: absolute; top: 0; bottom: 0; background: #4a78c2; min-width: 1px; }
.error { color: #b00020; }
.kind { color: #666; font-size: .85em; }
.empty { color: #666; }
details pre { white-space: pre-wrap; background: #f6f6f6; padding: .4rem; margin: .3rem 0; }
"""


def _page(title: str, body: str, refresh: bool = False) -> str:
    meta = '<meta http-equiv="refresh" content="5">' if refresh else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">{meta}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{_STYLE}</style></head>
<body>
{body}
</body></html>
"""


def render_traces(summaries: list[TraceSummary], envelopes_held: int) -> str:
    rows = [
        f"<tr><td>{escape(iso_time(s.start_unix_nano))}</td>"
        f'<td><a href="/traces/{escape(s.trace_id)}">{escape(_root_name(s))}</a></td>'
        f"<td>{escape(', '.join(s.services))}</td><td class=num>{s.span_count}</td>"
        f"<td class=num>{s.duration_ms:.1f} ms</td></tr>"
        for s in summaries
    ]
    table = (
        "<table><tr><th>Started</th><th>Root span</th><th>Services</th><th>Spans</th><th>Duration</th></tr>\n"
        + "\n".join(rows)
        + "\n</table>"
        if rows
        else '<p class="empty">No traces yet. Services export here when OTEL_EXPORTER_OTLP_ENDPOINT '
        "names this receiver.</p>"
    )
    body = (
        f"<h1>Recent traces ({len(summaries)})</h1>\n{table}\n"
        f'<p>Application Insights envelopes held: {envelopes_held} (<a href="/api/track">JSON</a>)</p>'
    )
    return _page("Traces", body, refresh=True)


def _root_name(summary: TraceSummary) -> str:
    if summary.root is None:
        return summary.trace_id
    return f"{summary.root.service}: {summary.root.name}"


def render_trace(trace_id: str, spans: list[Span]) -> str:
    start = min(span.start_unix_nano for span in spans)
    total = max(max(span.end_unix_nano for span in spans) - start, 1)
    rows = [_span_row(depth, span, start, total) for depth, span in span_tree(spans)]
    body = (
        f'<p><a href="/">All traces</a> · <a href="/api/traces/{escape(trace_id)}">JSON</a> · '
        f'<a href="/api/traces/{escape(trace_id)}/tree">text</a></p>\n'
        f"<h1>Trace {escape(trace_id)}</h1>\n<p>{len(spans)} spans, {total / 1e6:.1f} ms</p>\n"
        "<table><tr><th>Span</th><th>Service</th><th>Duration</th><th>Timeline</th></tr>\n"
        + "\n".join(rows)
        + "\n</table>"
    )
    return _page(f"Trace {trace_id}", body)


def _span_row(depth: int, span: Span, start: int, total: int) -> str:
    left = 100 * (span.start_unix_nano - start) / total
    width = 100 * max(span.end_unix_nano - span.start_unix_nano, 0) / total
    error = span.status_code is StatusCode.ERROR
    status = f' <span class="error">ERROR {escape(span.status_message)}</span>' if error else ""
    attributes = "\n".join(f"{key} = {value!r}" for key, value in sorted(span.attributes.items()))
    return (
        f'<tr><td style="padding-left: {0.6 + 1.5 * depth:.1f}rem">'
        f"<details><summary>{escape(span.name)} <span class=kind>{span.kind.value}</span>{status}</summary>"
        f"<pre>span {escape(span.span_id)}, parent {escape(span.parent_span_id or '-')}\n"
        f"{escape(attributes)}</pre></details></td>"
        f"<td>{escape(span.service)}</td><td class=num>{span.duration_ms:.1f} ms</td>"
        f'<td><div class=bar><span style="left: {left:.2f}%; width: {width:.2f}%"></span></div></td></tr>'
    )
