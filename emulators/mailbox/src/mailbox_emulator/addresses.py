"""The address of a MAIL FROM / RCPT TO argument, read without the email package where it is plain.

aiosmtpd reads every address with the email package's RFC 5322 parser (and defines a class per call
while at it): a good part of what a mail costs this sink, for addresses that are nearly always a plain
``<local@domain>``. Those are read with one regular expression, to the same address and rest (the
tests compare the two on a table of cases); anything else (quoted or dotted oddly local parts, address
literals, source routes, comments) still goes to aiosmtpd's parser.
"""

from __future__ import annotations

import re

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN = re.compile(
    rf"<(?P<address>{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)>"
    r"[ \t]*(?P<rest>[^ \t(\"\\][^(\"\\]*)?\Z"
)


def plain_angle_address(argument: str) -> tuple[str, str] | None:
    """``<local@domain> rest`` as (address, rest) when the address is a plain dot-atom one; else None."""
    match = _PLAIN.match(argument)
    if match is None:
        return None
    return match["address"], match["rest"] or ""
