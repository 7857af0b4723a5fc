"""One router per resource of the public API; ``raschet.web.api`` mounts them under ``/api/v1/``."""
