"""Test support for the Python services and servicekit; a dev-only dependency, never in an image."""

from servicekit_testing.jwks import JwksStandIn, jwks_stand_in
from servicekit_testing.poison import PoisonCase, poison_cases

__all__ = ["JwksStandIn", "PoisonCase", "jwks_stand_in", "poison_cases"]
