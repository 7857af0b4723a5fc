"""Saving a bank's registry mapping from a JSON file: checked whole, stored under its name, replacing an older one."""

from __future__ import annotations

import json

from raschet.domain.errors import ProblemsError, problem
from raschet.exchange import validate_mapping
from raschet.payments.models import RegistryMapping


def save_mapping(data: bytes, source: str) -> str:
    """Validate and save the mapping in ``data`` (JSON); return its name.  Nothing is saved on a problem."""
    try:
        config = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        reason = f"это не JSON в UTF-8 ({error})"
        raise ProblemsError([problem("invalid_file", source, reason=reason)]) from None
    errors = validate_mapping(config)
    if errors:
        raise ProblemsError([problem("invalid_structure", source, reason=e.rstrip(".")) for e in errors])
    name = config["name"].strip()
    RegistryMapping.objects.update_or_create(name=name, defaults={"config": config})
    return name
