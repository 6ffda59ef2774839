"""Tokens of the SQL filter and action language.

Identifiers follow Azure's ``[[:IsLetter:]][_[:IsLetter:][:IsDigit:]]*`` (Unicode letters and decimal
digits); ``[delimited]`` identifiers double ``]`` and ``"quoted"`` ones double ``"``; strings are single
quoted with ``''`` inside. Keywords are case-insensitive and reserved: they cannot be regular identifiers.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from servicebus_emulator.sql.errors import SqlSyntaxError

KEYWORDS = frozenset({"AND", "OR", "NOT", "IS", "NULL", "IN", "LIKE", "ESCAPE", "EXISTS", "TRUE", "FALSE"})
"""Reserved in both filters and actions. ``SET`` and ``REMOVE`` are keywords only where a statement starts."""

_INT64_MAX = 2**63 - 1


class Kind(StrEnum):
    IDENTIFIER = "identifier"
    """A regular identifier (``value`` as written)."""
    DELIMITED = "delimited identifier"
    """A ``[bracketed]`` or ``"quoted"`` identifier (``value`` without the delimiters, unescaped)."""
    KEYWORD = "keyword"
    """``value`` upper-cased."""
    INTEGER = "integer"
    NUMBER = "number"
    """A decimal or approximate number constant (a double)."""
    STRING = "string"
    SYMBOL = "symbol"
    END = "end of input"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    value: str
    position: int
    """1-based column of the token's first character."""
    number: int | float | None = None

    def describe(self) -> str:
        if self.kind is Kind.END:
            return "end of input"
        if self.kind is Kind.STRING:
            return "string constant"
        if self.kind is Kind.DELIMITED:
            return f"identifier [{self.value}]"
        return f"'{self.value}'"


_SYMBOLS = ("<>", "!=", ">=", "<=", "=", ">", "<", "+", "-", "*", "/", "%", "(", ")", ",", ";", ".")


def _is_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L")


def _is_digit(char: str) -> bool:
    return unicodedata.category(char) == "Nd"


def is_regular_identifier(name: str) -> bool:
    """Whether ``name`` can be written without brackets: a letter, then letters, digits or ``_``."""
    return (
        bool(name)
        and _is_letter(name[0])
        and all(c == "_" or _is_letter(c) or _is_digit(c) for c in name)
        and name.upper() not in KEYWORDS
    )


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens ending with an END token; raises `SqlSyntaxError` on a bad character."""
    tokens: list[Token] = []
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        start = i
        if _is_letter(char):
            i += 1
            while i < n and (text[i] == "_" or _is_letter(text[i]) or _is_digit(text[i])):
                i += 1
            word = text[start:i]
            if word.upper() in KEYWORDS:
                tokens.append(Token(Kind.KEYWORD, word.upper(), start + 1))
            else:
                tokens.append(Token(Kind.IDENTIFIER, word, start + 1))
        elif "0" <= char <= "9" or (char == "." and i + 1 < n and "0" <= text[i + 1] <= "9"):
            token, i = _number(text, i)
            tokens.append(token)
        elif char == "'":
            value, i = _quoted(text, i, "'", "string constant")
            tokens.append(Token(Kind.STRING, value, start + 1))
        elif char == "[":
            value, i = _quoted(text, i, "]", "delimited identifier")
            tokens.append(Token(Kind.DELIMITED, value, start + 1))
        elif char == '"':
            value, i = _quoted(text, i, '"', "quoted identifier")
            tokens.append(Token(Kind.DELIMITED, value, start + 1))
        else:
            symbol = next((s for s in _SYMBOLS if text.startswith(s, i)), None)
            if symbol is None:
                raise SqlSyntaxError(f"unexpected character {char!r}", start + 1)
            tokens.append(Token(Kind.SYMBOL, symbol, start + 1))
            i += len(symbol)
    tokens.append(Token(Kind.END, "", n + 1))
    return tokens


def _digits(text: str, i: int) -> int:
    while i < len(text) and "0" <= text[i] <= "9":
        i += 1
    return i


def _number(text: str, start: int) -> tuple[Token, int]:
    i = _digits(text, start)
    is_integer = True
    if i < len(text) and text[i] == ".":
        is_integer = False
        i = _digits(text, i + 1)
    if i < len(text) and text[i] in "eE":
        exponent = i + 1
        if exponent < len(text) and text[exponent] in "+-":
            exponent += 1
        end = _digits(text, exponent)
        if end == exponent:
            raise SqlSyntaxError("expected digits in the exponent", exponent + 1)
        is_integer = False
        i = end
    if i < len(text) and (text[i] == "_" or _is_letter(text[i]) or text[i] == "."):
        raise SqlSyntaxError(f"unexpected {text[i]!r} after a number", i + 1)
    literal = text[start:i]
    if is_integer:
        value = int(literal)
        # The sign is not part of the literal; the parser folds a minus in front, hence 2**63 is allowed.
        if value > _INT64_MAX + 1:
            raise SqlSyntaxError(f"integer constant {literal} is out of the Int64 range", start + 1)
        return Token(Kind.INTEGER, literal, start + 1, value), i
    number = float(literal)
    if number in (float("inf"), float("-inf")):
        raise SqlSyntaxError(f"number {literal} is out of the double range", start + 1)
    return Token(Kind.NUMBER, literal, start + 1, number), i


def _quoted(text: str, start: int, close: str, what: str) -> tuple[str, int]:
    parts: list[str] = []
    i = start + 1
    while True:
        end = text.find(close, i)
        if end < 0:
            raise SqlSyntaxError(f"unterminated {what} (expected closing {close})", start + 1)
        parts.append(text[i:end])
        if text.startswith(close * 2, end):
            parts.append(close)
            i = end + 2
            continue
        return "".join(parts), end + 1
