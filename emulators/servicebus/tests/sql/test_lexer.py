from __future__ import annotations

import pytest
from servicebus_emulator.sql.errors import SqlSyntaxError
from servicebus_emulator.sql.lexer import Kind, is_regular_identifier, tokenize


def kinds(text: str) -> list[tuple[Kind, str]]:
    return [(t.kind, t.value) for t in tokenize(text)[:-1]]


def test_tokenize_uppercases_keywords_and_keeps_identifiers_as_written() -> None:
    assert kinds("not Label and") == [
        (Kind.KEYWORD, "NOT"),
        (Kind.IDENTIFIER, "Label"),
        (Kind.KEYWORD, "AND"),
    ]


def test_tokenize_reads_unicode_letters_digits_and_underscores_in_identifiers() -> None:
    assert kinds("Größe_2 ménage") == [(Kind.IDENTIFIER, "Größe_2"), (Kind.IDENTIFIER, "ménage")]


def test_tokenize_unescapes_doubled_quotes_in_strings_and_identifiers() -> None:
    assert kinds('\'it\'\'s\' [a]]b] "say ""hi"""') == [
        (Kind.STRING, "it's"),
        (Kind.DELIMITED, "a]b"),
        (Kind.DELIMITED, 'say "hi"'),
    ]


@pytest.mark.parametrize(
    ("text", "kind", "number"),
    [
        ("1894", Kind.INTEGER, 1894),
        ("1894.1204", Kind.NUMBER, 1894.1204),
        ("2.0", Kind.NUMBER, 2.0),
        ("101.5E5", Kind.NUMBER, 101.5e5),
        ("0.5E-2", Kind.NUMBER, 0.5e-2),
        ("1e+3", Kind.NUMBER, 1000.0),
        (".5", Kind.NUMBER, 0.5),
    ],
)
def test_tokenize_reads_integer_decimal_and_approximate_numbers(text: str, kind: Kind, number: float) -> None:
    (token, end) = tokenize(text)
    assert (token.kind, token.number, end.kind) == (kind, number, Kind.END)
    assert type(token.number) is type(number)


def test_tokenize_reads_two_character_operators_before_one_character_ones() -> None:
    assert [t.value for t in tokenize("<> != >= <= < > =")[:-1]] == ["<>", "!=", ">=", "<=", "<", ">", "="]


def test_tokenize_records_one_based_columns() -> None:
    assert [t.position for t in tokenize("a  = 'x'")] == [1, 4, 6, 9]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a = 'open", "unterminated string constant (expected closing ') at column 5"),
        ("[open = 1", "unterminated delimited identifier (expected closing ]) at column 1"),
        ('"open = 1', 'unterminated quoted identifier (expected closing ") at column 1'),
        ("a = 1 # x", "unexpected character '#' at column 7"),
        ("a = 1e", "expected digits in the exponent at column 7"),
        ("a = 1e+", "expected digits in the exponent at column 8"),
        ("a = 12b", "unexpected 'b' after a number at column 7"),
        ("a = 1.2.3", "unexpected '.' after a number at column 8"),
        (
            "a = 99999999999999999999",
            "integer constant 99999999999999999999 is out of the Int64 range at column 5",
        ),
        ("a = 1e999", "number 1e999 is out of the double range at column 5"),
        ("_a = 1", "unexpected character '_' at column 1"),
    ],
)
def test_tokenize_rejects_malformed_tokens_with_their_column(text: str, message: str) -> None:
    with pytest.raises(SqlSyntaxError) as caught:
        tokenize(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("name", "regular"),
    [
        ("Label", True),
        ("a_1", True),
        ("_a", False),
        ("1a", False),
        ("a b", False),
        ("and", False),
        ("", False),
    ],
)
def test_is_regular_identifier_follows_azure_identifier_rule(name: str, regular: bool) -> None:
    assert is_regular_identifier(name) is regular
