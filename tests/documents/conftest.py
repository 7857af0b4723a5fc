"""The documents tests' fixture; the helpers are in :mod:`doc_helpers` (a module of its own name, so
that no other tests directory's conftest.py is imported in its place)."""

import pytest
from doc_helpers import make_region


@pytest.fixture
def region(db):
    return make_region()
