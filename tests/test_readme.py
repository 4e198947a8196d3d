"""The README's promises: its library example runs as written, its commands are the ones CI runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_library_example_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    block = re.search(r"## Use it as a library\s+```python\n(.*?)```", README, re.S)
    assert block is not None, "README lost its library example"
    monkeypatch.chdir(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", block.group(1)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert (
        lines[-1] == "There is no habit called 'Nope'; list your habits to see their exact names."
    )
    assert lines[0] == "0 0 0.0 0.0"  # Read was unchecked again: nine days missed
    assert any(line.startswith("Pages due 0") for line in lines)
    assert (tmp_path / "habits.db").exists()


def test_ci_runs_the_readme_commands() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for marker in (
        "# install, then try it on the embedded SQLite default",
        "# run the whole test suite",
    ):
        assert marker in README
        assert marker in ci
