"""Who is asking: the bearer token becomes the ``Tracker`` of the one person it belongs to.

A request without a token, or with a wrong or revoked one, gets 401 and learns nothing more.
The rate limit is counted before the database is asked, so a flood costs no queries; it is
keyed by the token's digest, never by the token, which no log or error ever shows.

The token is looked up on the event loop, before the body is read, so a wrong token is a 401
whatever the body holds. That lookup is one read by index, which never waits for a lock (SQLite
readers in WAL mode and PostgreSQL readers do not); all that may wait (noting the token's use,
opening the person's ``Tracker``, the route's own work) runs in the route's single hand-off to
the thread pool (``routing.Router``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from habitcore import Clock, Store, Tracker, tokens
from habitcore_api.limits import Buckets, retry_after

bearer = HTTPBearer(
    auto_error=False,
    description="A token from `habit token create` (or the bot's /token), as `Bearer hc_…`.",
)
UNKNOWN = (
    "This request needs a valid token: send Authorization: Bearer TOKEN, with a token from "
    "habit token create."
)


@dataclass
class Access:
    """What every request shares: the store, the clock and the rate buckets."""

    store: Store
    clock: Clock
    buckets: Buckets


@dataclass(frozen=True)
class Caller:
    """A request's proven owner, not yet opened: ``open`` runs in the route's thread."""

    access: Access
    holder: tokens.Holder

    def open(self) -> Tracker:
        access = self.access
        tokens.note_use(access.store, self.holder, access.clock.now())
        return Tracker(access.store, user=self.holder.user, clock=access.clock)


def access_of(request: Request) -> Access:
    found: Access = request.app.state.access
    return found


async def caller_of(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    access = access_of(request)
    if credentials is None or not credentials.credentials:
        raise HTTPException(401, UNKNOWN, headers={"WWW-Authenticate": "Bearer"})
    token = credentials.credentials
    wait = access.buckets.take(tokens.digest(token))
    if wait:
        raise HTTPException(
            429,
            "Too many requests with this token; wait a little and try again.",
            headers={"Retry-After": retry_after(wait)},
        )
    holder = tokens.holder(access.store, token, access.clock.now())
    if holder is None:
        raise HTTPException(401, UNKNOWN, headers={"WWW-Authenticate": "Bearer"})
    return Caller(access, holder)


# A route declares the ``Tracker`` it works with; the dependency proves the token, and the
# router hands the route the opened ``Tracker`` in its thread (``routing.one_hop``).
Person = Annotated[Tracker, Depends(caller_of)]
