"""Developer sessions: ``nox -s tests``, ``tests_postgres``, ``lint``, ``bench``."""

from __future__ import annotations

import os

import nox

nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests", "tests_postgres", "lint"]

PYTHON = ["3.11", "3.12", "3.13"]


def _install(session: nox.Session, extra: str = "test") -> None:
    session.install("-e", f".[{extra}]")


@nox.session(python=PYTHON[0])
def tests(session: nox.Session) -> None:
    """The suite on SQLite only (no server needed)."""
    _install(session)
    session.run("pytest", "-m", "not postgres", *session.posargs, env={"TERM": "dumb"})


@nox.session(python=PYTHON[0])
def tests_postgres(session: nox.Session) -> None:
    """The storage suite against a real PostgreSQL server; a skip here is a failure."""
    _install(session)
    env = {"TERM": "dumb", "HABITCORE_REQUIRE_POSTGRES": "1"}
    if "HABITCORE_TEST_POSTGRES_URL" in os.environ:
        env["HABITCORE_TEST_POSTGRES_URL"] = os.environ["HABITCORE_TEST_POSTGRES_URL"]
    session.run("pytest", "-m", "postgres", *session.posargs, env=env)


@nox.session(python=PYTHON[0])
def lint(session: nox.Session) -> None:
    """ruff (lint and format) on everything, mypy --strict on src/: the commands and, through
    the dev extra's pins, the versions of the .pre-commit-config.yaml hooks."""
    _install(session, "dev")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session(python=PYTHON[0])
def bench(session: nox.Session) -> None:
    """The benchmarks in benchmarks/; they print the figures for docs/performance.md."""
    _install(session, "test")
    session.run("python", "benchmarks/run.py", *session.posargs)
