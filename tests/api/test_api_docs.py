"""Every route habit-api serves, and every ``HABITCORE_API_*`` setting it reads, is in docs/api.md."""

from __future__ import annotations

import re
from pathlib import Path

from api_client import served_routes
from habitcore import Store
from habitcore_api import create_app

ROOT = Path(__file__).resolve().parents[2]
API_DOC = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
SOURCE = ROOT / "src" / "habitcore_api"


def entries() -> list[str]:
    """Where a route is documented: a heading, or the first cell of a table row."""
    lines = API_DOC.splitlines()
    headings = [line for line in lines if line.startswith("#")]
    cells = [line.split("|")[1] for line in lines if line.startswith("|") and line.count("|") > 2]
    return headings + cells


ENTRIES = entries()


def documented(method: str, path: str) -> bool:
    """``METHOD /path`` as written in a heading or a table's first column, not merely the
    start of a longer path (``GET /v1/habits`` is not ``GET /v1/habits/{habit_id}``)."""
    exact = re.compile(re.escape(f"{method} {path}") + r"(?![\w/{}.-])")
    return any(exact.search(entry) for entry in ENTRIES)


def routes() -> set[tuple[str, str]]:
    store = Store("sqlite://")
    try:
        return served_routes(create_app(store)) | {("GET", "/healthz")}
    finally:
        store.close()


def test_every_route_of_the_contract_is_in_docs_api_md() -> None:
    found = routes()
    assert len(found) > 20  # the contract was read, not an empty app
    missing = sorted(f"{m} {p}" for m, p in found if not documented(m, p))
    assert not missing, f"not documented in docs/api.md: {missing}"


def test_the_pages_served_beside_the_contract_are_in_docs_api_md() -> None:
    for route in ("GET /openapi.json", "GET /docs"):
        assert documented(*route.split()), route


def test_every_habitcore_api_setting_the_code_reads_is_in_docs_api_md() -> None:
    names = {
        name
        for source in SOURCE.rglob("*.py")
        for name in re.findall(r"\bHABITCORE_API_[A-Z0-9_]+\b", source.read_text(encoding="utf-8"))
    }
    assert {"HABITCORE_API_HOST", "HABITCORE_API_PORT", "HABITCORE_API_RATE"} <= names
    missing = sorted(name for name in names if name not in API_DOC)
    assert not missing, f"not named in docs/api.md: {missing}"


def test_docs_api_md_names_no_path_of_the_machine_it_was_written_on() -> None:
    assert not re.search(r"(?<![\w.])/(tmp|work|home|root|Users)/", API_DOC)
