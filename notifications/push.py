"""How a push leaves for a device: one transport per platform behind one interface.

    transport_for(platform).send(subscription=…, payload={"title", "body", "url", "kind", "tag"}, ttl=…)

raises `PushGone` when the push service says the device is no longer there (Web Push 404/410,
FCM `UNREGISTERED`, APNs 410), which removes the subscription, and `PushFailed` for anything
worth trying again. Which class serves a platform is `settings.PUSH_TRANSPORTS`, so tests put a
fake in its place and a new platform is one class."""

import base64
import functools
import json
import threading
import time

import httpx
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from django.conf import settings
from django.utils.module_loading import import_string
from pywebpush import WebPushException, webpush

from .models import PushSubscription

TIMEOUT_SECONDS = 10


class PushGone(Exception):
    """The device is gone: its subscription is removed."""


class PushFailed(Exception):
    """The push service did not take the message now: try again later."""


def transport_for(platform: str):
    return _transport_class(platform)()


@functools.cache
def _transport_class(platform: str):
    return import_string(settings.PUSH_TRANSPORTS[platform])


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class WebPushTransport:
    """Web Push (RFC 8030) with the payload encrypted for the browser (RFC 8291, aes128gcm) and
    signed with the site's VAPID key (RFC 8292)."""

    def send(self, *, subscription: PushSubscription, payload: dict, ttl: int) -> None:
        if not settings.VAPID_PRIVATE_KEY:
            raise PushFailed("VAPID_PRIVATE_KEY is not set")
        try:
            webpush(
                subscription_info={
                    "endpoint": subscription.endpoint,
                    "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
                },
                data=json.dumps(payload),
                vapid_private_key=settings.VAPID_PRIVATE_KEY,
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                ttl=ttl,
                content_encoding="aes128gcm",
                timeout=TIMEOUT_SECONDS,
            )
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            if status in (404, 410):
                raise PushGone(status) from exc
            raise PushFailed(str(exc)[:500]) from exc
        except requests.RequestException as exc:
            raise PushFailed(repr(exc)[:500]) from exc


class _AccessToken:
    """A Google OAuth access token for the FCM service account, fetched with a signed JWT
    assertion and kept until shortly before it expires."""

    def __init__(self):
        self._lock = threading.Lock()
        self._token = ""
        self._expires = 0.0

    def get(self) -> str:
        with self._lock:
            if time.time() < self._expires - 60:
                return self._token
            with open(settings.FCM_SERVICE_ACCOUNT_FILE) as handle:
                account = json.load(handle)
            now = int(time.time())
            header = _b64url(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
            claims = _b64url(
                json.dumps(
                    {
                        "iss": account["client_email"],
                        "scope": "https://www.googleapis.com/auth/firebase.messaging",
                        "aud": account["token_uri"],
                        "iat": now,
                        "exp": now + 3600,
                    }
                ).encode()
            )
            key = serialization.load_pem_private_key(account["private_key"].encode(), password=None)
            signature = key.sign(f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
            response = requests.post(
                account["token_uri"],
                data={
                    "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                    "assertion": f"{header}.{claims}.{_b64url(signature)}",
                },
                timeout=TIMEOUT_SECONDS,
            )
            response.raise_for_status()
            body = response.json()
            self._token, self._expires = body["access_token"], time.time() + int(body["expires_in"])
            return self._token


_fcm_token = _AccessToken()


class FcmTransport:
    """Android (and any FCM client): the HTTP v1 API, the endpoint being the app's registration token."""

    def send(self, *, subscription: PushSubscription, payload: dict, ttl: int) -> None:
        if not (settings.FCM_PROJECT_ID and settings.FCM_SERVICE_ACCOUNT_FILE):
            raise PushFailed("FCM_PROJECT_ID / FCM_SERVICE_ACCOUNT_FILE are not set")
        message = {
            "token": subscription.endpoint,
            "notification": {"title": payload["title"], "body": payload["body"]},
            "data": {key: str(value) for key, value in payload.items()},
            "android": {"ttl": f"{ttl}s", "collapse_key": payload.get("tag", "")},
        }
        try:
            response = requests.post(
                f"https://fcm.googleapis.com/v1/projects/{settings.FCM_PROJECT_ID}/messages:send",
                json={"message": message},
                headers={"Authorization": f"Bearer {_fcm_token.get()}"},
                timeout=TIMEOUT_SECONDS,
            )
        except (requests.RequestException, OSError, KeyError, ValueError) as exc:
            raise PushFailed(repr(exc)[:500]) from exc
        if response.status_code == 404 or "UNREGISTERED" in response.text:
            raise PushGone(response.status_code)
        if response.status_code >= 300:
            raise PushFailed(f"{response.status_code} {response.text[:400]}")


class ApnsTransport:
    """iOS: APNs over HTTP/2 with a token key (ES256 JWT), the endpoint being the device token."""

    def _jwt(self) -> str:
        with open(settings.APNS_KEY_FILE, "rb") as handle:
            key = serialization.load_pem_private_key(handle.read(), password=None)
        header = _b64url(json.dumps({"alg": "ES256", "kid": settings.APNS_KEY_ID}).encode())
        claims = _b64url(json.dumps({"iss": settings.APNS_TEAM_ID, "iat": int(time.time())}).encode())
        r, s = decode_dss_signature(key.sign(f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256())))
        return f"{header}.{claims}.{_b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def send(self, *, subscription: PushSubscription, payload: dict, ttl: int) -> None:
        if not (
            settings.APNS_KEY_FILE and settings.APNS_KEY_ID and settings.APNS_TEAM_ID and settings.APNS_TOPIC
        ):
            raise PushFailed("APNS_KEY_FILE / APNS_KEY_ID / APNS_TEAM_ID / APNS_TOPIC are not set")
        body = {
            "aps": {"alert": {"title": payload["title"], "body": payload["body"]}, "sound": "default"},
            "url": payload.get("url", ""),
            "kind": payload.get("kind", ""),
        }
        try:
            with httpx.Client(http2=True, timeout=TIMEOUT_SECONDS) as client:
                response = client.post(
                    f"{settings.APNS_HOST.rstrip('/')}/3/device/{subscription.endpoint}",
                    json=body,
                    headers={
                        "authorization": f"bearer {self._jwt()}",
                        "apns-topic": settings.APNS_TOPIC,
                        "apns-push-type": "alert",
                        "apns-expiration": str(int(time.time()) + ttl),
                        "apns-collapse-id": payload.get("tag", "")[:64],
                    },
                )
        except (httpx.HTTPError, OSError, ValueError) as exc:
            raise PushFailed(repr(exc)[:500]) from exc
        if (
            response.status_code == 410
            or "BadDeviceToken" in response.text
            or "Unregistered" in response.text
        ):
            raise PushGone(response.status_code)
        if response.status_code >= 300:
            raise PushFailed(f"{response.status_code} {response.text[:400]}")
