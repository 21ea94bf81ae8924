"""The address a request came from, one answer for the API's throttles and django-axes' lockouts.

Directly reached, it is REMOTE_ADDR. Behind `TRUSTED_PROXY_COUNT` reverse proxies (Caddy in
docker-compose.yml, the balancer of scale/), REMOTE_ADDR is the nearest proxy's for every client:
the address is then the one the outermost trusted proxy saw, read from the right of
X-Forwarded-For, where each proxy appends the address it was reached from. What a client writes to
the left of it is not believed, so a forged header does not escape a throttle or a lockout."""

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded.strip():
        return remote
    addresses = [address.strip() for address in forwarded.split(",")]
    return addresses[-min(proxies, len(addresses))] or remote
