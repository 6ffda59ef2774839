from __future__ import annotations

import pytest
from servicebus_emulator.sql.errors import SqlSyntaxError
from servicebus_emulator.sql.nodes import (
    And,
    Binary,
    Comparison,
    Constant,
    Exists,
    Function,
    In,
    IsNull,
    Like,
    Not,
    Or,
    Property,
    Remove,
    Scope,
    Set,
    Unary,
)
from servicebus_emulator.sql.parser import parse_predicate, parse_statements


def user(name: str) -> Property:
    return Property(Scope.USER, name)


def system(name: str) -> Property:
    return Property(Scope.SYSTEM, name)


A, B, C = user("a"), user("b"), user("c")
NOT_A_PREDICATE = (
    "expected a predicate (a comparison, IN, LIKE, IS NULL or EXISTS), found an expression at column "
)
OUT_OF_RANGE = "integer constant 9223372036854775808 is out of the Int64 range at column "
ONE, TWO = Constant(1), Constant(2)


@pytest.mark.parametrize("operator", ["=", "<>", "!=", ">", ">=", "<", "<="])
def test_parse_reads_every_comparison_operator(operator: str) -> None:
    assert parse_predicate(f"a {operator} 1") == Comparison(operator, A, ONE)  # type: ignore[arg-type]


def test_parse_reads_trivial_true_and_false_filters() -> None:
    assert parse_predicate("1=1") == Comparison("=", ONE, ONE)
    assert parse_predicate("1=0") == Comparison("=", ONE, Constant(0))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1894", 1894),
        ("1894.1204", 1894.1204),
        ("101.5E5", 101.5e5),
        ("'it''s'", "it's"),
        ("''", ""),
        ("TRUE", True),
        ("false", False),
        ("NULL", None),
        ("-5", -5),
        ("- 2.5", -2.5),
        ("-9223372036854775808", -(2**63)),
        ("9223372036854775807", 2**63 - 1),
    ],
)
def test_parse_reads_constants_with_their_types(text: str, value: object) -> None:
    parsed = parse_predicate(f"{text} = a")
    assert parsed == Comparison("=", Constant(value), A)  # type: ignore[arg-type]


def test_parse_keeps_true_and_one_apart() -> None:
    assert parse_predicate("a = TRUE") != parse_predicate("a = 1")
    assert parse_predicate("a = 1") != parse_predicate("a = 1.0")


def test_parse_reads_scopes_case_insensitively_and_canonicalizes_system_names() -> None:
    assert parse_predicate("SYS.label = USER.x") == Comparison("=", system("Label"), user("x"))
    assert parse_predicate("sys.subject = 1") == Comparison("=", system("Subject"), ONE)
    assert parse_predicate("sys.[MessageId] = 1") == Comparison("=", system("MessageId"), ONE)


def test_parse_reads_delimited_and_quoted_identifiers() -> None:
    assert parse_predicate("[Property With Space] = 1") == Comparison("=", user("Property With Space"), ONE)
    assert parse_predicate("user.[HR-EmployeeID] = 1") == Comparison("=", user("HR-EmployeeID"), ONE)
    assert parse_predicate('"Contoso & Northwind" = 1') == Comparison("=", user("Contoso & Northwind"), ONE)
    assert parse_predicate("[AND] = 1") == Comparison("=", user("AND"), ONE)


def test_parse_treats_sys_without_a_dot_as_a_user_property() -> None:
    assert parse_predicate("sys = 1") == Comparison("=", user("sys"), ONE)


def test_parse_reads_arithmetic_with_precedence_and_left_associativity() -> None:
    assert parse_predicate("a + b * c - 1 = 2") == Comparison(
        "=", Binary("-", Binary("+", A, Binary("*", B, C)), ONE), TWO
    )
    assert parse_predicate("a / b % c = 1") == Comparison("=", Binary("%", Binary("/", A, B), C), ONE)
    assert parse_predicate("(a + b) * c = 1") == Comparison("=", Binary("*", Binary("+", A, B), C), ONE)


def test_parse_reads_unary_operators() -> None:
    assert parse_predicate("-a = +b") == Comparison("=", Unary("-", A), Unary("+", B))
    assert parse_predicate("--1 = 1") == Comparison("=", Unary("-", Constant(-1)), ONE)
    assert parse_predicate("-(1) = a") == Comparison("=", Unary("-", ONE), A)
    assert parse_predicate("a - -1 = 1") == Comparison("=", Binary("-", A, Constant(-1)), ONE)


