"""A small OpenID Connect provider for the sign-in tests, served from a thread on a free loopback
port: discovery, authorize (signs in the person the test chose, without a page), token (an RS256
ID token signed with a key made for the test), JWKS and userinfo."""

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KEY_ID = "test-key"


class Provider:
    def __init__(self, *, client_id: str, client_secret: str):
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        # The person the next authorize request signs in: the claims of their ID token.
        self.claims: dict = {}
        self._codes: dict[str, dict] = {}
        self._tokens: dict[str, dict] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def sign_in_as(self, **claims):
        self.claims = claims

    def _id_token(self, *, nonce: str) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **self.claims,
        }
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": KEY_ID})

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, data, status=200):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    return self._json(
                        {
                            "issuer": provider.issuer,
                            "authorization_endpoint": f"{provider.issuer}/authorize",
                            "token_endpoint": f"{provider.issuer}/token",
                            "jwks_uri": f"{provider.issuer}/jwks",
                            "userinfo_endpoint": f"{provider.issuer}/userinfo",
                            "id_token_signing_alg_values_supported": ["RS256"],
                        }
                    )
                if url.path == "/jwks":
                    jwk = json.loads(RSAAlgorithm.to_jwk(provider.key.public_key()))
                    return self._json({"keys": [{**jwk, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]})
                if url.path == "/authorize":
                    if query.get("client_id") != provider.client_id:
                        return self._json({"error": "unauthorized_client"}, 400)
                    code = secrets.token_urlsafe(16)
                    provider._codes[code] = {"nonce": query.get("nonce", ""), "claims": dict(provider.claims)}
                    self.send_response(302)
                    location = (
                        query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
                    )
                    self.send_header("Location", location)
                    self.end_headers()
                    return None
                if url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in provider._tokens:
                        return self._json({"error": "invalid_token"}, 401)
                    return self._json(provider._tokens[token])
                return self._json({"error": "not_found"}, 404)

            def do_POST(self):
                form = {
                    k: v[0]
                    for k, v in parse_qs(
                        self.rfile.read(int(self.headers["Content-Length"])).decode()
                    ).items()
                }
                if urlparse(self.path).path != "/token":
                    return self._json({"error": "not_found"}, 404)
                grant = provider._codes.pop(form.get("code", ""), None)
                if grant is None or form.get("client_secret") != provider.client_secret:
                    return self._json({"error": "invalid_grant"}, 400)
                access_token = secrets.token_urlsafe(16)
                provider._tokens[access_token] = grant["claims"]
                provider.claims, claims = grant["claims"], provider.claims
                id_token = provider._id_token(nonce=grant["nonce"])
                provider.claims = claims
                return self._json(
                    {"access_token": access_token, "token_type": "Bearer", "id_token": id_token}
                )

        return Handler
