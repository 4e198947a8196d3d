"""``habit token create``, ``list`` and ``revoke``: the tokens habit-api asks for.

``create`` prints the token and nothing else on stdout, so ``TOKEN=$(habit token create)``
works; it is shown this once, since only its digest is kept.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from habitcore_cli.app import command, state, token_app
from habitcore_cli.output import print_json, say, table

USER = Annotated[
    str | None,
    typer.Option(
        "--user",
        metavar="ID",
        help="Another user of this database (a bot user's id as the bot stores it, such as "
        "telegram:12345); a new id creates that user. Default: your own.",
    ),
]


def _tracker(ctx: typer.Context, user: str | None) -> Any:
    import habitcore

    tracker = state(ctx).tracker()
    if user is None or user == tracker.user:
        return tracker
    if not user.strip() or len(user) > 200:
        raise typer.BadParameter("a user id is 1 to 200 characters.", param_hint="--user")
    return habitcore.Tracker(tracker.store, user=user, clock=tracker.clock)


@command("create", parent=token_app)
def create(
    ctx: typer.Context,
    label: Annotated[
        str | None,
        typer.Option("--label", metavar="TEXT", help="A name to tell it by. Default: token N."),
    ] = None,
    user: USER = None,
) -> None:
    """Make a token and print it (only it, once): a program sends it as Bearer TOKEN.

    Example: habit token create --label phone (in a script: TOKEN=$(habit token create))
    """
    from habitcore import tokens

    tracker = _tracker(ctx, user)
    made = tokens.create(tracker.store, tracker.user, tracker.now(), label)
    typer.echo(made)


@command("list", parent=token_app)
def listed(
    ctx: typer.Context,
    user: USER = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """The tokens by label, with when each was made and last used (never the tokens).

    Example: habit token list
    """
    from habitcore import shapes, tokens

    tracker = _tracker(ctx, user)
    found = tokens.listed(tracker.store, tracker.user)
    rows = [shapes.token(t).data() for t in found]
    if json:
        print_json(rows)
    elif not rows:
        say("There are no tokens. habit token create makes one.")
    else:
        table(
            ["LABEL", "CREATED", "LAST USED"],
            [[t.label, t.created_at.isoformat(timespec="seconds"), _used(t)] for t in found],
        )


def _used(token: Any) -> str:
    return token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else "never"


@command("revoke", parent=token_app)
def revoke(
    ctx: typer.Context,
    label: Annotated[str, typer.Argument(metavar="LABEL", help="The token's label.")],
    user: USER = None,
) -> None:
    """Revoke a token: a request with it is refused from now on.

    Example: habit token revoke phone
    """
    from habitcore import tokens

    tracker = _tracker(ctx, user)
    gone = tokens.revoke(tracker.store, tracker.user, label)
    say(f"Revoked the token {gone.label!r}; requests with it are refused from now on.")
