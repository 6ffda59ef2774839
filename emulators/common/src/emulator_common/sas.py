"""Azure Shared Access Signature tokens: parse, sign and verify them the way Service Bus and Event Hubs do.

A token reads ``SharedAccessSignature sr=<url-encoded resource>&sig=<url-encoded base64 HMAC-SHA256>&
se=<expiry, Unix seconds>&skn=<key name>`` (fields in any order). The signature is the HMAC-SHA256, keyed
with the UTF-8 bytes of the key (not its base64 decoding), of ``<url-encoded resource> + "\\n" + <se>``.

A token grants access to its resource and everything below it: ``sr=sb://host/`` covers
``sb://host/orders``. Scheme and case are ignored when comparing, as the SDKs mix ``sb://``,
``amqps://`` and ``http://`` spellings of the same address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlencode

PREFIX = "SharedAccessSignature "


class SasError(Exception):
    """Base of every reason a token is refused."""


class SasFormatError(SasError):
    pass


class UnknownKeyNameError(SasError):
    def __init__(self, key_name: str) -> None:
        super().__init__(f"unknown shared access key name {key_name!r}")
        self.key_name = key_name


class InvalidSignatureError(SasError):
    pass


class TokenExpiredError(SasError):
    def __init__(self, expiry: int, now: float) -> None:
        super().__init__(f"token expired at {expiry} (now {int(now)})")
        self.expiry = expiry


class AudienceMismatchError(SasError):
    def __init__(self, resource: str, audience: str) -> None:
        super().__init__(f"token for {resource!r} does not grant access to {audience!r}")
        self.resource = resource
        self.audience = audience


@dataclass(frozen=True, slots=True)
class SasToken:
    resource: str
    """The decoded resource URI (``sr``)."""
    encoded_resource: str
    """``sr`` exactly as it appeared in the token, which is what the signer signed."""
    signature: str
    expiry: int
    key_name: str


def parse_sas_token(token: str) -> SasToken:
    if not token.startswith(PREFIX):
        raise SasFormatError("a SAS token starts with 'SharedAccessSignature '")
    fields: dict[str, str] = {}
    for part in token[len(PREFIX) :].strip().split("&"):
        name, sep, value = part.partition("=")
        if not sep or not name:
            raise SasFormatError(f"malformed field {part!r}")
        if name in fields:
            raise SasFormatError(f"field {name!r} appears twice")
        fields[name] = value
    missing = [name for name in ("sr", "sig", "se", "skn") if name not in fields]
    if missing:
        raise SasFormatError(f"missing field(s): {', '.join(missing)}")
    try:
        expiry = int(fields["se"])
    except ValueError:
        raise SasFormatError(f"se is not an integer: {fields['se']!r}") from None
    return SasToken(
        resource=unquote_plus(fields["sr"]),
        encoded_resource=fields["sr"],
        # unquote, not unquote_plus: a literal '+' in the signature is base64, never an encoded space.
        signature=unquote(fields["sig"]),
        expiry=expiry,
        key_name=unquote_plus(fields["skn"]),
    )


def _sign(encoded_resource: str, expiry: int, key: str) -> str:
    string_to_sign = f"{encoded_resource}\n{expiry}".encode()
    digest = hmac.new(key.encode(), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def generate_sas_token(resource: str, key_name: str, key: str, expiry: int) -> str:
    """A token as the official SDKs produce it (``quote_plus`` encoding of the resource)."""
    signature = _sign(quote_plus(resource), expiry, key)
    return PREFIX + urlencode({"sr": resource, "sig": signature, "se": str(expiry), "skn": key_name})


def _normalise(uri: str) -> str:
    _, sep, rest = uri.partition("://")
    return (rest if sep else uri).rstrip("/").casefold()


def audience_matches(resource: str, audience: str) -> bool:
    """Whether a token issued for ``resource`` grants access to ``audience`` (same URI or below it)."""
    granted = _normalise(resource)
    wanted = _normalise(audience)
    return wanted == granted or wanted.startswith(granted + "/")


class SasValidator:
    """Verifies tokens against a set of named keys (``{"RootManageSharedAccessKey": "SAS_KEY_VALUE"}``)."""

    def __init__(self, keys: Mapping[str, str], now: Callable[[], float] = time.time) -> None:
        self._keys = dict(keys)
        self._now = now

    def verify(self, token: str, audience: str | None = None) -> SasToken:
        parsed = parse_sas_token(token)
        key = self._keys.get(parsed.key_name)
        if key is None:
            raise UnknownKeyNameError(parsed.key_name)
        # Signers differ in how they percent-encode the resource (quote_plus in Python, encodeURIComponent
        # in JavaScript); each signs the form it put in the token, so that form is tried first.
        candidates = dict.fromkeys(
            (parsed.encoded_resource, quote_plus(parsed.resource), quote(parsed.resource, safe=""))
        )
        if not any(
            hmac.compare_digest(_sign(candidate, parsed.expiry, key), parsed.signature)
            for candidate in candidates
        ):
            raise InvalidSignatureError("signature does not match")
        now = self._now()
        if parsed.expiry <= now:
            raise TokenExpiredError(parsed.expiry, now)
        if audience is not None and not audience_matches(parsed.resource, audience):
            raise AudienceMismatchError(parsed.resource, audience)
        return parsed
