"""How the Azure SDK clients of a service make HTTP requests (azure-core's aiohttp transport).

By default azure-core lets aiohttp consult the environment on every request (the proxy variables and
``~/.netrc``), which aiohttp does on a worker thread: two thread hops per Table, Blob or Cosmos DB call, a
sixth of the payment worker's CPU per payment and a good part of each notification event's in the load
gate's profile. Without a proxy in the environment there is nothing to find, so it is turned off; with one
(``HTTPS_PROXY`` and friends) the default stays and requests go through the proxy.
"""

from __future__ import annotations

from typing import Any
from urllib.request import getproxies


def proxy_configured() -> bool:
    """Whether the environment names a proxy (the ``<scheme>_proxy`` variables urllib and aiohttp read;
    ``no_proxy`` alone names none)."""
    return any(scheme != "no" for scheme in getproxies())


def transport_options() -> dict[str, Any]:
    """Keyword arguments for an Azure SDK client's constructor."""
    return {} if proxy_configured() else {"use_env_settings": False}
