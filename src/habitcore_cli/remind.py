"""``habit remind``: the terminal's own reminder loop, and its one-shot form for cron.

habitcore decides what is due (never twice, never for a habit already done, never more than the
grace period late); this loop only asks it every few seconds, shows what it hands out and then
confirms it, and at each day start prints how the day that ended went.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from itertools import groupby
from signal import SIGINT, SIGTERM
from typing import Annotated, Any

import typer

from habitcore.errors import HabitcoreError
from habitcore_cli.app import command, state
from habitcore_cli.output import console, error, fancy, say, show

Show = Callable[[Any], None]


def notify_desktop(title: str, body: str) -> None:
    """A desktop notification where ``notify-send`` exists; silently nothing elsewhere."""
    program = shutil.which("notify-send")
    if program is None:
        return
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(
            [program, "--app-name=habit", title, body],
            check=False,
            timeout=5,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def show_reminder(reminder: Any) -> None:
    title = f"Time for {reminder.habit}"
    body = f"{reminder.time} reminder for {reminder.day.isoformat()}"
    if reminder.snoozed:
        body += " (snoozed)"
    if fancy():
        from rich.panel import Panel
        from rich.text import Text

        show(Panel(Text(body), title=Text(f"⏰ {title}"), expand=False, style="yellow"))
        console().bell()
    else:
        say(f"Reminder: {reminder.habit} ({body})")
    notify_desktop(title, body)


def summary_lines(results: Sequence[Any]) -> list[str]:
    """One line per closed day: what was done, missed, broken, and any record."""
    lines = []
    for day, group in groupby(results, key=lambda r: r.day):
        parts = []
        for result in group:
            text = f"{result.habit} {result.outcome.value.replace('_', ' ')}"
            if result.broken:
                text += f" (streak of {result.broken} broken)"
            elif result.record:
                text += f" (new best streak: {result.streak})"
            elif result.streak:
                text += f" (streak {result.streak})"
            parts.append(text)
        lines.append(f"{day.isoformat()}: " + "; ".join(parts))
    return lines


def tick(tracker: Any, show: Show, now: datetime) -> int:
    """One look: close the days that ended, then show the reminders due. Returns how many.

    Each reminder is confirmed (logged sent) only once it was shown: if this process is killed
    or fails before, its claim passes and the next look shows it, within the grace period.
    """
    # Imported when a look is taken: --install, --uninstall and --help need none of it.
    from habitcore.delivery import claim
    from habitcore.leases import confirm, new_worker

    for line in summary_lines(tracker.close_days(now)):
        say(line)
    shown = 0
    batches = claim(
        tracker.store, now, tracker.reminder_grace, worker=new_worker(), user=tracker.user
    )
    for batch in batches:
        for reminder in batch:
            show(reminder)
            confirm(tracker.store, [reminder], now)
            shown += 1
    return shown


def run_loop(
    tracker: Any,
    show: Show,
    interval: int,
    *,
    sleep: Callable[[float], None] | None = None,
    stop_after: int | None = None,
    announce: bool = False,
) -> None:
    """Tick every ``interval`` seconds until Ctrl-C or SIGTERM (or ``stop_after`` ticks).

    The signals only raise a flag, checked between ticks and while waiting: a tick in progress
    (a database transaction, a line being printed) always finishes, and the loop still stops
    within a fraction of a second.
    """
    stop = threading.Event()
    wait = sleep or (lambda seconds: stop.wait(seconds) and None)
    ticks = 0

    def job() -> None:
        nonlocal ticks
        ticks += 1
        try:
            tick(tracker, show, tracker.now())
        except HabitcoreError as exc:  # a locked or unreachable database: try again next tick
            error(f"{exc} Trying again in {interval} s.")

    with _stop_on_signals(stop):
        try:
            import schedule

            scheduler = schedule.Scheduler()
            scheduler.every(interval).seconds.do(job)
            if announce:
                say(f"Watching for reminders every {interval:g} s; press Ctrl-C to stop.")
            job()
            while not stop.is_set() and (stop_after is None or ticks < stop_after):
                scheduler.run_pending()
                wait(min(interval, 0.2))
        except KeyboardInterrupt:
            stop.set()
    if stop.is_set():
        say("Stopped reminders.")


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handler = lambda _signum, _frame: stop.set()  # noqa: E731 - a one-line signal handler
    previous = {number: signal.signal(number, handler) for number in (SIGINT, SIGTERM)}
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


@command("remind")
def remind(
    ctx: typer.Context,
    once: Annotated[
        bool, typer.Option("--once", help="Check once, print what is due, exit (for cron).")
    ] = False,
    interval: Annotated[
        int, typer.Option("--interval", min=1, max=3600, help="Seconds between checks.")
    ] = 5,
    install: Annotated[
        bool,
        typer.Option(
            "--install", help="Run habit remind --once every minute by itself (systemd or cron)."
        ),
    ] = False,
    uninstall: Annotated[
        bool, typer.Option("--uninstall", help="Stop and remove what --install set up.")
    ] = False,
) -> None:
    """Show reminders as they come due, and how each day went when it ends. Ctrl-C stops.

    Example: habit remind; habit remind --install (every minute, by itself)
    """
    if install or uninstall:
        if install and uninstall:
            raise typer.BadParameter("Give --install or --uninstall, not both.")
        _set_up(state(ctx), install)
        return
    tracker = state(ctx).tracker()
    if once:
        tick(tracker, _print_line, tracker.now())
        return
    run_loop(tracker, show_reminder, interval, announce=True)


def _print_line(reminder: Any) -> None:
    say(f"Reminder: {reminder.habit} ({reminder.time}, {reminder.day.isoformat()})")


def _set_up(chosen: Any, install: bool) -> None:
    """--install / --uninstall: hand ``habit remind --once`` to systemd or say the cron line."""
    from habitcore_cli import remind_service

    try:
        if install:
            chosen.tracker()  # the database must open before anything is told to use it
            how, done = remind_service.install(chosen.chosen_url)
        else:
            how, done = remind_service.uninstall()
    except remind_service.ServiceError as exc:
        error(f"systemd refused: {exc}")
        raise typer.Exit(1) from None
    if how == "systemd" and install:
        say(
            "Reminders now run by themselves every minute (systemd user timer "
            f"{remind_service.UNIT}.timer; files: {', '.join(done)}). "
            "habit remind --uninstall stops them."
        )
    elif how == "systemd":
        removed = ", ".join(done) if done else "nothing was installed"
        say(f"Stopped the reminder timer ({removed}).")
    elif install:
        say("There is no systemd user session here; add this line with crontab -e:")
        say(done[0])
    else:
        say("There is no systemd user session here; remove the habit remind line with crontab -e.")
