"""The only modules that know an SDK or the outside world: one module per SDK or external system."""
