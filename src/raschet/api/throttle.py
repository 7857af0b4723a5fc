"""Rate limits per caller: each token (or key client, or session user) may make ``RASCHET_API_RATE``
requests (``600/m`` unless set: a number per ``s``, ``m``, ``h`` or ``d``); beyond it the answer is 429
with ``Retry-After``. The counts live in Django's cache, which is per process unless ``CACHES`` names
a shared one, so with N server processes a caller may reach N times the rate."""

from __future__ import annotations

from django.conf import settings
from ninja.throttling import SimpleRateThrottle

from raschet.api.auth import caller_key

DEFAULT_RATE = "600/m"


class CallerRateThrottle(SimpleRateThrottle):
    scope = "raschet"

    def __init__(self) -> None:
        super().__init__(rate=DEFAULT_RATE)

    def allow_request(self, request) -> bool:
        # read on every request, so the setting (and a test's override) takes effect without a restart
        self.rate = getattr(settings, "RASCHET_API_RATE", DEFAULT_RATE)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request) -> str | None:
        if getattr(request, "auth", None) is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": caller_key(request)}
