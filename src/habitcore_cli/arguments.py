"""How commands take a habit: one wording of NAME, and where a prefix is not enough."""

from __future__ import annotations

from typing import Annotated

import typer

NAME = Annotated[
    str,
    typer.Argument(
        metavar="NAME", help="The habit: its name (any case), a unique prefix of it, or #ID."
    ),
]
# Commands that delete or rename never guess: a prefix once deleted "Teapot" for "Tea".
WHOLE_NAME = Annotated[
    str, typer.Argument(metavar="NAME", help="The habit's whole name (any case) or #ID.")
]
ARCHIVED = Annotated[
    bool, typer.Option("--archived", help="The archived habit of that name, not an active one.")
]
