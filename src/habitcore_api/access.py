"""Who is asking: the bearer token becomes the ``Tracker`` of the one person it belongs to.

A request without a token, or with a wrong or revoked one, gets 401 and learns nothing more.
The rate limit is counted before the database is asked, so a flood costs no queries; it is
keyed by the token's digest, never by the token, which no log or error ever shows.
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


def access_of(request: Request) -> Access:
    found: Access = request.app.state.access
    return found


def tracker_of(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Tracker:
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
    user = tokens.user_of(access.store, token, access.clock.now())
    if user is None:
        raise HTTPException(401, UNKNOWN, headers={"WWW-Authenticate": "Bearer"})
    return Tracker(access.store, user=user, clock=access.clock)


Person = Annotated[Tracker, Depends(tracker_of)]
