"""The local emulators' public, well-known credentials: the same in every Azurite and Cosmos DB emulator
install, published in their documentation, and opening nothing real. harness/platform.yaml gives them to
the services; tests, benches and tools that talk to an emulator themselves take them from here."""

from __future__ import annotations

AZURITE_ACCOUNT_NAME = "devstoreaccount1"
AZURITE_ACCOUNT_KEY = (
    # pragma: allowlist nextline secret
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
COSMOS_EMULATOR_KEY = (
    # pragma: allowlist nextline secret
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
)


def azurite_connection_string(
    *, blob: str | None = None, queue: str | None = None, table: str | None = None
) -> str:
    """A Storage connection string for Azurite's account with the given endpoints, each a URL that ends in
    the account (``http://127.0.0.1:10002/devstoreaccount1``)."""
    endpoints = {"BlobEndpoint": blob, "QueueEndpoint": queue, "TableEndpoint": table}
    given = "".join(f"{name}={url};" for name, url in endpoints.items() if url is not None)
    if not given:
        raise ValueError("azurite_connection_string needs at least one endpoint")
    return (
        f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT_NAME};"
        f"AccountKey={AZURITE_ACCOUNT_KEY};{given}"
    )
