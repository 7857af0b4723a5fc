"""The portal tests' fixtures live in portal_fixtures.py, which the browser journey imports too."""

from portal_fixtures import region, smtp_server  # noqa: F401
