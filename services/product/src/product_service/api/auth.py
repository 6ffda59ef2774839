"""Admin bearer-token check for FastAPI routes; the verifiers themselves are ``servicekit.auth``'s, chosen
by ``PRODUCT_AUTH_MODE`` (``product-dev-token`` mints a dev token)."""

from __future__ import annotations

from typing import Any

from servicekit.auth import TokenVerifier, bearer_token
from servicekit.auth import require_role as require_claims_role


async def require_role(verifier: TokenVerifier, authorization: str | None, role: str) -> dict[str, Any]:
    claims = await verifier.verify(bearer_token(authorization))
    require_claims_role(claims, role)
    return claims