def test_parse_binds_not_tighter_than_and_and_and_tighter_than_or() -> None:
    p, q, r = (Comparison("=", x, ONE) for x in (A, B, C))
    assert parse_predicate("a = 1 OR b = 1 AND c = 1") == Or(p, And(q, r))
    assert parse_predicate("NOT a = 1 AND b = 1") == And(Not(p), q)
    assert parse_predicate("NOT (a = 1 AND b = 1)") == Not(And(p, q))
    assert parse_predicate("(a = 1 OR b = 1) AND c = 1") == And(Or(p, q), r)
    assert parse_predicate("a = 1 OR b = 1 OR c = 1") == Or(Or(p, q), r)
    assert parse_predicate("NOT NOT a = 1") == Not(Not(p))


def test_parse_reads_is_null_in_like_and_exists() -> None:
    assert parse_predicate("a IS NULL") == IsNull(A)
    assert parse_predicate("a is not null") == IsNull(A, negated=True)
    assert parse_predicate("a IN (1, 'x', b)") == In(A, (ONE, Constant("x"), B))
    assert parse_predicate("a NOT IN (1)") == In(A, (ONE,), negated=True)
    assert parse_predicate("a LIKE 'x%'") == Like(A, Constant("x%"))
    assert parse_predicate("a NOT LIKE b") == Like(A, B, negated=True)
    assert parse_predicate("a LIKE 'ABC\\%' ESCAPE '\\'") == Like(A, Constant("ABC\\%"), Constant("\\"))
    assert parse_predicate("EXISTS(a)") == Exists(A)
    assert parse_predicate("exists ( sys.To )") == Exists(system("To"))


def test_parse_reads_functions() -> None:
    assert parse_predicate("newid() = a") == Comparison("=", Function("newid", ()), A)
    assert parse_predicate("property('a') = P(b)") == Comparison(
        "=", Function("property", (Constant("a"),)), Function("property", (B,))
    )


def test_parse_lets_arithmetic_bind_tighter_than_comparison_operators() -> None:
    assert parse_predicate("a + 1 IN (b * 2)") == In(Binary("+", A, ONE), (Binary("*", B, TWO),))
    assert parse_predicate("a + 'x' LIKE b + '%'") == Like(
        Binary("+", A, Constant("x")), Binary("+", B, Constant("%"))
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected an expression, found end of input at column 1"),
        ("a =", "expected an expression, found end of input at column 4"),
        ("(a = 1", "expected ')', found end of input at column 7"),
        ("sys.Label = 'x' AND (b = 1 OR c = 2", "expected ')', found end of input at column 36"),
        (
            "(b = 1 OR c",
            NOT_A_PREDICATE + "11",
        ),
        ("a = 1)", "expected AND, OR or end of input, found ')' at column 6"),
        ("a = 1 = 2", "expected AND, OR or end of input, found '=' at column 7"),
        ("a = 1 b = 2", "expected AND, OR or end of input, found 'b' at column 7"),
        (
            "a",
            NOT_A_PREDICATE + "1",
        ),
        (
            "TRUE",
            NOT_A_PREDICATE + "1",
        ),
        (
            "a = 1 AND b",
            NOT_A_PREDICATE + "11",
        ),
        (
            "NOT a",
            NOT_A_PREDICATE + "5",
        ),
        ("(a = 1) + 2 = 3", "expected an expression, found a predicate at column 1"),
        ("a = (b = 1)", "expected an expression, found a predicate at column 5"),
        ("a AND", "expected an expression, found end of input at column 6"),
        ("a = 1 AND", "expected an expression, found end of input at column 10"),
        ("a = 1 OR OR b = 1", "expected an expression, found 'OR' at column 10"),
        ("a IS 1", "expected NULL, found '1' at column 6"),
        ("a IS NOT", "expected NULL, found end of input at column 9"),
        ("1 IS NULL", "IS [NOT] NULL applies to a property only at column 1"),
        ("a NOT = 1", "expected IN or LIKE after NOT, found '=' at column 7"),
        ("a IN 1", "expected '(', found '1' at column 6"),
        ("a IN ()", "expected an expression, found ')' at column 7"),
        ("a IN (1,)", "expected an expression, found ')' at column 9"),
        ("a IN (1 2)", "expected ')', found '2' at column 9"),
        ("a LIKE", "expected an expression, found end of input at column 7"),
        ("a LIKE 5", "the LIKE pattern must be a string at column 8"),
        ("a LIKE 'x' ESCAPE", "expected an expression, found end of input at column 18"),
        ("a LIKE 'x' ESCAPE 'ab'", "ESCAPE must be a string of one character at column 19"),
        ("a LIKE 'x' ESCAPE 1", "ESCAPE must be a string of one character at column 19"),
        ("a LIKE 'x!' ESCAPE '!'", "the LIKE pattern ends with its escape character at column 8"),
        ("EXISTS a", "expected '(', found 'a' at column 8"),
        ("EXISTS(1)", "expected a property name, found '1' at column 8"),
        ("EXISTS(a", "expected ')', found end of input at column 9"),
        ("sys.Nope = 1", "unknown system property 'Nope' at column 5"),
        ("app.x = 1", "unknown scope 'app' (expected sys or user) at column 1"),
        ("user. = 1", "expected a property name, found '=' at column 7"),
        ("user.NULL = 1", "expected a property name, found 'NULL' at column 6"),
        (
            "upper(a) = 1",
            "unknown function 'upper' (expected newid(), property(name) or p(name)) at column 1",
        ),
        ("newid(1) = a", "expected ')', found '1' at column 7"),
        ("property() = a", "expected an expression, found ')' at column 10"),
        ("property(a, b) = 1", "expected ')', found ',' at column 11"),
        (
            "a = 9223372036854775808",
            OUT_OF_RANGE + "5",
        ),
        (
            "a = +9223372036854775808",
            OUT_OF_RANGE + "6",
        ),
        ("a * = 1", "expected an expression, found '=' at column 5"),
        (
            "a = 'x' AND sys.Label LIKE '%bus%' OR ( user.tag IN ('q', 't') AND",
            "expected an expression, found end of input at column 67",
        ),
    ],
)
def test_parse_rejects_malformed_filters_naming_what_was_expected_and_the_column(
    text: str, message: str
) -> None:
    with pytest.raises(SqlSyntaxError) as caught:
        parse_predicate(text)
    assert str(caught.value) == message


