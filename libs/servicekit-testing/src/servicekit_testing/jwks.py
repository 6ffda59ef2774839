"""A JWKS endpoint standing in for Microsoft Entra ID, which cannot run here.

Serves the public half of an RSA key generated per instance on a loopback port and signs RS256 tokens
with the private half, so tests exercise ``EntraTokenVerifier`` over a real socket.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class JwksStandIn:
    def __init__(self, tenant_id: str, audience: str, roles: list[str]) -> None:
        self.tenant_id = tenant_id
        self.audience = audience
        self.roles = roles
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": "key-1", "use": "sig", "alg": "RS256"})
        body = json.dumps({"keys": [jwk]}).encode()
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/keys"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def issuer(self) -> str:
        return f"https://login.microsoftonline.com/{self.tenant_id}/v2.0"

    def token(self, **overrides: object) -> str:
        """An RS256 token valid for five minutes; ``overrides`` replace claims, ``kid`` the key id."""
        claims: dict[str, object] = {
            "sub": "admin-app",
            "iss": self.issuer,
            "aud": self.audience,
            "roles": self.roles,
            "exp": int(time.time()) + 300,
        }
        claims.update(overrides)
        kid = str(claims.pop("kid", "key-1"))
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": kid})

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@contextmanager
def jwks_stand_in(tenant_id: str, audience: str, roles: list[str]) -> Iterator[JwksStandIn]:
    server = JwksStandIn(tenant_id, audience, roles)
    try:
        yield server
    finally:
        server.close()
