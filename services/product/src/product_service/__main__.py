"""``python -m product_service``: the same as ``product-service`` (how the supervisor starts workers)."""

from product_service.entry import run

run()
