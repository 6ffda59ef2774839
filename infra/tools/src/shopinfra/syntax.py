"""A recursive-descent parser for the Bicep we write: the declarations pycep-parser also reads plus the
syntax it predates (user-defined and nullable types, `.bicepparam` files with `using`, `?.`, `??`,
comma-separated single-line objects, `@export()`-style decorators).

It parses values structurally only where a check reads them (object and array literals, plain literals)
and keeps every computed expression as source text; it does not evaluate Bicep. Unsupported syntax (nested
child resources, `import`, `func`) is a `BicepSyntaxError` naming file and line rather than a silent skip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from shopinfra.model import (
    ArrayValue,
    BicepFile,
    Conditional,
    Decorator,
    Expression,
    ForLoop,
    Literal,
    Module,
    Named,
    ObjectValue,
    Param,
    ParamAssignment,
    Property,
    Resource,
    Value,
)


class BicepSyntaxError(Exception):
    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line


@dataclass(frozen=True)
class Token:
    kind: str  # ident, string, istring (interpolated), number, op, newline, eof
    text: str
    line: int
    value: str = ""


_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r]+)
  | (?P<comment>//[^\n]*)
  | (?P<block>/\*.*?\*/)
  | (?P<newline>\n)
  | (?P<multiline>'''.*?''')
  | (?P<string>'(?:[^'\\\n]|\\.)*')
  | (?P<number>\d+)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\?\?|\?\.|==|!=|<=|>=|&&|\|\||=>|[{}\[\]():,.?!=<>+\-*/%@|])
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", "'": "'", "$": "$"}


def tokenize(path: Path, text: str) -> list[Token]:
    tokens: list[Token] = []
    pos, line = 0, 1
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise BicepSyntaxError(path, line, f"unexpected character {text[pos]!r}")
        kind = match.lastgroup or ""
        chunk = match.group()
        if kind == "string":
            body = chunk[1:-1]
            unescaped_dollar = re.search(r"(?<!\\)\$\{", body) is not None
            value = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)
            tokens.append(Token("istring" if unescaped_dollar else "string", chunk, line, value))
        elif kind == "multiline":
            tokens.append(Token("string", chunk, line, chunk[3:-3]))
        elif kind in ("number", "ident", "op", "newline"):
            tokens.append(Token(kind, chunk, line))
        line += chunk.count("\n")
        pos = match.end()
    tokens.append(Token("eof", "", line))
    return tokens


_CLOSERS = {"(": ")", "[": "]", "{": "}"}


class _Parser:
    def __init__(self, path: Path, tokens: list[Token]) -> None:
        self.path = path
        self.tokens = tokens
        self.pos = 0

    # token helpers
    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def error(self, message: str, token: Token | None = None) -> BicepSyntaxError:
        token = token or self.peek()
        return BicepSyntaxError(self.path, token.line, f"{message} (found {token.text or token.kind!r})")

    def expect(self, kind: str, text: str | None = None) -> Token:
        token = self.peek()
        if token.kind != kind or (text is not None and token.text != text):
            raise self.error(f"expected {text or kind}")
        return self.advance()

    def at(self, text: str) -> bool:
        token = self.peek()
        return token.kind in ("op", "ident") and token.text == text

    def skip_newlines(self) -> None:
        while self.peek().kind == "newline":
            self.advance()

    def name(self) -> str:
        return self.expect("ident").text

    def plain_string(self) -> Token:
        token = self.peek()
        if token.kind != "string":
            raise self.error("expected a string without interpolation")
        return self.advance()

    # file
    def parse_file(self) -> BicepFile:
        result = BicepFile(path=self.path)
        self.skip_newlines()
        while self.peek().kind != "eof":
            decorators = self.decorators()
            self.declaration(result, decorators)
            if self.peek().kind not in ("newline", "eof"):
                raise self.error("expected end of line after declaration")
            self.skip_newlines()
        return result

    def decorators(self) -> tuple[Decorator, ...]:
        found: list[Decorator] = []
        while self.at("@"):
            line = self.advance().line
            name = self.name()
            while self.at("."):
                self.advance()
                name = self.name()  # `@sys.description` is `@description`
            arguments: list[Value] = []
            self.expect("op", "(")
            self.skip_newlines()
            while not self.at(")"):
                arguments.append(self.value())
                self.skip_newlines()
                if self.at(","):
                    self.advance()
                    self.skip_newlines()
            self.expect("op", ")")
            found.append(Decorator(name, tuple(arguments), line))
            self.skip_newlines()
        return tuple(found)

    def declaration(self, result: BicepFile, decorators: tuple[Decorator, ...]) -> None:
        keyword = self.expect("ident")
        line = keyword.line
        match keyword.text:
            case "targetScope":
                self.expect("op", "=")
                result.target_scope = str(self.plain_string().value)
            case "using":
                result.using = self.plain_string().value
            case "metadata":
                self.name()
                self.expect("op", "=")
                self.value()
            case "param" if self.peek(1).text == "=":
                name = self.name()
                self.advance()
                result.assignments.append(ParamAssignment(name, self.value(), line))
            case "param":
                name = self.name()
                type_text = self.type_expression()
                default = None
                if self.at("="):
                    self.advance()
                    default = self.value()
                result.params[name] = Param(name, type_text, default, decorators, line)
            case "var":
                name = self.name()
                self.expect("op", "=")
                result.variables[name] = Named(name, self.value(), line)
            case "output":
                name = self.name()
                if self.peek().kind == "ident" and self.peek().text == "resource":
                    self.advance()
                    self.plain_string()
                else:
                    self.type_expression()
                self.expect("op", "=")
                result.outputs[name] = Named(name, self.value(), line)
            case "type":
                name = self.name()
                self.expect("op", "=")
                self.type_expression()
                result.types[name] = Named(name, None, line)
            case "resource":
                symbol = self.name()
                type_token = self.plain_string()
                type_name, _, api_version = type_token.value.partition("@")
                if not api_version:
                    raise self.error("resource type needs @apiVersion", type_token)
                existing = False
                if self.peek().kind == "ident" and self.peek().text == "existing":
                    self.advance()
                    existing = True
                self.expect("op", "=")
                result.resources.append(Resource(symbol, type_name, api_version, existing, self.body(), line))
            case "module":
                symbol = self.name()
                path = self.plain_string().value
                self.expect("op", "=")
                result.modules.append(Module(symbol, path, self.body(), line))
            case _:
                raise self.error("unsupported declaration", keyword)

    def body(self) -> Value:
        """The right-hand side of `resource` and `module`: object, loop or `if (...)` object."""
        if self.peek().kind == "ident" and self.peek().text == "if":
            line = self.advance().line
            condition = self.balanced_text("(")
            return Conditional(condition, self.value(), line)
        return self.value()

    # types
    def type_expression(self) -> str:
        parts = [self.type_term()]
        while self.at("|"):
            self.advance()
            self.skip_newlines()
            parts.append(self.type_term())
        return " | ".join(parts)

    def type_term(self) -> str:
        decorators = self.decorators()
        del decorators  # decorators on union members or properties do not change the shape we check
        token = self.peek()
        if token.kind in ("string", "number"):
            text = self.advance().text
        elif token.kind == "ident":
            text = self.advance().text
            while self.at("."):
                self.advance()
                text += "." + self.name()
        elif self.at("{"):
            text = self.object_type()
        elif self.at("("):
            text = "(" + self.balanced_text("(") + ")"
        else:
            raise self.error("expected a type")
        while self.at("[") and self.peek(1).text == "]":
            self.advance()
            self.advance()
            text += "[]"
        if self.at("?"):
            self.advance()
            text += "?"
        return text

    def object_type(self) -> str:
        self.expect("op", "{")
        fields: list[str] = []
        self.skip_newlines()
        while not self.at("}"):
            self.decorators()
            key = self.advance()
            if key.kind not in ("ident", "string") and key.text != "*":
                raise self.error("expected a property name in object type", key)
            self.expect("op", ":")
            fields.append(f"{key.value or key.text}: {self.type_expression()}")
            if self.at(","):
                self.advance()
            self.skip_newlines()
        self.expect("op", "}")
        return "{" + ", ".join(fields) + "}"

    # values
    def value(self) -> Value:
        """One expression: structured if it is a lone literal/object/array/loop, else source text."""
        start = self.pos
        first = self.peek()
        structured: Value | None = None
        if self.at("{"):
            structured = self.object_value()
        elif self.at("[") and self.loop_ahead():
            structured = self.for_loop()
        elif self.at("["):
            structured = self.array_value()
        elif first.kind == "string":
            self.advance()
            structured = Literal(first.value, first.line)
        elif first.kind == "number":
            self.advance()
            structured = Literal(int(first.text), first.line)
        elif first.kind == "ident" and first.text in ("true", "false", "null"):
            self.advance()
            structured = Literal({"true": True, "false": False, "null": None}[first.text], first.line)
        elif self.at("-") and self.peek(1).kind == "number":
            self.advance()
            structured = Literal(-int(self.advance().text), first.line)
        if structured is not None and self.expression_ends():
            return structured
        self.pos = start
        return Expression(self.expression_text(), first.line)

    def expression_ends(self) -> bool:
        token = self.peek()
        return token.kind in ("newline", "eof") or token.text in (",", ")", "]", "}")

    def expression_text(self) -> str:
        """Consumes tokens up to the end of the expression (newline or closer at depth 0)."""
        parts: list[str] = []
        depth = 0
        while True:
            token = self.peek()
            if token.kind == "eof":
                break
            if depth == 0 and self.expression_ends():
                break
            if token.text in _CLOSERS and token.kind == "op":
                depth += 1
            elif token.text in _CLOSERS.values() and token.kind == "op":
                depth -= 1
            if token.kind != "newline":
                parts.append(token.text)
            self.advance()
        if not parts:
            raise self.error("expected a value")
        return " ".join(parts)

    def balanced_text(self, opener: str) -> str:
        self.expect("op", opener)
        _CLOSERS[opener]
        parts: list[str] = []
        depth = 1
        while True:
            token = self.advance()
            if token.kind == "eof":
                raise self.error(f"unclosed {opener}", token)
            if token.kind == "op" and token.text in _CLOSERS:
                depth += 1
            elif token.kind == "op" and token.text in _CLOSERS.values():
                depth -= 1
                if depth == 0:
                    return " ".join(parts)
            if token.kind != "newline":
                parts.append(token.text)

    def object_value(self) -> ObjectValue:
        line = self.expect("op", "{").line
        properties: list[Property] = []
        self.skip_newlines()
        while not self.at("}"):
            key = self.advance()
            if key.kind == "ident" and key.text == "resource" and self.peek().kind == "ident":
                raise BicepSyntaxError(
                    self.path, key.line, "nested child resources are not supported; use parent:"
                )
            if key.kind not in ("ident", "string"):
                raise self.error("expected a property name", key)
            if self.at("?"):  # optional marker in newer syntax is not used in values
                raise self.error("unexpected '?' after property name")
            self.expect("op", ":")
            properties.append(Property(key.value or key.text, self.value(), key.line))
            if self.at(","):
                self.advance()
            elif not self.at("}") and self.peek().kind != "newline":
                raise self.error("expected newline or ',' between properties")
            self.skip_newlines()
        self.expect("op", "}")
        return ObjectValue(tuple(properties), line)

    def array_value(self) -> ArrayValue:
        line = self.expect("op", "[").line
        items: list[Value] = []
        self.skip_newlines()
        while not self.at("]"):
            items.append(self.value())
            if self.at(","):
                self.advance()
            elif not self.at("]") and self.peek().kind != "newline":
                raise self.error("expected newline or ',' between array items")
            self.skip_newlines()
        self.expect("op", "]")
        return ArrayValue(tuple(items), line)

    def loop_ahead(self) -> bool:
        """`[` opens a `for` loop, on the same line or the next (`[\n  for x in y: {...}\n]`)."""
        offset = 1
        while self.peek(offset).kind == "newline":
            offset += 1
        return self.peek(offset).text == "for"

    def for_loop(self) -> ForLoop:
        line = self.expect("op", "[").line
        self.skip_newlines()
        self.expect("ident", "for")
        source_parts: list[str] = []
        depth = 0
        while depth > 0 or not self.at(":"):
            token = self.advance()
            if token.kind == "eof":
                raise self.error("unterminated for expression", token)
            if token.kind == "op" and token.text in _CLOSERS:
                depth += 1
            elif token.kind == "op" and token.text in _CLOSERS.values():
                depth -= 1
            source_parts.append(token.text)
        self.advance()
        self.skip_newlines()
        if self.peek().kind == "ident" and self.peek().text == "if":
            self.advance()
            self.balanced_text("(")
        body = self.value()
        self.skip_newlines()
        self.expect("op", "]")
        return ForLoop(" ".join(source_parts), body, line)


def parse_text(path: Path, text: str) -> BicepFile:
    return _Parser(path, tokenize(path, text)).parse_file()


def parse_file(path: Path) -> BicepFile:
    return parse_text(path, path.read_text(encoding="utf-8"))
