"""Test doubles for push: a transport that records what it is given, and a Web Push endpoint on
loopback that keeps the encrypted requests a push service would receive."""

import base64
import http.server
import os
import threading
import time

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from notifications.push import PushFailed, PushGone


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class FakeTransport:
    """Records every push; an endpoint containing `gone` is answered as gone, `down` as a failure."""

    sent: list[dict] = []

    def send(self, *, subscription, payload: dict, ttl: int) -> None:
        if "gone" in subscription.endpoint:
            raise PushGone(410)
        if "down" in subscription.endpoint:
            raise PushFailed("503 Service Unavailable")
        FakeTransport.sent.append({"endpoint": subscription.endpoint, "payload": payload, "ttl": ttl})


class BrowserKeys:
    """What a browser makes when it subscribes: a P-256 key pair and a 16-byte auth secret."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)


class PushService:
    """A push service on 127.0.0.1: keeps each POST (path, headers, body, arrival time) and answers
    201, or 410 for a path ending in /gone."""

    def __init__(self):
        self.received: list[dict] = []
        self.arrived = threading.Event()
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the name http.server calls
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = 410 if self.path.endswith("/gone") else 201
                service.received.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                        "at": time.monotonic(),
                    }
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                if status == 201:
                    service.arrived.set()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
