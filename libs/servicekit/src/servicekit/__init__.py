"""Infrastructure the Python services share: logs, metrics, health, auth, message contracts, problem+json,
settings.

Nothing here knows a service's domain; services share contracts and infrastructure, never domain code.
"""
