"""Test data from Faker with a fixed seed: the same run asks for the same customers, searches and carts.

The customer pool comes from SHOP_LOAD_SEED; each simulated user draws from it with its own generator
seeded from SHOP_LOAD_SEED and the user's number, so a rerun repeats itself. Idempotency keys are the one
thing that must differ between runs (a repeated key would replay an earlier order), so they are random.
"""

from __future__ import annotations

import itertools
import os
import random
import uuid

from faker import Faker

from shoploads import mix

SEED = int(os.environ.get("SHOP_LOAD_SEED", "1616"))
_user_numbers = itertools.count()


def _customer_pool(seed: int, size: int = 200) -> list[dict[str, str]]:
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    return [{"email": faker.unique.email(safe=True), "name": faker.name()} for _ in range(size)]


CUSTOMERS = _customer_pool(SEED)
_WORDS = ["mug", "tea", "linen", "lamp", "cotton", "oak", "blue", "glass"]


class ShopData:
    """One simulated user's draws."""

    def __init__(self, seed: int | None = None) -> None:
        self.random = random.Random(SEED * 1_000_003 + next(_user_numbers) if seed is None else seed)

    def customer(self) -> dict[str, str]:
        return self.random.choice(CUSTOMERS)

    def search_term(self) -> str:
        return self.random.choice(_WORDS)

    def card(self) -> str:
        return self.random.choices(list(mix.CARDS), weights=list(mix.CARDS.values()))[0]

    def cart(self, product_ids: list[str]) -> list[dict[str, object]]:
        lines = self.random.choices(list(mix.LINES), weights=list(mix.LINES.values()))[0]
        chosen = self.random.sample(product_ids, k=min(lines, len(product_ids)))
        return [{"productId": pid, "quantity": self.random.randint(1, 2)} for pid in chosen]

    def pick(self, items: list[str]) -> str:
        return self.random.choice(items)

    @staticmethod
    def idempotency_key() -> str:
        return str(uuid.uuid4())
