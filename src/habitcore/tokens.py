"""Tokens that let a program act as one person over HTTP (habit-api): made, listed, revoked,
and turned back into the person they belong to.

A token is 256 random bits, shown once when made; only its SHA-256 digest is stored, so the
table cannot be used to sign in, and a slow hash would add nothing against a guess of 256 bits.
A request's token is found by its digest and the match confirmed in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from habitcore.errors import InvalidName, InvalidSetting, shown
from habitcore.rules.habits import clean_text
from habitcore.storage import queries
from habitcore.storage.store import Store
from habitcore.storage.tables import TokenRow, UserRow

PREFIX = "hc_"  # tells a habitcore token apart in a config file or a leaked log
MAX_LABEL = 100
USE_RESOLUTION = timedelta(minutes=1)  # how fresh "last used" is kept


@dataclass(frozen=True)
class Holder:
    """Whose a presented token is, and whether its last use is due to be written."""

    user: str  # the owner's external id
    token_id: int
    stale: bool  # the stored last use is a minute old or more (or there is none)


@dataclass(frozen=True)
class TokenInfo:
    """A token as its owner sees it later: never the token itself."""

    label: str
    created_at: datetime
    last_used_at: datetime | None


def create(store: Store, user: str, now: datetime, label: str | None = None) -> str:
    """A new token for ``user`` (who must exist: open a ``Tracker`` for them first), returned
    once; ``label`` names it (default: the first free "token N")."""
    token = PREFIX + secrets.token_urlsafe(32)
    with store.write() as session:
        user_id = _user_id(session, user)
        taken = set(session.exec(select(TokenRow.label).where(TokenRow.user_id == user_id)).all())
        name = _clean_label(label) if label is not None else _free_label(taken)
        if name in taken:
            raise InvalidSetting(f"A token is already labelled {name!r}; pick another label.")
        session.add(TokenRow(user_id=user_id, label=name, digest=digest(token), created_at=now))
    return token


def listed(store: Store, user: str) -> list[TokenInfo]:
    """The user's tokens, oldest first."""
    with store.read() as session:
        rows = session.exec(
            select(TokenRow)
            .where(TokenRow.user_id == _user_id(session, user))
            .order_by(col(TokenRow.created_at), col(TokenRow.id))
        ).all()
        return [TokenInfo(r.label, r.created_at, r.last_used_at) for r in rows]


def revoke(store: Store, user: str, label: str) -> TokenInfo:
    """Delete the token labelled ``label``: a request with it is refused from now on."""
    wanted = _clean_label(label)
    with store.write() as session:
        row = session.exec(
            select(TokenRow).where(
                TokenRow.user_id == _user_id(session, user), TokenRow.label == wanted
            )
        ).first()
        if row is None:
            raise InvalidSetting(
                f"No token is labelled {shown(wanted)}; list them to see the labels."
            )
        session.delete(row)
        return TokenInfo(row.label, row.created_at, row.last_used_at)


def user_of(store: Store, token: str, now: datetime) -> str | None:
    """Whose token this is (their external id), noting when it was used, to the minute; None
    for a token that is wrong, revoked, or not a token at all."""
    found = holder(store, token, now)
    if found is None:
        return None
    note_use(store, found, now)
    return found.user


def holder(store: Store, token: str, now: datetime) -> Holder | None:
    """Whose token this is, in one read by the digest's index and no write: a caller that
    must not wait for the write lock (habit-api's event loop) notes the use later."""
    if not isinstance(token, str) or not token.startswith(PREFIX) or len(token) > 200:
        return None
    wanted = digest(token)
    with store.read() as session:
        found = session.execute(
            sa.select(col(TokenRow.id), col(TokenRow.digest), col(TokenRow.last_used_at))
            .add_columns(col(UserRow.external_id))
            .join(UserRow, col(UserRow.id) == col(TokenRow.user_id))
            .where(col(TokenRow.digest) == wanted)
        ).first()
    if found is None or not hmac.compare_digest(found[1], wanted):
        return None
    last = found[2]
    stale = last is None or not timedelta(0) <= _naive(now) - _naive(last) < USE_RESOLUTION
    return Holder(str(found[3]), int(found[0]), stale)


def note_use(store: Store, found: Holder, now: datetime) -> None:
    """Write when the token was last used, to the minute, only when that is stale: a client
    polling every second does not turn each request into a write."""
    if found.stale:
        with store.write() as session:
            session.execute(
                sa.update(TokenRow)
                .where(col(TokenRow.id) == found.token_id)
                .values(last_used_at=now)
            )


def _naive(moment: datetime) -> datetime:
    """A stored moment compared with the clock's: both as UTC wall time (SQLite drops the zone)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user_id(session: Session, user: str) -> int:
    found = queries.user_id_of(session, user)
    if found is None:
        raise InvalidSetting(f"There is no user {shown(user)} in this database.")
    return found


def _clean_label(label: str) -> str:
    try:
        cleaned = clean_text(label, what="A token's label", limit=MAX_LABEL, collapse=True)
    except InvalidName as exc:
        raise InvalidSetting(str(exc)) from None
    if cleaned is None:
        raise InvalidSetting("A token's label cannot be empty; give one such as phone.")
    return cleaned


def _free_label(taken: set[str]) -> str:
    number = 1
    while f"token {number}" in taken:
        number += 1
    return f"token {number}"
