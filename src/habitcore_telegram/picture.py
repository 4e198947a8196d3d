"""The /stats picture: the last six months as a heatmap over the score's line, as a PNG.

matplotlib is imported here, on the first picture, with the Agg backend (no display, no GUI
toolkit), so starting the bot and every other command stay light.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from datetime import date

from habitcore import Outcome
from habitcore.rules.score import ScoreStep

_lock = threading.Lock()  # pyplot keeps global state

COLOURS = {
    Outcome.DONE: "#2e9e4f",
    Outcome.PARTIAL: "#9bd3a7",
    Outcome.MISSED: "#e05a47",
    Outcome.SKIPPED: "#f2c14e",
    Outcome.PAUSED: "#9aa7b8",
    Outcome.NOT_DUE: "#eceff3",
    Outcome.OPEN: "#d5dbe3",
    Outcome.OVER: "#8e44ad",
}


LEGEND = (
    Outcome.DONE,
    Outcome.PARTIAL,
    Outcome.MISSED,
    Outcome.OVER,
    Outcome.SKIPPED,
    Outcome.PAUSED,
)


@dataclass(frozen=True)
class Words:
    """What the picture says, in the person's language. The habit's name is not among them:
    it goes in the photo's caption, which Telegram shows in any script, emoji included, where
    the picture's font has no glyph for most of them."""

    title: str
    weekdays: list[str]  # Monday first
    months: list[str]  # January first
    score: str  # the score axis
    legend: dict[Outcome, str]


def draw(days: list[tuple[date, Outcome]], steps: list[ScoreStep], words: Words) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot
    from matplotlib.colors import to_rgb
    from matplotlib.patches import Patch

    with _lock:
        figure, (heat, line) = pyplot.subplots(
            2, 1, figsize=(8, 4.6), dpi=110, gridspec_kw={"height_ratios": [1.3, 1]}
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
            heat.set_yticks(range(7), words.weekdays, fontsize=7)
            starts = [d for d, _ in days if d.day == 1]
            heat.set_xticks(
                [(d.toordinal() - monday) // 7 for d in starts],
                [words.months[d.month - 1] for d in starts],
                fontsize=7,
            )
            heat.set_title(words.title, fontsize=10, parse_math=False)
            heat.tick_params(length=0)
            for side in heat.spines.values():
                side.set_visible(False)
            shown = [s for s in steps if days and s.day >= days[0][0]]
            line.plot([s.day for s in shown], [s.score * 100 for s in shown], color="#2e6fd1")
            line.set_xticks(starts, [words.months[d.month - 1] for d in starts])
            line.set_ylim(0, 100)
            line.set_ylabel(words.score, fontsize=8, parse_math=False)
            line.tick_params(labelsize=7)
            line.grid(alpha=0.3)
            keys = [Patch(color=COLOURS[o], label=words.legend[o]) for o in LEGEND]
            figure.legend(handles=keys, loc="lower center", ncol=len(keys), fontsize=7)
            figure.tight_layout(rect=(0, 0.06, 1, 1))
            out = io.BytesIO()
            figure.savefig(out, format="png")
            return out.getvalue()
        finally:
            pyplot.close(figure)
