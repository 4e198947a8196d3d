"""habit-api in-process for two people, Ann and Bob, each with a token: the client the API's
tests (and the bot's /token test) drive."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from habitcore import Store, Tracker, tokens
from habitcore.testing import FakeClock
from habitcore_api import create_app
from habitcore_api.limits import Rate

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette would rather have httpx2, not on every index yet
    from fastapi.testclient import TestClient


@dataclass
class Api:
    client: TestClient
    store: Store
    clock: FakeClock
    ann: Tracker
    bob: Tracker
    token: str  # Ann's
    bob_token: str

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}

    def call(self, method: str, path: str, token: str | None = None, **kw: Any) -> Any:
        return self.client.request(method, path, headers=self.auth(token), **kw)


def served_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (METHOD, path) under /v1 the application's OpenAPI contract offers."""
    paths = app.openapi()["paths"]
    return {(m.upper(), p) for p, ops in paths.items() if p.startswith("/v1") for m in ops}


def make_api(store: Store, clock: FakeClock, **options: Any) -> Iterator[Api]:
    ann = Tracker(store, user="ann", clock=clock)
    ann.set_timezone("UTC")
    bob = Tracker(store, user="bob", clock=clock)
    bob.set_timezone("UTC")
    app = create_app(store, clock=clock, rate=options.pop("rate", Rate(per_minute=0)), **options)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(
            client,
            store,
            clock,
            ann,
            bob,
            tokens.create(store, "ann", clock.now(), "phone"),
            tokens.create(store, "bob", clock.now(), "laptop"),
        )
