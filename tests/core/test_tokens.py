"""Tokens for the HTTP frontend: made once, kept only as a digest, tied to one user, refused
once revoked, and never mistaken for another person's (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

import habitcore
from habitcore import tokens
from habitcore.storage.tables import TokenRow
from habitcore.testing import FakeClock
from habitcore.tracker import Tracker

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def test_a_token_names_its_user_and_only_its_digest_is_stored(store: habitcore.Store) -> None:
    ann = Tracker(store, user="ann", clock=FakeClock(NOW))
    made = tokens.create(store, ann.user, NOW, "phone")
    assert made.startswith("hc_")
    assert len(made) >= 40
    with store.read() as session:
        stored = session.execute(sa.select(TokenRow.digest, TokenRow.label)).all()
    assert [(d, label) for d, label in stored] == [(tokens.digest(made), "phone")]
    assert made not in str(stored)
    later = NOW + timedelta(hours=2)
    assert tokens.user_of(store, made, later) == "ann"
    [info] = tokens.listed(store, "ann")
    assert (info.label, info.created_at, info.last_used_at) == ("phone", NOW, later)


def test_wrong_revoked_and_malformed_tokens_name_nobody(store: habitcore.Store) -> None:
    Tracker(store, user="ann", clock=FakeClock(NOW))
    made = tokens.create(store, "ann", NOW, "phone")
    for wrong in ("", "hc_", made[:-1] + ("A" if made[-1] != "A" else "B"), "x" * 300, made + " "):
        assert tokens.user_of(store, wrong, NOW) is None, wrong
    assert tokens.revoke(store, "ann", "phone").label == "phone"
    assert tokens.user_of(store, made, NOW) is None
    assert tokens.listed(store, "ann") == []


def test_labels_are_per_user_and_checked(store: habitcore.Store) -> None:
    for user in ("ann", "bob"):
        Tracker(store, user=user, clock=FakeClock(NOW))
    ann_token = tokens.create(store, "ann", NOW, "phone")
    bob_token = tokens.create(store, "bob", NOW, "phone")  # the same label, another person
    assert tokens.user_of(store, ann_token, NOW) == "ann"
    assert tokens.user_of(store, bob_token, NOW) == "bob"
    with pytest.raises(habitcore.InvalidSetting, match="already labelled 'phone'"):
        tokens.create(store, "ann", NOW, " phone ")
    with pytest.raises(habitcore.InvalidSetting, match="No token is labelled"):
        tokens.revoke(store, "bob", "watch")
    with pytest.raises(habitcore.InvalidSetting, match="cannot be empty"):
        tokens.create(store, "ann", NOW, "   ")
    assert [t.label for t in tokens.listed(store, "bob")] == ["phone"]
    tokens.create(store, "bob", NOW)  # no label: the first free "token N"
    assert [t.label for t in tokens.listed(store, "bob")] == ["phone", "token 1"]


def test_deleting_a_user_takes_their_tokens(store: habitcore.Store) -> None:
    ann = Tracker(store, user="ann", clock=FakeClock(NOW))
    made = tokens.create(store, "ann", NOW, "phone")
    ann.delete_user()
    assert tokens.user_of(store, made, NOW) is None


def test_last_use_is_kept_to_the_minute_without_a_write_per_request(store: habitcore.Store) -> None:
    Tracker(store, user="ann", clock=FakeClock(NOW))
    made = tokens.create(store, "ann", NOW, "phone")
    assert tokens.user_of(store, made, NOW) == "ann"
    for seconds in (1, 30, 59):
        assert tokens.user_of(store, made, NOW + timedelta(seconds=seconds)) == "ann"
    [info] = tokens.listed(store, "ann")
    assert info.last_used_at == NOW  # a poll every second writes once a minute, not each time
    later = NOW + timedelta(minutes=1, seconds=5)
    assert tokens.user_of(store, made, later) == "ann"
    assert tokens.listed(store, "ann")[0].last_used_at == later
    earlier = NOW - timedelta(hours=1)  # a clock set back: noted, never left in the future
    assert tokens.user_of(store, made, earlier) == "ann"
    assert tokens.listed(store, "ann")[0].last_used_at == earlier
