"""The /stats picture: the last six months as a heatmap over the score's line, as a PNG.

matplotlib is imported here, on the first picture, with the Agg backend (no display, no GUI
toolkit), so starting the bot and every other command stay light.
"""

from __future__ import annotations

import io
import threading
from datetime import date

from habitcore import Outcome
from habitcore.score import ScoreStep

_lock = threading.Lock()  # pyplot keeps global state

COLOURS = {
    Outcome.DONE: "#2e9e4f",
    Outcome.PARTIAL: "#9bd3a7",
    Outcome.MISSED: "#e05a47",
    Outcome.SKIPPED: "#f2c14e",
    Outcome.PAUSED: "#9aa7b8",
    Outcome.NOT_DUE: "#eceff3",
    Outcome.OPEN: "#d5dbe3",
}


def draw(
    title: str,
    days: list[tuple[date, Outcome]],
    steps: list[ScoreStep],
    weekdays: list[str],
    score_label: str,
) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot
    from matplotlib.colors import to_rgb

    with _lock:
        figure, (heat, line) = pyplot.subplots(
            2, 1, figsize=(8, 4.2), dpi=110, gridspec_kw={"height_ratios": [1.3, 1]}
        )
        try:
            first = days[0][0] if days else steps[-1].day if steps else date(2000, 1, 3)
            monday = first.toordinal() - first.weekday()
            weeks = (days[-1][0].toordinal() - monday) // 7 + 1 if days else 1
            grid = [[(1.0, 1.0, 1.0)] * weeks for _ in range(7)]
            for day, outcome in days:
                week = (day.toordinal() - monday) // 7
                grid[day.weekday()][week] = to_rgb(COLOURS[outcome])
            heat.imshow(grid, aspect="auto", interpolation="nearest")
            heat.set_yticks(range(7), weekdays, fontsize=7)
            months = [
                (((d.toordinal() - monday) // 7), d.strftime("%b")) for d, _ in days if d.day == 1
            ]
            heat.set_xticks([m for m, _ in months], [n for _, n in months], fontsize=7)
            heat.set_title(title, fontsize=10, parse_math=False)  # "$5 a day" is not TeX
            heat.tick_params(length=0)
            for side in heat.spines.values():
                side.set_visible(False)
            shown = [s for s in steps if days and s.day >= days[0][0]]
            line.plot([s.day for s in shown], [s.score * 100 for s in shown], color="#2e6fd1")
            line.set_ylim(0, 100)
            line.set_ylabel(score_label, fontsize=8)
            line.tick_params(labelsize=7)
            line.grid(alpha=0.3)
            figure.tight_layout()
            out = io.BytesIO()
            figure.savefig(out, format="png")
            return out.getvalue()
        finally:
            pyplot.close(figure)
