"""Examples in docs/ that claim a behaviour are run, so the docs cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


def python_blocks(page: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", (DOCS / page).read_text(encoding="utf-8"), re.S)


def test_the_fake_clock_example_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    block = next(b for b in python_blocks("library.md") if "FakeClock" in b)
    exec(compile(block, "docs/library.md", "exec"), {})


def test_the_explain_example_runs(tmp_path: Path) -> None:
    from habitcore.testing import memory_tracker

    tracker = memory_tracker()
    tracker.add_habit("Read")
    tracker.check("Read")
    block = next(b for b in python_blocks("score.md") if "explain_score" in b)
    exec(compile(block, "docs/score.md", "exec"), {"tracker": tracker})


def test_every_doc_page_linked_from_the_readme_exists() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    for link in re.findall(r"\]\((docs/[^)]+)\)", readme):
        assert (DOCS.parent / link).exists(), link
