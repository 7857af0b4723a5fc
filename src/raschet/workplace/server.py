"""The production web server for the demo and small installations: Waitress (pure Python, threads,
no reloader), serving Django's WSGI application with WhiteNoise's compressed static files."""

from __future__ import annotations

from django.core.management import call_command


def split_address(addr: str) -> tuple[str, int]:
    host, _, port = addr.rpartition(":")
    return host or "127.0.0.1", int(port)


def collect_static() -> None:
    """Static files hashed, compressed and gathered in STATIC_ROOT, which WhiteNoise serves."""
    call_command("collectstatic", interactive=False, verbosity=0)


def serve(addr: str = "127.0.0.1:8000", threads: int = 8) -> None:
    import waitress
    from django.core.servers.basehttp import get_internal_wsgi_application

    # the project's application (settings.WSGI_APPLICATION), as outside servers load it
    host, port = split_address(addr)
    waitress.serve(get_internal_wsgi_application(), host=host, port=port, threads=threads, ident="raschet")
