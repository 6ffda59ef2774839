"""Recursive-descent parser for SQL filters (``<predicate>``) and rule actions (``<statements>``).

Precedence, loosest first: ``OR``; ``AND``; ``NOT``; comparisons, ``IS [NOT] NULL``, ``[NOT] IN``,
``[NOT] LIKE`` (not associative: ``a = b = c`` is an error); binary ``+ -``; ``* / %``; unary ``+ -``.
Parentheses group predicates and expressions alike, so one parser handles both and then checks that
each operand is of the kind the grammar wants there (``a AND 1`` and ``(a = 1) + 2`` are errors).

Beyond the grammar's text, checked here rather than on the first message: unknown ``sys.`` properties
(Azure fails at evaluation), constant LIKE patterns and escapes, integer constants outside Int64, and in
actions, system properties that cannot be set. Nesting is bounded (`MAX_NESTING` frames of recursion
into parentheses, NOT, signs and function calls; `MAX_DEPTH` levels of syntax tree, chains of AND/OR/+
included), so neither parsing nor evaluating or rendering a hostile expression exhausts the stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar, cast

from servicebus_emulator.sql import system
from servicebus_emulator.sql.errors import SqlSyntaxError
from servicebus_emulator.sql.lexer import Kind, Token, tokenize
from servicebus_emulator.sql.nodes import (
    And,
    ArithmeticOperator,
    Binary,
    Comparison,
    ComparisonOperator,
    Constant,
    Exists,
    Expression,
    Function,
    In,
    IsNull,
    Like,
    Not,
    Or,
    Predicate,
    Property,
    Remove,
    Scope,
    Set,
    Statement,
    Unary,
    UnaryOperator,
)
from servicebus_emulator.sql.values import like_regex

_INT64_MAX = 2**63 - 1
_COMPARISONS = ("=", "<>", "!=", ">", ">=", "<", "<=")
_PREDICATE_TYPES = (Comparison, IsNull, In, Like, Exists, Not, And, Or)
_PREDICATE_HINT = "a predicate (a comparison, IN, LIKE, IS NULL or EXISTS)"

MAX_DEPTH = 64
# Parser recursion, counted in Python frames: a parenthesis recurses through every precedence level (8
# frames), a function argument through 6, a sign or NOT through 1. `render` parenthesizes every compound
# node, so a tree MAX_DEPTH deep renders as at most 9 frames a level, which this budget still parses.
MAX_NESTING = 9 * MAX_DEPTH + 8
_PARENTHESIS_FRAMES = 8
_FUNCTION_FRAMES = 6

Node = Expression | Predicate
_N = TypeVar("_N", bound=Expression | Predicate)


def parse_predicate(text: str) -> Predicate:
    """Parse a filter's SQL expression; raises `SqlSyntaxError` naming the column of the problem."""
    parser = _Parser(text)
    predicate = parser.predicate(*parser.disjunction())
    parser.expect_end()
    return predicate


