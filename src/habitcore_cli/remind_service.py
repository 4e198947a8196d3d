"""Making ``habit remind --once`` run every minute by itself: a systemd user timer where the
person has a systemd user session, otherwise the crontab line to add.

Reminders only reach a person while something runs the loop; a terminal left open is not a plan,
so ``habit remind --install`` sets up the one thing that will. The units name the absolute path
of this ``habit`` and the database it was told to use, so an upgrade or another shell's
environment does not change what the timer runs.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

UNIT = "habit-remind"


def units_folder() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def has_user_systemd() -> bool:
    """Whether ``systemctl --user`` answers: a systemd user session to hand the timer to."""
    if shutil.which("systemctl") is None:
        return False
    try:
        done = subprocess.run(
            ["systemctl", "--user", "show-environment"], capture_output=True, timeout=15
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def command_line(database_url: str | None) -> list[str]:
    """What the timer runs: this habit, by absolute path, on the chosen database."""
    habit = shutil.which("habit") or str(Path(sys.argv[0]).resolve())
    line = [str(Path(habit).resolve()), "remind", "--once"]
    if database_url:
        line[1:1] = ["--db", database_url]
    return line


def unit_texts(line: list[str]) -> dict[str, str]:
    command = " ".join(shlex.quote(part) for part in line)
    return {
        f"{UNIT}.service": (
            "[Unit]\n"
            "Description=habit: show due habit reminders and close ended days\n\n"
            "[Service]\n"
            "Type=oneshot\n"
            f"ExecStart={command}\n"
        ),
        f"{UNIT}.timer": (
            "[Unit]\n"
            "Description=habit: check for due reminders every minute\n\n"
            "[Timer]\n"
            "OnCalendar=*-*-* *:*:00\n"
            "AccuracySec=1s\n"
            "Persistent=false\n\n"
            "[Install]\n"
            "WantedBy=timers.target\n"
        ),
    }


def crontab_line(line: list[str]) -> str:
    return "* * * * * " + " ".join(shlex.quote(part) for part in line)


def install(database_url: str | None) -> tuple[str, list[str]]:
    """Install and start the timer; ("systemd", files written) or ("cron", [the line])."""
    line = command_line(database_url)
    if not has_user_systemd():
        return "cron", [crontab_line(line)]
    folder = units_folder()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in unit_texts(line).items():
        path = folder / name
        partial = path.with_name(f".{name}.partial")
        partial.write_text(text, encoding="utf-8")
        partial.chmod(0o600)  # the database URL may hold a password
        partial.replace(path)
        written.append(str(path))
    _systemctl("daemon-reload")
    _systemctl("enable", "--now", f"{UNIT}.timer")
    return "systemd", written


def uninstall() -> tuple[str, list[str]]:
    """Stop and remove the timer; ("systemd", files removed) or ("cron", [] ) to say by hand."""
    folder = units_folder()
    paths = [folder / f"{UNIT}.timer", folder / f"{UNIT}.service"]
    if not has_user_systemd():
        return "cron", []
    if paths[0].exists():
        _systemctl("disable", "--now", f"{UNIT}.timer")
    removed = []
    for path in paths:
        if path.exists():
            path.unlink()
            removed.append(str(path))
    _systemctl("daemon-reload")
    return "systemd", removed


class ServiceError(Exception):
    """systemctl refused; the message is its own first line."""


def _systemctl(*args: str) -> None:
    done = subprocess.run(
        ["systemctl", "--user", *args], capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise ServiceError(said[0] if said else f"systemctl --user {' '.join(args)} failed")
