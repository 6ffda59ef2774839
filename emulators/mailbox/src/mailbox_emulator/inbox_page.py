"""A minimal HTML inbox: newest first, everything escaped, refreshed every few seconds."""

from __future__ import annotations

from html import escape

from mailbox_emulator.model import Mail, Sms

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; }
table { border-collapse: collapse; width: 100%; margin-bottom: 2rem; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
details pre { white-space: pre-wrap; background: #f6f6f6; padding: .6rem; }
.empty { color: #666; }
"""


def render_inbox(mails: list[Mail], texts: list[Sms]) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mailbox ({len(mails)} mail, {len(texts)} SMS)</title><style>{_STYLE}</style></head>
<body>
<h1>Mailbox</h1>
<h2>Email ({len(mails)})</h2>
{_mail_table(mails)}
<h2>SMS ({len(texts)})</h2>
{_sms_table(texts)}
</body></html>
"""


def _table(headings: tuple[str, ...], rows: list[str], empty: str) -> str:
    """A table of ``rows`` under ``headings``; the ``empty`` note instead when there are no rows."""
    if not rows:
        return f'<p class="empty">{empty}</p>'
    head = "".join(f"<th>{heading}</th>" for heading in headings)
    body = "\n".join(rows)
    return f"<table><tr>{head}</tr>\n{body}\n</table>"


def _mail_table(mails: list[Mail]) -> str:
    rows = [
        f"<tr><td>{escape(mail.received_at.strftime('%H:%M:%S'))}</td>"
        f"<td>{escape(', '.join(mail.envelope_to))}</td>"
        f"<td><details><summary>{escape(mail.subject or '(no subject)')}</summary>"
        f"<pre>{escape(mail.text or mail.html or '')}</pre></details></td></tr>"
        for mail in mails
    ]
    return _table(("Received", "To", "Subject"), rows, "No email yet.")


def _sms_table(texts: list[Sms]) -> str:
    rows = [
        f"<tr><td>{escape(sms.received_at.strftime('%H:%M:%S'))}</td><td>{escape(sms.to)}</td>"
        f"<td>{escape(sms.body)}</td></tr>"
        for sms in texts
    ]
    return _table(("Received", "To", "Text"), rows, "No SMS yet.")
