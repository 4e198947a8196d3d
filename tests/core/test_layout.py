"""The shape of the project: a core that knows nothing of its frontends."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import habitcore

SRC = Path(habitcore.__file__).resolve().parent
FRONTEND_LIBRARIES = {"typer", "rich", "telebot", "click", "habitcore_cli", "habitcore_telegram"}


def test_habitcore_never_imports_a_frontend_library() -> None:
    for module in SRC.rglob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FRONTEND_LIBRARIES, f"{module.name}: {name}"


def test_using_the_library_loads_no_frontend_library(tmp_path: Path) -> None:
    code = (
        "import sys, habitcore\n"
        f"t = habitcore.open('sqlite:///{tmp_path / 'h.db'}')\n"
        "t.add_habit('Read', reminders=['21:00']); t.check('Read'); t.habits(); t.export()\n"
        "t.due_reminders(); t.close_days()\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(FRONTEND_LIBRARIES)!r}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_rules_do_not_read_the_clock() -> None:
    """Only the façade, the clock and the store may ask for the time; rules take it."""
    allowed = {"clock.py", "tracker.py", "store.py", "testing.py"}
    for module in SRC.rglob("*.py"):
        if module.name in allowed:
            continue
        text = module.read_text(encoding="utf-8")
        for call in ("datetime.now(", "date.today(", "datetime.utcnow(", "time.time("):
            assert call not in text, f"{module.name} calls {call}"
