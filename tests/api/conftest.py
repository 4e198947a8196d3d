"""The ``api`` fixture: habit-api on an empty database of either backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api_client import Api, make_api
from habitcore import Store
from habitcore.testing import FakeClock


@pytest.fixture
def api(store: Store, clock: FakeClock) -> Iterator[Api]:
    """habit-api on an empty database of either backend, no rate limit, 2026-01-10 12:00 UTC."""
    yield from make_api(store, clock)
