"""The two ways a SQL filter or rule action fails: at parse time, and while evaluating a message."""

from __future__ import annotations


class SqlSyntaxError(ValueError):
    """The text is not a valid filter or action.

    ``position`` is the 1-based column of the offending character (the text counts as one line: a newline
    is one column). The message names what was expected and ends with ``at column N``, so a config
    loader can prefix it with the JSON path of the expression and show it as is.
    """

    def __init__(self, message: str, position: int) -> None:
        self.message = message
        self.position = position
        super().__init__(f"{message} at column {position}")


class SqlEvaluationError(Exception):
    """Evaluating a valid expression failed for this message.

    Azure raises these too (a filter exception): integer division by zero, an escape that is not one
    character, assigning a value a system property cannot hold.
    """
