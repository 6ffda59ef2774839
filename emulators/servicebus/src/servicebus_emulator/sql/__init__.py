"""Azure Service Bus SQL filters and rule actions: parser, evaluator and the rule pieces built on them.

    from servicebus_emulator.sql import parse_filter, parse_action, SqlSyntaxError

    parse_filter("sys.Label = 'paid' AND amount > 10").matches(message)
    parse_action("SET sys.Label = 'routed'; REMOVE secret").apply(message)

See README.md in this folder for the grammar, the semantics and where they differ from Azure.
"""

from servicebus_emulator.sql.errors import SqlEvaluationError, SqlSyntaxError
from servicebus_emulator.sql.rules import (
    ActionResult,
    SqlFilter,
    SqlRuleAction,
    parse_action,
    parse_filter,
)

__all__ = [
    "ActionResult",
    "SqlEvaluationError",
    "SqlFilter",
    "SqlRuleAction",
    "SqlSyntaxError",
    "parse_action",
    "parse_filter",
]
