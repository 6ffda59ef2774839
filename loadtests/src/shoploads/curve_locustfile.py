"""The load suite under the stepped shape of the capacity curve (`make load-curve`)."""

from shoploads.gate import EXIT_BAD_INPUT
from shoploads.shape import StepCurve
from shoploads.users import Admin, Browser, ReturningCustomer, Shopper

__all__ = ["EXIT_BAD_INPUT", "Admin", "Browser", "ReturningCustomer", "Shopper", "StepCurve"]
