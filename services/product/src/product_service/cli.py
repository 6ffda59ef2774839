"""Console scripts besides the server: ``product-seed`` and ``product-dev-token``."""

from __future__ import annotations

import argparse
import asyncio

from servicekit.auth import mint_dev_token

from product_service.metrics import Metrics
from product_service.runtime import build_runtime
from product_service.seed import SeedReport, seed_catalog
from product_service.settings import AuthMode, Settings


def seed() -> None:
    """Loads the demo catalog into the configured Cosmos DB and Blob container (idempotent)."""
    argparse.ArgumentParser(prog="product-seed", description=seed.__doc__).parse_args()

    async def run() -> SeedReport:
        runtime = await build_runtime(Settings(), Metrics())  # type: ignore[call-arg]  # from environment
        try:
            return await seed_catalog(runtime.catalog)
        finally:
            await runtime.verifier.close()
            await runtime.clients.close()

    report = asyncio.run(run())
    print(
        f"products created: {report.created}, already present: {report.existing}, "
        f"images uploaded: {report.images}"
    )


def dev_token() -> None:
    """Prints an admin bearer token signed with the local development key (PRODUCT_AUTH_MODE=dev only)."""
    parser = argparse.ArgumentParser(prog="product-dev-token", description=dev_token.__doc__)
    parser.add_argument("--subject", default="dev-admin")
    parser.add_argument("--lifetime", type=int, default=3600, help="seconds (default 3600)")
    args = parser.parse_args()
    settings = Settings()  # type: ignore[call-arg]  # from environment
    if settings.auth_mode is not AuthMode.DEV:
        parser.exit(2, "product-dev-token needs PRODUCT_AUTH_MODE=dev\n")
    print(mint_dev_token(settings, args.subject, [settings.auth_admin_role], args.lifetime))
