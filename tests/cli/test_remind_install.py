"""``habit remind --install`` / ``--uninstall`` through the installed command: a systemd user
timer where ``systemctl --user`` answers (a stand-in systemctl records what it was asked, since
a test must not touch the machine's own session), and the crontab line where it does not."""

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path

import pytest

from habit_process import HABIT, process_env, run

FAKE_SYSTEMCTL = """#!/bin/sh
echo "$@" >> "$SYSTEMCTL_LOG"
exit 0
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = process_env(tmp_path)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    run(env, "add", "Read")
    return env


def with_systemctl(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    tools = tmp_path / "tools"
    tools.mkdir()
    fake = tools / "systemctl"
    fake.write_text(FAKE_SYSTEMCTL, encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return {
        **env,
        "PATH": f"{tools}{os.pathsep}{HABIT.parent}{os.pathsep}/usr/bin:/bin",
        "SYSTEMCTL_LOG": str(tmp_path / "systemctl.log"),
    }


def test_install_hands_the_minute_timer_to_systemd(env: dict[str, str], tmp_path: Path) -> None:
    env = with_systemctl(env, tmp_path)
    done = run(env, "remind", "--install")
    assert done.returncode == 0, done.stderr
    units = tmp_path / "config" / "systemd" / "user"
    service = (units / "habit-remind.service").read_text(encoding="utf-8")
    url = env["HABITCORE_DATABASE_URL"]
    expected = " ".join(
        shlex.quote(p) for p in [str(HABIT.resolve()), "--db", url, "remind", "--once"]
    )
    assert f"ExecStart={expected}\n" in service
    assert "OnCalendar=*-*-* *:*:00" in (units / "habit-remind.timer").read_text(encoding="utf-8")
    assert stat.S_IMODE((units / "habit-remind.service").stat().st_mode) == 0o600
    asked = (tmp_path / "systemctl.log").read_text(encoding="utf-8").splitlines()
    assert asked == [
        "--user show-environment",
        "--user daemon-reload",
        "--user enable --now habit-remind.timer",
    ]
    assert "Reminders now run by themselves every minute" in done.stdout
    removed = run(env, "remind", "--uninstall")
    assert removed.returncode == 0
    assert not list(units.iterdir())
    asked = (tmp_path / "systemctl.log").read_text(encoding="utf-8").splitlines()
    assert asked[-2:] == ["--user disable --now habit-remind.timer", "--user daemon-reload"]
    assert removed.stdout.startswith("Stopped the reminder timer (")


def test_without_systemd_install_prints_the_crontab_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    env = {**env, "PATH": f"{HABIT.parent}{os.pathsep}/nonexistent"}
    done = run(env, "remind", "--install")
    assert done.returncode == 0, done.stderr
    url = env["HABITCORE_DATABASE_URL"]
    line = "* * * * * " + " ".join(
        shlex.quote(p) for p in [str(HABIT.resolve()), "--db", url, "remind", "--once"]
    )
    assert done.stdout == (
        f"There is no systemd user session here; add this line with crontab -e:\n{line}\n"
    )
    assert not (tmp_path / "config" / "systemd").exists()


def test_install_and_uninstall_together_is_a_usage_error(env: dict[str, str]) -> None:
    refused = run(env, "remind", "--install", "--uninstall")
    assert refused.returncode == 2
    assert "Give --install or --uninstall, not both." in refused.stderr


def test_a_relative_db_is_installed_as_the_absolute_file_it_names(tmp_path: Path) -> None:
    """A timer or cron runs from another folder: ``--db mine.db`` must reach the same file."""
    import subprocess

    env = {**process_env(tmp_path), "PATH": f"{HABIT.parent}{os.pathsep}/nonexistent"}
    del env["HABITCORE_DATABASE_URL"]
    done = subprocess.run(
        [str(HABIT), "--db", "mine.db", "remind", "--install"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"--db sqlite:///{tmp_path / 'mine.db'} remind --once" in done.stdout
