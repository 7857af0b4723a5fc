"""WSGI entry point (``settings.WSGI_APPLICATION``): see :mod:`raschet.web.handlers`."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raschet.web.settings")
django.setup(set_prefix=False)

from raschet.web.handlers import Application  # noqa: E402 (the handlers need Django set up)

application = Application()
