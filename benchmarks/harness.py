"""What every benchmark shares: backends to run on, timing by medians, profiles, tables.

Each figure the benchmarks report is a ratio of two timings taken in the same process, on the
same data, interleaved run by run. A ratio survives a slow or busy machine far better than a
time in milliseconds does, and interleaving means a burst of load elsewhere hits both sides of
the ratio alike instead of only one of them.
"""

from __future__ import annotations

import cProfile
import gc
import io
import os
import pstats
import socket
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from habitcore.storage.store import Store

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "habitcore_bench"


class BackendUnavailable(RuntimeError):
    """The PostgreSQL server asked for is not there: say so rather than report half a run."""


@dataclass
class Backend:
    """Hands out empty databases of one kind, each a fresh ``Store`` at the current schema.

    A new database per scenario keeps scenarios from seeing each other's rows, dead tuples or
    grown files, so the 100,000-user run is not measured on what the 10,000-user one left.
    """

    name: str  # "sqlite" or "postgres"
    postgres_url: str = DEFAULT_POSTGRES
    database: str = BENCH_DATABASE
    _folder: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)
    _count: int = 0

    @contextmanager
    def fresh(self) -> Iterator[Store]:
        """An empty, migrated store, closed (and for PostgreSQL dropped) afterwards."""
        if self.name == "sqlite":
            if self._folder is None:
                self._folder = tempfile.TemporaryDirectory(prefix="habitcore-bench-")
            self._count += 1
            path = Path(self._folder.name) / f"bench-{self._count}.db"
            store = Store(f"sqlite:///{path}")
            try:
                yield store
            finally:
                store.close()
                for leftover in path.parent.glob(f"{path.name}*"):
                    leftover.unlink()
            return
        url = self._create_database()
        store = Store(url)
        try:
            yield store
        finally:
            store.close()
            self.drop()

    def analyze(self, store: Store) -> None:
        """Refresh planner statistics after a bulk load, as autovacuum would in production.

        Only for PostgreSQL: a server analyses freshly loaded tables by itself within a minute,
        whereas a SQLite file is never analysed unless the application asks, and habitcore does
        not, so SQLite is measured as it ships.
        """
        if self.name != "postgres":
            return
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")

    def check(self) -> None:
        """Fail early, before any seeding, when the server cannot be reached."""
        if self.name != "postgres":
            return
        admin = self._admin()
        try:
            with admin.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except sa.exc.OperationalError as exc:
            raise BackendUnavailable(
                f"PostgreSQL is not reachable at {sa.make_url(self.postgres_url)!r}: "
                f"{exc.orig}. Start it, pass --postgres-url, or run --backend sqlite."
            ) from None
        finally:
            admin.dispose()

    def version(self) -> str:
        if self.name == "sqlite":
            import sqlite3

            return f"SQLite {sqlite3.sqlite_version}"
        admin = self._admin()
        try:
            with admin.connect() as connection:
                text = connection.execute(sa.text("SHOW server_version")).scalar_one()
            return f"PostgreSQL {text}"
        finally:
            admin.dispose()

    def drop(self) -> None:
        """Remove the dedicated PostgreSQL database; a no-op when it is already gone."""
        if self.name != "postgres":
            return
        admin = self._admin()
        try:
            with admin.connect() as connection:
                connection.execute(
                    sa.text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
                )
        finally:
            admin.dispose()

    def close(self) -> None:
        self.drop()
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def _admin(self) -> sa.Engine:
        return sa.create_engine(self.postgres_url, isolation_level="AUTOCOMMIT")

    def _create_database(self) -> str:
        self.drop()
        admin = self._admin()
        try:
            with admin.connect() as connection:
                connection.execute(sa.text(f'CREATE DATABASE "{self.database}"'))
        finally:
            admin.dispose()
        url = sa.make_url(self.postgres_url).set(database=self.database)
        return url.render_as_string(hide_password=False)


def postgres_url_from_env() -> str:
    """The server to use: the benchmark's own variable, else the test suite's, else local."""
    return os.environ.get(
        "HABITCORE_BENCH_POSTGRES_URL",
        os.environ.get("HABITCORE_TEST_POSTGRES_URL", DEFAULT_POSTGRES),
    )


def timed(action: Callable[[], Any]) -> float:
    """Seconds one call takes, after collecting garbage left by the previous call.

    The collector stays on while timing: habitcore runs with it on, and the object churn of
    computing stats is part of what it costs. Collecting first keeps one call from paying for
    another's garbage.
    """
    gc.collect()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def interleaved_medians(
    actions: dict[str, Callable[[], Any]],
    repeat: int,
    warmup: int = 1,
    before: Mapping[str, Callable[[], None]] | None = None,
) -> dict[str, float]:
    """The median time of each action over ``repeat`` rounds that run every action once.

    A warm-up round first fills caches (page cache, statement caches, imports) so the medians
    describe the steady state a long-running process sees. ``before[name]`` runs untimed right
    before each run of that action: for actions that change the data, it puts the data back,
    and for actions meant to start cold, it clears what an earlier run left behind.
    """
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for round_ in range(warmup + repeat):
        for name, action in actions.items():
            if before is not None and name in before:
                before[name]()
            took = timed(action)
            if round_ >= warmup:
                samples[name].append(took)
    return {name: statistics.median(values) for name, values in samples.items()}


def profile(action: Callable[[], Any], limit: int = 18, sort: str = "tottime") -> str:
    """A cProfile of one call, the top ``limit`` functions by ``sort``, as text."""
    profiler = cProfile.Profile()
    gc.collect()
    profiler.enable()
    action()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(sort)
    stats.print_stats(limit)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    # Drop pstats' preamble up to the column header; keep the header and the rows.
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return "\n".join(lines[start:])


@dataclass(frozen=True)
class Row:
    """One line of the results table: a ratio, the timings behind it, and its target if any."""

    backend: str
    benchmark: str
    case: str
    measured_ms: float
    baseline_ms: float
    target: float | None = None

    @property
    def ratio(self) -> float:
        return self.measured_ms / self.baseline_ms

    @property
    def verdict(self) -> str:
        if self.target is None:
            return "info"
        return "ok" if self.ratio <= self.target else "MISSED"


def table(rows: Sequence[Row]) -> str:
    """A plain-text table, also valid Markdown, so it can be pasted into docs/performance.md."""
    header = [
        "backend",
        "benchmark",
        "case",
        "measured ms",
        "baseline ms",
        "ratio",
        "target",
        "verdict",
    ]
    body = [
        [
            row.backend,
            row.benchmark,
            row.case,
            f"{row.measured_ms:,.1f}",
            f"{row.baseline_ms:,.1f}",
            f"{row.ratio:.2f}",
            f"<= {row.target:.1f}" if row.target is not None else "-",
            row.verdict,
        ]
        for row in rows
    ]
    return aligned(header, body, numeric={3, 4, 5})


def aligned(header: Sequence[str], body: Sequence[Sequence[str]], numeric: set[int]) -> str:
    """A plain-text table that is also Markdown, the ``numeric`` columns right-aligned."""
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

    def render(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(
        "-" * (w + 1) + ":" if i in numeric else "-" * (w + 2) for i, w in enumerate(widths)
    )
    return "\n".join([render(header), rule + "|", *(render(line) for line in body)])


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on this moment, for a server the benchmark starts."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