def test_syntax_error_keeps_message_and_position_apart() -> None:
    with pytest.raises(SqlSyntaxError) as caught:
        parse_predicate("(a = 1")
    assert (caught.value.message, caught.value.position) == ("expected ')', found end of input", 7)


def test_parse_statements_reads_set_and_remove_with_any_separator() -> None:
    assert parse_statements("SET a = 1") == (Set(A, ONE),)
    assert parse_statements("set sys.Label = 'x'; remove b;") == (
        Set(system("Label"), Constant("x")),
        Remove(B),
    )
    assert parse_statements("SET a = a / 2, REMOVE b ; , SET c = 'q'") == (
        Set(A, Binary("/", A, TWO)),
        Remove(B),
        Set(C, Constant("q")),
    )
    assert parse_statements("SET [a b] = NULL") == (Set(user("a b"), Constant(None)),)


def test_parse_statements_lets_set_and_remove_name_properties() -> None:
    assert parse_statements("SET set = remove") == (Set(user("set"), user("remove")),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected SET or REMOVE, found end of input at column 1"),
        ("DELETE a", "expected SET or REMOVE, found 'DELETE' at column 1"),
        ("SET a", "expected '=', found end of input at column 6"),
        ("SET a 1", "expected '=', found '1' at column 7"),
        ("SET a =", "expected an expression, found end of input at column 8"),
        ("SET a = b = c", "expected ',', ';' or end of input, found '=' at column 11"),
        ("SET a = 1 SET b = 2", "expected ',', ';' or end of input, found 'SET' at column 11"),
        ("SET a = 1;;", "expected SET or REMOVE, found ';' at column 11"),
        ("SET a = (b = 1)", "expected an expression, found a predicate at column 9"),
        ("REMOVE", "expected a property name, found end of input at column 7"),
        ("SET 1 = 1", "expected a property name, found '1' at column 5"),
        ("SET sys.Nope = 1", "unknown system property 'Nope' at column 9"),
    ],
)
def test_parse_statements_rejects_malformed_actions_with_the_column(text: str, message: str) -> None:
    with pytest.raises(SqlSyntaxError) as caught:
        parse_statements(text)
    assert str(caught.value) == message


@pytest.mark.parametrize("name", ["SequenceNumber", "EnqueuedTimeUtc", "DeliveryCount", "Size", "LockToken"])
def test_parse_statements_refuses_to_change_broker_assigned_system_properties(name: str) -> None:
    with pytest.raises(
        SqlSyntaxError, match=rf"^sys\.{name} cannot be changed by a rule action .* at column 5$"
    ):
        parse_statements(f"SET sys.{name} = 1")
    with pytest.raises(SqlSyntaxError, match=rf"^sys\.{name} cannot be changed"):
        parse_statements(f"REMOVE sys.{name}")
