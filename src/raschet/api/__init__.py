"""The public REST API (``/api/v1/``): per-user tokens, one account scope, pagination, rate limits.

``models`` keeps the tokens (only their SHA-256), ``auth`` authenticates a request (a bearer token,
an ``X-Api-Key`` client, a same-origin session with CSRF), ``scope`` decides which accounts the
caller may see (one function every router uses), ``pages`` bounds lists, ``throttle`` limits each
token's rate, ``routers/`` holds one router per resource. ``raschet.web.api`` mounts them.
"""
