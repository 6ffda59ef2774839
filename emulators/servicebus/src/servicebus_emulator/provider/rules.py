"""`Rules`: the rules of a subscription, changed at run time (kept in memory only)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from servicebus_emulator.errors import EntityAlreadyExistsError, EntityNotFoundError, InvalidOperationError
from servicebus_emulator.filters import Rule
from servicebus_emulator.model import EntityKind
from servicebus_emulator.provider.entities import Entities
from servicebus_emulator.provider.records import Entity, Target

log = logging.getLogger(__package__)


@dataclass(frozen=True, slots=True, eq=False)
class Rules:
    """Listing, adding and removing subscription rules."""

    entities: Entities

    def _subscription(self, target: Target) -> Entity:
        entity = self.entities.get(target)
        if entity.kind is not EntityKind.SUBSCRIPTION:
            raise InvalidOperationError(
                f"'{entity.path}' is not a subscription; only subscriptions have rules"
            )
        return entity

    def rules(self, target: Target) -> tuple[Rule, ...]:
        return self._subscription(target).rules

    def add_rule(self, target: Target, rule: Rule) -> None:
        """Add a rule at run time (kept in memory: a restart goes back to the config's rules)."""
        entity = self._subscription(target)
        if any(existing.name.casefold() == rule.name.casefold() for existing in entity.rules):
            raise EntityAlreadyExistsError(f"The rule '{rule.name}' already exists on '{entity.path}'.")
        entity.rules = (*entity.rules, rule)
        log.info("rule added", extra={"entity": entity.path, "rule": rule.name})

    def remove_rule(self, target: Target, name: str) -> None:
        entity = self._subscription(target)
        kept = tuple(rule for rule in entity.rules if rule.name.casefold() != name.casefold())
        if len(kept) == len(entity.rules):
            raise EntityNotFoundError(f"{entity.path}/Rules/{name}")
        entity.rules = kept
        log.info("rule removed", extra={"entity": entity.path, "rule": name})
