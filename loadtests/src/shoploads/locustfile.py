"""The load suite: the shop's users and the gate's hooks. `locust -f` this file (or use `shop-load`)."""

from shoploads.gate import EXIT_BAD_INPUT
from shoploads.users import Admin, Browser, ReturningCustomer, Shopper

__all__ = ["EXIT_BAD_INPUT", "Admin", "Browser", "ReturningCustomer", "Shopper"]
