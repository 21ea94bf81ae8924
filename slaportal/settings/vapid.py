"""The VAPID key pair Web Push is signed with (RFC 8292). Production gives it in the environment
(VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: base64url, the raw P-256 point and scalar, as `npx web-push
generate-vapid-keys` or `vapid --gen` print them). A developer's machine and the tests make one
on first use and keep it in var/, so the web server and the worker sign with the same key."""

import base64
import json
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def vapid_key_pair_generate() -> tuple[str, str]:
    """A new key pair as (public, private), base64url."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    private = key.private_numbers().private_value.to_bytes(32, "big")
    return _b64url(public), _b64url(private)


def vapid_dev_keys(path: Path) -> tuple[str, str]:
    """The key pair kept at `path`, made on first use (written whole, then renamed, so a second
    process starting at the same time reads one complete pair)."""
    try:
        stored = json.loads(path.read_text())
        return stored["public"], stored["private"]
    except (OSError, ValueError, KeyError):
        pass
    public, private = vapid_key_pair_generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as handle:
        json.dump({"public": public, "private": private}, handle)
    try:
        os.link(handle.name, path)
    except FileExistsError:
        stored = json.loads(path.read_text())
        public, private = stored["public"], stored["private"]
    finally:
        os.unlink(handle.name)
    return public, private
