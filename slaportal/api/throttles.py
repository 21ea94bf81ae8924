"""Throttles whose rates are read from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] at each request
(DRF's own read them once at import), so a test can change them with override_settings. A rate
of None switches that throttle off."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from slaportal.client_address import client_address


class _RateFromSettings:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        # The client's address as django-axes sees it, behind the trusted proxies.
        return client_address(request)


class UserThrottle(_RateFromSettings, UserRateThrottle):
    """Every request, per person (per address when anonymous)."""

    scope = "user"


class WriteThrottle(_RateFromSettings, UserRateThrottle):
    """Writes only, per person: filing, replying and logging are far rarer than reads."""

    scope = "write"

    def allow_request(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)


class LoginThrottle(_RateFromSettings, SimpleRateThrottle):
    """Token requests per client address, on top of django-axes' lockout per username and address:
    one address cannot try many usernames quickly either."""

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