def parse_statements(text: str) -> tuple[Statement, ...]:
    """Parse a rule action's SQL expression (``SET``/``REMOVE`` statements)."""
    return _Parser(text).statements()


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0
        self.nesting = 0
        # Depth of every compound node built so far, keyed by id; the node is kept so its id stays unique.
        self.depths: dict[int, tuple[Node, int]] = {}

    # ------------------------------------------------------------------ token helpers

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def peek(self) -> Token:
        """The token after the current one (END at the end)."""
        return self.tokens[min(self.index + 1, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not Kind.END:
            self.index += 1
        return token

    def at_keyword(self, *words: str) -> bool:
        return self.token.kind is Kind.KEYWORD and self.token.value in words

    def at_symbol(self, *symbols: str) -> bool:
        return self.token.kind is Kind.SYMBOL and self.token.value in symbols

    def at_word(self, word: str) -> bool:
        return self.token.kind is Kind.IDENTIFIER and self.token.value.upper() == word

    def fail(self, expected: str, token: Token | None = None) -> SqlSyntaxError:
        token = token or self.token
        return SqlSyntaxError(f"expected {expected}, found {token.describe()}", token.position)

    def expect_symbol(self, symbol: str) -> Token:
        if not self.at_symbol(symbol):
            raise self.fail(f"'{symbol}'")
        return self.advance()

    def expect_keyword(self, word: str) -> Token:
        if not self.at_keyword(word):
            raise self.fail(word)
        return self.advance()

    def expect_end(self) -> None:
        if self.token.kind is not Kind.END:
            raise self.fail("AND, OR or end of input")

    # ------------------------------------------------------------------ nesting limits

    @contextmanager
    def nested(self, position: int, frames: int = 1) -> Iterator[None]:
        """Recurse once more (parenthesis, NOT, sign, function argument), within MAX_NESTING frames."""
        self.nesting += frames
        if self.nesting > MAX_NESTING:
            raise SqlSyntaxError("expression nested too deeply", position)
        try:
            yield
        finally:
            self.nesting -= frames

    def built(self, node: _N, position: int, *children: Node | None) -> _N:
        """Record a compound node's tree depth; a tree deeper than MAX_DEPTH is refused."""
        depth = 1 + max((self.depths.get(id(child), (child, 1))[1] for child in children), default=0)
        if depth > MAX_DEPTH:
            raise SqlSyntaxError(f"expression more than {MAX_DEPTH} levels deep", position)
        self.depths[id(node)] = (node, depth)
        return node

    # ------------------------------------------------------------------ kind checks

    @staticmethod
    def predicate(node: Node, position: int) -> Predicate:
        if not isinstance(node, _PREDICATE_TYPES):
            raise SqlSyntaxError(f"expected {_PREDICATE_HINT}, found an expression", position)
        return node

    @staticmethod
    def expression(node: Node, position: int) -> Expression:
        if isinstance(node, _PREDICATE_TYPES):
            raise SqlSyntaxError("expected an expression, found a predicate", position)
        return node

    # ------------------------------------------------------------------ predicates

    def disjunction(self) -> tuple[Node, int]:
        node, position = self.conjunction()
        while self.at_keyword("OR"):
            operator_position = self.advance().position
            right, right_position = self.conjunction()
            combined = Or(self.predicate(node, position), self.predicate(right, right_position))
            node = self.built(combined, operator_position, node, right)
        return node, position

    def conjunction(self) -> tuple[Node, int]:
        node, position = self.negation()
        while self.at_keyword("AND"):
            operator_position = self.advance().position
            right, right_position = self.negation()
            combined = And(self.predicate(node, position), self.predicate(right, right_position))
            node = self.built(combined, operator_position, node, right)
        return node, position

    def negation(self) -> tuple[Node, int]:
        if self.at_keyword("NOT"):
            position = self.advance().position
            with self.nested(position):
                operand, operand_position = self.negation()
            return self.built(Not(self.predicate(operand, operand_position)), position, operand), position
        return self.comparison()

    def comparison(self) -> tuple[Node, int]:
        left, position = self.additive()
        if self.at_symbol(*_COMPARISONS):
            operator = cast(ComparisonOperator, self.advance().value)
            right, right_position = self.additive()
            compared = Comparison(
                operator, self.expression(left, position), self.expression(right, right_position)
            )
            return self.built(compared, position, left, right), position
        if self.at_keyword("IS"):
            self.advance()
            negated = self.at_keyword("NOT")
            if negated:
                self.advance()
            self.expect_keyword("NULL")
            if not isinstance(left, Property):
                raise SqlSyntaxError("IS [NOT] NULL applies to a property only", position)
            return IsNull(left, negated), position
        negated = False
        if self.at_keyword("NOT"):
            negated = True
            self.advance()
            if not self.at_keyword("IN", "LIKE"):
                raise self.fail("IN or LIKE after NOT")
        if self.at_keyword("IN"):
            self.advance()
            items = self.in_list()
            return self.built(
                In(self.expression(left, position), items, negated), position, left, *items
            ), position
        if self.at_keyword("LIKE"):
            self.advance()
            like = self.like(self.expression(left, position), negated)
            return self.built(like, position, like.operand, like.pattern, like.escape), position
        return left, position

    def in_list(self) -> tuple[Expression, ...]:
        self.expect_symbol("(")
        items = [self.operand()]
        while self.at_symbol(","):
            self.advance()
            items.append(self.operand())
        self.expect_symbol(")")
        return tuple(items)

    def like(self, operand: Expression, negated: bool) -> Like:
        pattern_position = self.token.position
        pattern = self.operand()
        escape: Expression | None = None
        escape_position = 0
        if self.at_keyword("ESCAPE"):
            self.advance()
            escape_position = self.token.position
            escape = self.operand()
        self.check_like_constants(pattern, pattern_position, escape, escape_position)
        return Like(operand, pattern, escape, negated)

    @staticmethod
    def check_like_constants(
        pattern: Expression, pattern_position: int, escape: Expression | None, escape_position: int
    ) -> None:
        escape_char: str | None = None
        if isinstance(escape, Constant) and escape.value is not None:
            if not isinstance(escape.value, str) or len(escape.value) != 1:
                raise SqlSyntaxError("ESCAPE must be a string of one character", escape_position)
            escape_char = escape.value
        if isinstance(pattern, Constant) and pattern.value is not None:
            if not isinstance(pattern.value, str):
                raise SqlSyntaxError("the LIKE pattern must be a string", pattern_position)
            if escape is None or escape_char is not None:
                try:
                    like_regex(pattern.value, escape_char)
                except ValueError as error:
                    raise SqlSyntaxError(str(error), pattern_position) from None

    # ------------------------------------------------------------------ expressions

    def operand(self) -> Expression:
        node, position = self.additive()
        return self.expression(node, position)

    def additive(self) -> tuple[Node, int]:
        node, position = self.multiplicative()
        while self.at_symbol("+", "-"):
            operator_token = self.advance()
            operator = cast(ArithmeticOperator, operator_token.value)
            right, right_position = self.multiplicative()
            combined = Binary(
                operator, self.expression(node, position), self.expression(right, right_position)
            )
            node = self.built(combined, operator_token.position, node, right)
        return node, position

    def multiplicative(self) -> tuple[Node, int]:
        node, position = self.unary()
        while self.at_symbol("*", "/", "%"):
            operator_token = self.advance()
            operator = cast(ArithmeticOperator, operator_token.value)
            right, right_position = self.unary()
            combined = Binary(
                operator, self.expression(node, position), self.expression(right, right_position)
            )
            node = self.built(combined, operator_token.position, node, right)
        return node, position

    def unary(self) -> tuple[Node, int]:
        if self.at_symbol("+", "-"):
            sign = self.advance()
            number = self.token
            if sign.value == "-" and number.kind in (Kind.INTEGER, Kind.NUMBER) and number.number is not None:
                # A negative literal is one constant, which also lets -9223372036854775808 be written.
                self.advance()
                return Constant(-number.number), sign.position
            with self.nested(sign.position):
                operand, operand_position = self.unary()
            operator = cast(UnaryOperator, sign.value)
            signed = Unary(operator, self.expression(operand, operand_position))
            return self.built(signed, sign.position, operand), sign.position
        return self.primary()

    def primary(self) -> tuple[Node, int]:
        token = self.token
        if self.at_symbol("("):
            self.advance()
            with self.nested(token.position, _PARENTHESIS_FRAMES):
                node, _ = self.disjunction()
            self.expect_symbol(")")
            return node, token.position
        if token.kind is Kind.INTEGER and token.number is not None:
            if token.number > _INT64_MAX:
                raise SqlSyntaxError(
                    f"integer constant {token.value} is out of the Int64 range", token.position
                )
            self.advance()
            return Constant(token.number), token.position
        if token.kind is Kind.NUMBER and token.number is not None:
            self.advance()
            return Constant(float(token.number)), token.position
        if token.kind is Kind.STRING:
            self.advance()
            return Constant(token.value), token.position
        if self.at_keyword("TRUE", "FALSE", "NULL"):
            self.advance()
            return Constant({"TRUE": True, "FALSE": False, "NULL": None}[token.value]), token.position
        if self.at_keyword("EXISTS"):
            self.advance()
            self.expect_symbol("(")
            target = self.property()
            self.expect_symbol(")")
            return Exists(target), token.position
        if token.kind is Kind.IDENTIFIER and self.peek().value == "(":
            return self.function(), token.position
        if token.kind in (Kind.IDENTIFIER, Kind.DELIMITED):
            return self.property(), token.position
        raise self.fail("an expression")

    def function(self) -> Function:
        name = self.advance()
        self.expect_symbol("(")
        word = name.value.lower()
        if word == "newid":
            self.expect_symbol(")")
            return Function("newid", ())
        if word in ("property", "p"):
            with self.nested(name.position, _FUNCTION_FRAMES):
                argument = self.operand()
            self.expect_symbol(")")
            return self.built(Function("property", (argument,)), name.position, argument)
        raise SqlSyntaxError(
            f"unknown function '{name.value}' (expected newid(), property(name) or p(name))", name.position
        )

    def property(self) -> Property:
        token = self.token
        following = self.peek()
        if token.kind is Kind.IDENTIFIER and following.kind is Kind.SYMBOL and following.value == ".":
            scope_name = token.value.lower()
            if scope_name not in ("sys", "user"):
                raise SqlSyntaxError(f"unknown scope '{token.value}' (expected sys or user)", token.position)
            self.advance()
            self.advance()
            name = self.property_name()
            if scope_name == "sys":
                known = system.lookup(name.value)
                if known is None:
                    raise SqlSyntaxError(f"unknown system property '{name.value}'", name.position)
                return Property(Scope.SYSTEM, known.name)
            return Property(Scope.USER, name.value)
        return Property(Scope.USER, self.property_name().value)

    def property_name(self) -> Token:
        if self.token.kind not in (Kind.IDENTIFIER, Kind.DELIMITED):
            raise self.fail("a property name")
        return self.advance()

    # ------------------------------------------------------------------ actions

    def statements(self) -> tuple[Statement, ...]:
        statements = [self.statement()]
        while True:
            separated = False
            if self.at_symbol(";"):
                self.advance()
                separated = True
            if self.at_symbol(","):
                self.advance()
                separated = True
            if self.token.kind is Kind.END:
                return tuple(statements)
            if not separated:
                raise self.fail("',', ';' or end of input")
            statements.append(self.statement())

    def statement(self) -> Statement:
        if self.at_word("SET"):
            self.advance()
            target = self.assignable()
            self.expect_symbol("=")
            return Set(target, self.operand())
        if self.at_word("REMOVE"):
            self.advance()
            return Remove(self.assignable())
        raise self.fail("SET or REMOVE")

    def assignable(self) -> Property:
        position = self.token.position
        target = self.property()
        if target.scope is Scope.SYSTEM:
            known = system.lookup(target.name)
            if known is None or known.field is None:
                settable = ", ".join(p.name for p in system.SYSTEM_PROPERTIES.values() if p.field is not None)
                raise SqlSyntaxError(
                    f"sys.{target.name} cannot be changed by a rule action (settable: {settable})", position
                )
        return target
