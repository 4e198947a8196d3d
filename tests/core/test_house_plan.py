"""The house plan of docs/architecture.md, held: which package may import which, no circles."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import habitcore

SRC = Path(__file__).resolve().parents[2] / "src"
OLD_PATHS = {"days", "schedule", "periods", "streaks", "score", "rollover", "reminders"}
SERVICES = (
    "habitcore.delivery",
    "habitcore.closing",
    "habitcore.scheduling",
    "habitcore.exchange",
    "habitcore.tokens",
    "habitcore.leases",
    "habitcore.schema",
    "habitcore.events",
    "habitcore.dialogs",
)
FACE = [
    "AmbiguousHabit", "CheckIn", "Clock", "DayResult", "DayState", "DueReminder", "DuplicateHabit",
    "Habit", "HabitArchived", "HabitNotArchived", "HabitNotFound", "HabitStatus", "HabitcoreError",
    "ImportSummary", "InvalidAmount", "InvalidDay", "InvalidImport", "InvalidName", "InvalidPause",
    "InvalidSchedule", "InvalidSetting", "InvalidTime", "InvalidTimezone", "InvalidWeekday", "Kind",
    "Outcome", "Pause", "PauseEntry", "PauseNotFound", "ReminderNotFound", "Resumed", "ScoreStep", "Settings", "Stats", "Status", "Store",
    "StoreError", "Streak", "SystemClock", "Tracker", "__version__", "check_database", "database_url", "default_url", "habit_day",
    "open", "parse_schedule",
]  # fmt: skip


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function, ``import_module`` aside."""
    found: set[str] = set()
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    [*package.split(".")[: len(package.split(".")) - node.level + 1], base]
                )
                base = base.rstrip(".")
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


MODULES = {
    module_name(p): imports_of(p)
    for p in sorted(SRC.rglob("*.py"))
    if "migrations/versions" not in p.as_posix()
}
OURS = {name for name in MODULES}


def ours(imported: set[str]) -> set[str]:
    return {name for name in imported if name in OURS}


def within(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_the_public_face_is_unchanged() -> None:
    assert habitcore.__all__ == FACE


@pytest.mark.parametrize("name", sorted(n for n in MODULES if within(n, "habitcore.rules")))
def test_a_rule_imports_only_rules_errors_and_the_pure_standard_library(name: str) -> None:
    for imported in MODULES[name]:
        top = imported.split(".")[0]
        assert top not in {"sqlalchemy", "sqlmodel", "alembic", "os", "pathlib", "sqlite3"}, (
            imported
        )
        if top == "habitcore":
            assert within(imported, "habitcore.rules", "habitcore.errors"), imported


@pytest.mark.parametrize("name", sorted(n for n in MODULES if within(n, "habitcore.storage")))
def test_storage_imports_only_storage_rules_and_errors(name: str) -> None:
    for imported in ours(MODULES[name]):
        assert within(imported, "habitcore.storage", "habitcore.rules", "habitcore.errors"), (
            imported
        )


@pytest.mark.parametrize("name", sorted(n for n in MODULES if within(n, *SERVICES)))
def test_a_service_stays_below_the_facade(name: str) -> None:
    for imported in ours(MODULES[name]):
        assert not within(imported, "habitcore.tracker", "habitcore_cli", "habitcore_telegram")
        assert imported not in {f"habitcore.{old}" for old in OLD_PATHS}, imported


@pytest.mark.parametrize("name", sorted(n for n in MODULES if within(n, "habitcore")))
def test_habitcore_never_imports_a_frontend_nor_an_old_path(name: str) -> None:
    for imported in ours(MODULES[name]):
        assert not within(imported, "habitcore_cli", "habitcore_telegram"), imported
        if name.removeprefix("habitcore.") not in OLD_PATHS:
            assert imported not in {f"habitcore.{old}" for old in OLD_PATHS}, imported


@pytest.mark.parametrize(
    "name", sorted(n for n in MODULES if within(n, "habitcore_cli", "habitcore_telegram"))
)
def test_a_frontend_never_reaches_into_storage(name: str) -> None:
    for imported in ours(MODULES[name]):
        assert not within(imported, "habitcore.storage"), imported


def test_no_import_circle_anywhere_in_src() -> None:
    graph = {name: {i for i in ours(deps) if i != name} for name, deps in MODULES.items()}
    # A package's __init__ is imported by each of its modules: its own children do not count.
    graph = {
        name: {d for d in deps if not within(name, d) or name == d} for name, deps in graph.items()
    }
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                circle = [*path[path.index(nxt) :], nxt]
                pytest.fail("import circle: " + " -> ".join(circle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
