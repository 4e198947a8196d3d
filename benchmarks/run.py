"""Run habitcore's benchmarks and print the figures that docs/performance.md records.

    python benchmarks/run.py                      # everything, SQLite and PostgreSQL (~9 min)
    python benchmarks/run.py --quick              # a smaller, faster pass (~2-3 min)
    python benchmarks/run.py --backend sqlite --bench stats --profile
    python benchmarks/run.py --bench telegram     # the bot: a crowd, 10,000 reminders (~7 min)
    python benchmarks/run.py --bench import       # habit import of a 10-year Loop backup (~1 min)
    python benchmarks/run.py --bench api          # habit-api served, both backends (~3 min)
    python benchmarks/run.py --bench growth       # bytes per user-year; plans at 1k-100k users
    python benchmarks/run.py --bench webhook      # habit-telegram webhook workers, PostgreSQL
    nox -s bench -- --quick                       # the same through nox

Every figure is a ratio of two timings taken in this process on the same data, each the median
of several interleaved rounds, so the figures can be compared across machines where
milliseconds cannot. Targets are checked against those ratios only; ``--check`` turns a missed
target into exit status 1 for CI, and by default a miss is reported, not hidden.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

# ``python benchmarks/run.py`` puts this folder on sys.path; make the same true for ``-m`` and
# for runs from other folders, so the sibling modules import alike everywhere.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import cli_bench
import growth_bench
import import_bench
import reminders_bench
import sqlalchemy as sa
import stats_bench
from harness import Backend, BackendUnavailable, Row, postgres_url_from_env, table


def _user_counts(text: str) -> list[int]:
    try:
        counts = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give numbers such as 10000,100000") from None
    if not counts or counts[0] < reminders_bench.DUE:
        raise argparse.ArgumentTypeError(
            f"each number of users must be at least {reminders_bench.DUE:,} (that many are due)"
        )
    return counts


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description="habitcore benchmarks: stats over long histories, finding due reminders, "
        "the habit command, the Telegram bot and the HTTP API.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="3 rounds instead of 5, 3 years of history instead of 10, no due_reminders, "
        "a smaller Telegram crowd and burst, fewer API requests (two to three minutes)",
    )
    parser.add_argument(
        "--backend", choices=("sqlite", "postgres", "both"), default="both", help="default: both"
    )
    parser.add_argument(
        "--bench",
        choices=(
            "stats",
            "reminders",
            "cli",
            "import",
            "telegram",
            "api",
            "growth",
            "webhook",
            "all",
        ),
        default="all",
        help="default: all (cli and import run once, on SQLite, whatever --backend says; "
        "growth runs only when named: its 100,000-user scenario takes minutes)",
    )
    parser.add_argument(
        "--crowd",
        type=int,
        default=None,
        help="users in the Telegram benchmark's crowd (default: 1000, with --quick: 100)",
    )
    parser.add_argument(
        "--users",
        type=_user_counts,
        default=None,
        help="numbers of users for the reminders benchmark (default: 10000,100000) and for "
        "the growth benchmark's plans (default: 1000,10000,100000)",
    )
    parser.add_argument(
        "--years", type=int, default=None, help="years of history per habit (default: 10)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="timed rounds per figure, after one warm-up round (default: 5, --quick: 3)",
    )
    parser.add_argument(
        "--deliver",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also time due_reminders, which writes and takes seconds a run "
        "(default: yes, with --quick: no)",
    )
    parser.add_argument(
        "--postgres-url",
        default=postgres_url_from_env(),
        help="server to use; a database habitcore_bench is created on it and dropped after "
        "(default: $HABITCORE_BENCH_POSTGRES_URL, $HABITCORE_TEST_POSTGRES_URL or the local "
        "server)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="print cProfile summaries and the find_due query plan",
    )
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a target is missed"
    )
    args = parser.parse_args(argv)
    args.years = args.years or (3 if args.quick else stats_bench.YEARS)
    args.repeat = args.repeat or (3 if args.quick else 5)
    args.growth_users = args.users or (
        list(growth_bench.SCALE_USERS[:2]) if args.quick else list(growth_bench.SCALE_USERS)
    )
    args.users = args.users or [10_000, 100_000]
    if args.deliver is None:
        args.deliver = not args.quick
    if args.years < 1 or args.repeat < 1:
        parser.error("--years and --repeat must be at least 1")
    if args.crowd is not None and args.crowd < 10:
        parser.error("--crowd must be at least 10")
    return args


def _cpu() -> str:
    """The processor's model name where Linux tells it, else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _nproc() -> int:
    """CPUs this process may run on, as ``nproc`` counts them (not the host's total)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def machine(backends: list[Backend]) -> list[str]:
    """What the figures were measured on; ratios travel well, but not perfectly."""
    load = ""
    if hasattr(os, "getloadavg"):
        # Other work on the machine slows both sides of a ratio, but not always alike: say so.
        load = ", load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        f"machine: {platform.system()} {platform.release()}, {_nproc()} CPUs (nproc), "
        f"{_cpu()}{load}",
        f"python: {platform.python_implementation()} {platform.python_version()}, "
        f"SQLAlchemy {sa.__version__}",
        *(f"database: {backend.version()}" for backend in backends),
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    names = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    backends = [Backend(name, postgres_url=args.postgres_url) for name in names]
    # The growth benchmark keeps to a database of its own, so it can run beside the others.
    growing = [
        Backend(name, postgres_url=args.postgres_url, database=growth_bench.DATABASE)
        for name in names
    ]
    try:
        for backend in backends:
            backend.check()
    except BackendUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    command = shlex.join(["python", "benchmarks/run.py", *(argv or sys.argv[1:])])
    described = machine(backends)
    print(f"command: {command}")
    for line in described:
        print(line)
    print(flush=True)

    rows: list[Row] = []
    telegram: list[Any] = []  # telegram_bench.Result, one per backend
    telegram_bench: Any = None
    api: list[Any] = []  # api_bench.Result, one per backend
    growth: list[growth_bench.Result] = []
    api_bench: Any = None
    webhook: list[Any] = []  # webhook_bench.Result
    webhook_bench: Any = None
    if args.bench == "webhook":
        # Only when named: it starts habit-telegram processes (habitcore[telegram]) on
        # PostgreSQL, in a database of its own.
        import webhook_bench

        webhook_options = webhook_bench.Options.for_run(quick=args.quick, crowd=args.crowd)
        webhook_backend = Backend(
            "postgres", postgres_url=args.postgres_url, database=webhook_bench.DATABASE
        )
        growing.append(webhook_backend)
    if args.bench in ("telegram", "all"):
        # Imported only when asked for: it starts the bot, which needs habitcore[telegram], and
        # it plays users through the fake Bot API server in tests/.
        import telegram_bench

        telegram_options = telegram_bench.Options.for_run(
            quick=args.quick, crowd=args.crowd, repeat=args.repeat
        )
    if args.bench in ("api", "all"):
        # Imported only when asked for: it starts habit-api, which needs habitcore[api].
        import api_bench

        api_options = api_bench.Options.for_run(quick=args.quick)
    started = time.perf_counter()
    options = reminders_bench.Options(
        repeat=args.repeat,
        deliver=args.deliver,
        deliver_runs=1 if args.quick else 3,
        deliver_warmup=0 if args.quick else 1,
    )
    try:
        for backend in backends:
            if args.bench in ("stats", "all"):
                rows += stats_bench.run(backend, args.years, args.repeat, args.profile)
            if args.bench in ("reminders", "all"):
                rows += reminders_bench.run(backend, args.users, options, args.profile)
            if telegram_bench is not None:
                result = telegram_bench.run(
                    backend, telegram_options, args.profile, pace=backend is backends[0]
                )
                telegram.append(result)
                rows += result.rows
            if api_bench is not None:
                served = api_bench.run(backend, api_options, args.profile)
                api.append(served)
                rows += served.rows
        if args.bench == "growth":
            for backend in growing:
                grown = growth_bench.run(backend, args.repeat, args.growth_users)
                growth.append(grown)
                rows += grown.rows
        if webhook_bench is not None:
            webhook.append(webhook_bench.run(webhook_backend, webhook_options))
        if args.bench in ("cli", "all"):
            rows += cli_bench.run(max(5, args.repeat * 2))
        if args.bench in ("import", "all"):
            rows += import_bench.run(args.repeat)[0]
    finally:
        for backend in [*backends, *growing]:
            backend.close()
    took = time.perf_counter() - started

    missed = [row for row in rows if row.verdict == "MISSED"]
    if rows:  # the webhook benchmark has absolute figures only
        print()
        print(table(rows))
        print()
        how = f"both medians of {args.repeat} interleaved rounds after a warm-up round"
        if args.bench in ("reminders", "all"):
            how += f" ({args.repeat * 5} after 3 for the reminder reads"
            if options.deliver:
                how += f"; due_reminders: {options.deliver_runs} run(s), reset before each"
            how += ")"
        if telegram:
            how += (
                "; telegram: each wave of the crowd against habitcore doing the same updates "
                "directly right after it (the median of the 5 tap waves), find_due as for the "
                f"reminders, due_reminders {telegram_options.deliver_runs} run(s) for 10,000 due"
            )
        if api:
            how += (
                f"; api: {api_options.rounds} interleaved rounds of one request at a time against "
                "the library call in this process, p50 (the median) of each"
            )
        if growth:
            how += (
                "; growth: the 1,000 due by primary key as for the reminders, the checklists of "
                f"{growth_bench.CHECKLISTS} users against their rows by primary key, "
                f"{args.repeat * 5} rounds after 3 (claims {args.repeat * 3} after 2)"
            )
        print(f"Each ratio is measured / baseline, {how}; ran in {took:.0f} s.")
        for row in missed:
            print(
                f"MISSED: {row.backend} {row.benchmark}: {row.case} = {row.ratio:.2f} "
                f"(target <= {row.target})"
            )
        if not missed:
            print("Every target met.")
    if telegram:
        print()
        print("The Telegram bot on this machine (absolute figures: they do not carry over):")
        print(telegram_bench.figures_table([f for result in telegram for f in result.figures]))
        for result in telegram:
            for note in result.notes:
                print(f"- {note}")
    if api:
        print()
        print(
            f"habit-api on this machine (absolute figures: they do not carry over), "
            f"{api_bench.CONNECTIONS} client threads with a keep-alive connection each, in this "
            "process, sharing the CPUs with the server:"
        )
        print(api_bench.figures_table([f for result in api for f in result.figures]))
        for result in api:
            for note in result.notes:
                print(f"- {note}")
    if webhook:
        print()
        print(
            f"habit-telegram webhook workers on this machine (absolute figures: they do not carry "
            f"over), {webhook_bench.CONNECTIONS} connections posting as Telegram does, the fake "
            "Bot API in this process, all sharing the CPUs with PostgreSQL:"
        )
        print(webhook_bench.figures_table([f for result in webhook for f in result.figures]))
        for result in webhook:
            for line in [*webhook_bench.describe_statuses(result.figures), *result.notes]:
                print(f"- {line}")
    for grown in growth:
        for note in grown.notes:
            print()
            print(note)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "command": command,
                    "machine": described,
                    "rows": [{**asdict(row), "ratio": row.ratio} for row in rows],
                    "telegram": [
                        asdict(figure) for result in telegram for figure in result.figures
                    ],
                    "telegram_notes": [note for result in telegram for note in result.notes],
                    "api": [asdict(figure) for result in api for figure in result.figures],
                    "api_notes": [note for result in api for note in result.notes],
                    "growth_notes": [note for result in growth for note in result.notes],
                    "webhook": [asdict(figure) for result in webhook for figure in result.figures],
                },
                indent=2,
            )
        )
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
