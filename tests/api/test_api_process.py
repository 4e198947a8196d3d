"""The installed ``habit-api`` in a real process beside the installed ``habit``: they share one
database, and what one makes the other reads with the same keys and values."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from habit_process import process_env, run

HABIT_API = Path(sys.executable).parent / "habit-api"
DEADLINE = 120.0  # seconds for the server to answer, generous for a loaded machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Served:
    env: dict[str, str]
    process: subprocess.Popen[str]
    base: str
    token: str

    def call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.request(method, self.base + path, headers=headers, timeout=60, **kw)


def wait_until_healthy(process: subprocess.Popen[str], base: str) -> None:
    ends = time.monotonic() + DEADLINE
    while time.monotonic() < ends:
        if process.poll() is not None:
            raise AssertionError(f"habit-api ended early: {process.communicate()[1]}")
        try:
            if httpx.get(base + "/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"habit-api did not answer /healthz within {DEADLINE:.0f} s")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    assert HABIT_API.exists(), "the habit-api console script is not installed next to this Python"
    env = process_env(tmp_path, HABITCORE_API_RATE="0")
    made = run(env, "token", "create", "--label", "test")
    assert made.returncode == 0, made.stderr
    port = free_port()
    process = subprocess.Popen(
        [str(HABIT_API), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, base)
        yield Served(env, process, base, made.stdout.strip())
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def listed(env: dict[str, str]) -> list[dict[str, Any]]:
    shown = run(env, "list", "--json")
    assert shown.returncode == 0, shown.stderr
    habits: list[dict[str, Any]] = json.loads(shown.stdout)
    return habits


def test_a_habit_made_over_http_reads_the_same_in_habit_list_json(served: Served) -> None:
    made = served.call(
        "POST",
        "/v1/habits",
        json={"name": "Pages", "target": 20, "unit": "pages", "reminders": ["21:00"]},
    )
    assert made.status_code == 201, made.text
    done = served.call("POST", f"/v1/habits/{made.json()['id']}/done", json={"amount": 12})
    assert done.status_code == 200, done.text
    over_http = served.call("GET", "/v1/habits").json()
    assert listed(served.env) == over_http
    assert over_http[0]["name"] == "Pages"
    assert over_http[0]["amount_today"] == 12.0


def test_a_habit_made_with_habit_reads_the_same_over_http(served: Served) -> None:
    for args in (("add", "Walk", "--schedule", "3/week"), ("add", "Read"), ("done", "Read")):
        result = run(served.env, *args)
        assert result.returncode == 0, result.stderr
    over_http = served.call("GET", "/v1/habits")
    assert over_http.status_code == 200
    assert over_http.json() == listed(served.env)
    assert {h["name"]: h["state"] for h in over_http.json()} == {"Walk": "due", "Read": "done"}
    shown = run(served.env, "show", "Read", "--json")
    one = served.call("GET", f"/v1/habits/{over_http.json()[1]['id']}")
    assert json.loads(shown.stdout) == one.json()


def test_the_token_is_never_in_what_the_server_prints(served: Served) -> None:
    assert served.call("GET", "/v1/today").status_code == 200
    wrong = httpx.get(
        served.base + "/v1/today", headers={"Authorization": "Bearer hc_wrong"}, timeout=60
    )
    assert wrong.status_code == 401
    served.process.send_signal(signal.SIGTERM)
    out, err = served.process.communicate(timeout=DEADLINE)
    assert "GET /v1/today" in out + err  # the access log is there, so the check can fail
    assert served.token not in out + err
    assert "hc_wrong" not in out + err


def test_a_database_that_cannot_be_opened_is_one_sentence_and_exit_1(tmp_path: Path) -> None:
    env = {**os.environ, "HABITCORE_DATABASE_URL": f"sqlite:///{tmp_path / 'no' / 'x.db'}"}
    failed = subprocess.run(
        [str(HABIT_API), "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert len(failed.stderr.strip().splitlines()) == 1
    assert "Traceback" not in failed.stderr


def test_a_port_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    failed = subprocess.run(
        [str(HABIT_API), "--port", "70000"],
        env=process_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert failed.returncode == 2
    assert "Invalid value for '--port'" in failed.stderr
    assert "╭" not in failed.stderr  # a plain sentence, as habit prints, not a drawn box


@pytest.mark.parametrize("rate", ["abc", "nan", "inf", "-5", "1e400"])
def test_a_rate_that_is_not_a_number_of_requests_is_one_sentence_and_exit_1(
    tmp_path: Path, rate: str
) -> None:
    failed = subprocess.run(
        [str(HABIT_API), "--port", str(free_port())],
        env=process_env(tmp_path, HABITCORE_API_RATE=rate),
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert failed.returncode == 1
    assert failed.stderr.strip().splitlines()[-1] == (
        "HABITCORE_API_RATE must be a number of requests a minute from 0 (no limit) to "
        f"1,000,000, such as 120; got {rate!r}."
    )
    assert "Traceback" not in failed.stderr


def test_without_the_api_extra_habit_api_names_the_extra(tmp_path: Path) -> None:
    missing = tmp_path / "site"
    (missing / "fastapi").mkdir(parents=True)
    (missing / "fastapi" / "__init__.py").write_text(
        "raise ImportError(\"No module named 'fastapi'\")\n"
    )
    failed = subprocess.run(
        [str(HABIT_API), "--help"],
        env=process_env(tmp_path, PYTHONPATH=str(missing)),
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert failed.returncode == 1
    assert failed.stderr == (
        "habit-api needs the API extra; install it with: pip install 'habitcore[api]'\n"
    )
