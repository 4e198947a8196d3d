"""Which database ``habit`` opens, through the installed command: nothing lost to an in-memory
URL, no folder made by a typo, a new file announced once, a missing driver or a URL that is not
one said in a sentence, and Ctrl-C while it waits leaves quietly with the shell's 130."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from habit_process import HABIT, process_env, run


def with_url(tmp_path: Path, url: str | None) -> dict[str, str]:
    env = process_env(tmp_path)
    if url is None:
        del env["HABITCORE_DATABASE_URL"]
    else:
        env["HABITCORE_DATABASE_URL"] = url
    return env


def test_a_new_database_file_is_announced_once_on_stderr(tmp_path: Path) -> None:
    env = with_url(tmp_path, "mine.db")  # a bare name: a file in the current folder
    first = subprocess.run(
        [str(HABIT), "list", "--json"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert (first.returncode, first.stdout) == (0, "[]\n")
    assert first.stderr == f"Created a new database at {tmp_path / 'mine.db'}.\n"
    again = subprocess.run(
        [str(HABIT), "list", "--json"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert (again.returncode, again.stdout, again.stderr) == (0, "[]\n", "")


def test_the_default_location_is_made_on_first_use(tmp_path: Path) -> None:
    env = with_url(tmp_path, None)
    made = run(env, "add", "Read")
    assert made.returncode == 0
    [path] = (tmp_path / "home").rglob("habits.db")
    assert made.stderr == f"Created a new database at {path}.\n"
    assert run(env, "list", "--json").stderr == ""


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_is_refused(tmp_path: Path, url: str) -> None:
    refused = run(with_url(tmp_path, url), "add", "Read")
    assert refused.returncode == 1
    assert refused.stderr == (
        f"Error: {url!r} is an in-memory database: everything would be lost when the program "
        "exits. Give a file instead, such as sqlite:///habits.db.\n"
    )


def test_a_database_in_a_folder_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "h.db"
    for args in (["--db", str(missing), "add", "Read"], ["--db", f"sqlite:///{missing}", "list"]):
        refused = run(process_env(tmp_path), *args)
        assert refused.returncode == 1
        assert refused.stderr == (
            f"Error: The folder {str(missing.parent)!r} does not exist; create it first, or "
            "leave the database setting out to use the default location.\n"
        )
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("a://b:secret@c:d/e", "The database URL does not parse; give a file path, or a URL"),
        ("nosuch://x/y", "'nosuch' is not a kind of database habitcore knows"),
        ("mysql://x@127.0.0.1/y", "The database driver 'MySQLdb' is not installed"),
    ],
)
def test_a_url_habit_cannot_use_is_one_sentence(tmp_path: Path, url: str, message: str) -> None:
    refused = run(with_url(tmp_path, url), "list")
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"Error: {message}")
    assert refused.stderr.count("\n") == 1
    assert "unexpected" not in refused.stderr
    assert "secret" not in refused.stderr


@pytest.mark.postgres
@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_postgresql_url_without_a_driver_uses_psycopg(
    tmp_path: Path, postgres_server: str, scheme: str
) -> None:
    url = sa.make_url(postgres_server).set(drivername=scheme).render_as_string(hide_password=False)
    env = with_url(tmp_path, url)
    assert run(env, "add", f"Read {scheme}").returncode == 0
    assert f"Read {scheme}" in run(env, "list").stdout


def test_ctrl_c_while_waiting_for_the_database_exits_130_quietly(tmp_path: Path) -> None:
    env = process_env(tmp_path)
    path = tmp_path / "e2e.db"
    assert run(env, "add", "Read").returncode == 0
    with closing(sqlite3.connect(path, isolation_level=None)) as holder:
        holder.execute("BEGIN EXCLUSIVE")  # habit done must now wait for the lock
        waiting = subprocess.Popen(
            [str(HABIT), "done", "read"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _has_open(waiting.pid, path):
            time.sleep(0.05)
        assert _has_open(waiting.pid, path), "habit never reached the database"
        waiting.send_signal(signal.SIGINT)
        out, err = waiting.communicate(timeout=60)
        holder.execute("ROLLBACK")
    assert (waiting.returncode, out, err) == (130, "", "")
    assert '"state": "due"' in run(env, "show", "read", "--json").stdout  # nothing recorded


def _has_open(pid: int, path: Path) -> bool:
    try:
        links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except OSError:
        return False
    return str(path) in links


def test_db_backup_to_a_folder_is_a_sentence_and_leaves_no_partial_file(tmp_path: Path) -> None:
    env = process_env(tmp_path)
    run(env, "add", "Read")
    folder = tmp_path / "backups"
    folder.mkdir()
    refused = run(env, "db", "backup", str(folder), "--force")
    assert refused.returncode == 1
    assert refused.stderr == (
        f"Error: {folder} is a folder; give the copy a file name, such as "
        f"{folder / 'habits-backup.db'}.\n"
    )
    assert list(folder.iterdir()) == []
    assert not list(tmp_path.rglob("*.partial"))
    copied = run(env, "db", "backup", str(folder / "copy.db"))
    assert copied.returncode == 0, copied.stderr
    assert (folder / "copy.db").stat().st_size > 0


def test_a_read_only_database_can_be_read_and_says_so_when_written(tmp_path: Path) -> None:
    """Opened read-only (SQLite's own mode=ro, which a file without write permission gives a
    person too), the commands that only read work and a change names the read-only file."""
    env = process_env(tmp_path)
    path = tmp_path / "e2e.db"
    run(env, "add", "Read")
    run(env, "done", "read")
    before = path.read_bytes()
    read_only = {**env, "HABITCORE_DATABASE_URL": f"sqlite:///file:{path}?mode=ro&uri=true"}
    for args in (["list"], ["show", "read"], ["export"], ["db", "backup", str(tmp_path / "c.db")]):
        done = run(read_only, *args)
        assert (done.returncode, done.stderr) == (0, ""), args
    refused = run(read_only, "undo", "read")
    assert refused.returncode == 1
    assert refused.stderr == (
        f"Error: {path} is read-only: it can be read (list, show, export, db backup), but this "
        "change cannot be saved.\n"
    )
    assert '"status": "done"' in run(env, "show", "read", "--json").stdout
    assert path.read_bytes() == before


def test_a_reader_that_leaves_early_is_no_error(tmp_path: Path) -> None:
    """``habit show read | true``: the reader is gone before habit writes (habit takes far
    longer to start than true to exit), so every write meets a closed pipe."""
    env = process_env(tmp_path)
    run(env, "add", "Read")
    piped = subprocess.run(
        ["bash", "-c", f"{HABIT} show read | true; echo $" + "{PIPESTATUS[0]}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (piped.stdout, piped.stderr) == ("0\n", "")


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder on a file system mounted read-only, as a person's backup disk or a shared,
    read-only mount is: even root cannot write there (permission bits would not stop root)."""
    folder = tmp_path / "mounted"
    folder.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(folder)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a file system here: {made.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_database_on_a_read_only_file_system_is_read_and_names_itself_when_written(
    tmp_path: Path, read_only_folder: Path
) -> None:
    env = process_env(tmp_path)
    made = tmp_path / "e2e.db"
    run(env, "add", "Read")
    run(env, "done", "read")
    path = read_only_folder / "habits.db"
    path.write_bytes(made.read_bytes())  # a closed habitcore file, in WAL mode
    remounted = subprocess.run(
        ["mount", "-o", "remount,ro", str(read_only_folder)], capture_output=True
    )
    assert remounted.returncode == 0, remounted.stderr
    on_disk = {**env, "HABITCORE_DATABASE_URL": f"sqlite:///{path}"}
    shown = run(on_disk, "show", "read", "--json")
    assert (shown.returncode, shown.stderr) == (0, "")
    assert '"state": "done"' in shown.stdout
    for args in (["list"], ["export"], ["db", "backup", str(tmp_path / "copy.db")]):
        done = run(on_disk, *args)
        assert (done.returncode, done.stderr) == (0, ""), args
    refused = run(on_disk, "add", "Walk")
    assert refused.returncode == 1
    assert refused.stderr == (
        f"Error: {path} is read-only: it can be read (list, show, export, db backup), but this "
        "change cannot be saved.\n"
    )
    assert sorted(p.name for p in read_only_folder.iterdir()) == ["habits.db"]
