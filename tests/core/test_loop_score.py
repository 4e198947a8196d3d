"""Loop Habit Tracker's own score tests, replayed through habitcore's rules.

Each row is one assertion of ``uhabits-core`` (iSoron/uhabits, the 2.x main line):
``ScoreTest.kt`` (``Score.compute``) and the classes of ``ScoreListTest.kt``. The inputs and the
expected figures are Loop's; the tolerance is Loop's (1e-6, or 1e-3 where the test says so).

How a Loop test becomes habitcore records:

* Loop's test clock stands at 2015-01-25; day offset ``k`` is ``k`` days before it.
* A Loop frequency ``num/den`` is ``daily`` when it is 1/1 and ``num in den days`` otherwise.
* A numerical habit's entries are amounts × 1000 in Loop; the tables keep Loop's raw values.
* Loop scores from the oldest entry (0.0 before it); habitcore from the habit's start, so the
  start is the oldest entry's day (today with no entries).
* habitcore counts today only when that raises the score, where Loop always counts it. Each
  figure is therefore read once its day has ended (the walk runs to the day after), which is
  where the two agree. ``test_today_counts_only_when_it_raises_the_score`` pins how habitcore's
  today relates to Loop's: it is the higher of Loop's figure and yesterday's close.

Not tabled: the Kotlin-multiplatform ``ScoreListTest`` (its calendar-week mode comes from an
unmerged pull request; its rolling mode repeats the cases below), and the tests of the unmerged
PR #1713 branch, which Loop's main line fails too.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from habitcore.rules.habits import CheckIn, Goal, History, Status
from habitcore.rules.schedule import Daily, Rolling, Schedule
from habitcore.rules.score import next_score
from habitcore.rules.tally import Tally, explain, score

TODAY = date(2015, 1, 25)  # BaseUnitTest.kt: FIXED_LOCAL_TIME, 2015-01-25 08:00 UTC
ONE_DAY = timedelta(days=1)
E = 1e-6  # ScoreTest.kt and ScoreListTest.kt: E = 1e-6
YES = "yes"  # Loop's Entry.YES_MANUAL
SKIP = "skip"  # Loop's Entry.SKIP
Entry = float | str  # a raw Loop value (thousandths of the unit), YES or SKIP


def loop_schedule(num: int, den: int) -> Schedule:
    """Loop's ``Frequency(num, den)``: 1/1 is daily, anything else a rolling window."""
    return Daily() if num == den else Rolling(num, den)


def at(offsets: Iterable[int], value: Entry) -> dict[int, Entry]:
    return dict.fromkeys(offsets, value)


def entries(*parts: Mapping[int, Entry]) -> dict[int, Entry]:
    """Loop's ``addEntries`` calls in order: a later entry on a day replaces the earlier one."""
    merged: dict[int, Entry] = {}
    for part in parts:
        merged.update(part)
    return merged


# test_getValue of the yes/no and the at-least numerical daily habit: 20 days done from 0.
G = (
    *(0.655747, 0.636894, 0.617008, 0.596033, 0.573910, 0.550574, 0.525961, 0.500000),
    *(0.472617, 0.443734, 0.413270, 0.381137, 0.347244, 0.311495, 0.273788, 0.234017),
    *(0.192067, 0.147820, 0.101149, 0.051922, 0.000000, 0.000000, 0.000000),
)

# HabitFixtures.kt createNumericalHabit(): day offset -> raw value.
NUMERICAL_FIXTURE = dict(zip((0, 1, 3, 5, 7, 8, 9, 10), range(100, 900, 100), strict=True))


@dataclass(frozen=True)
class Case:
    """One Loop assertion: a habit, its entries, and the scores expected from today back."""

    source: str
    schedule: Schedule
    entries: Mapping[int, Entry]
    expected: tuple[float, ...]  # index 0 is today, 1 yesterday, ...
    target: float | None = None  # None: yes/no
    at_most: bool = False
    tolerance: float = E
    above: bool = False  # Loop asserts only that today's score is above ``expected[0]``
    note: str = field(default="", compare=False)

    def records(self) -> tuple[Goal, History]:
        oldest = max(self.entries, default=0)
        goal = Goal(
            self.schedule,
            TODAY - timedelta(days=oldest),
            target=self.target,
            unit=None if self.target is None else "miles",
            at_most=self.at_most,
        )
        found = []
        for offset, value in self.entries.items():
            day = TODAY - timedelta(days=offset)
            if value == SKIP:
                found.append(CheckIn(day, Status.SKIPPED))
            elif value == YES:
                found.append(CheckIn(day, Status.DONE))
            else:
                assert self.target is not None, self.source
                found.append(CheckIn(day, Status.DONE, float(value) / 1000))
        return goal, History.of(found)


def yes_no(
    source: str,
    frequency: tuple[int, int],
    checked: Mapping[int, Entry],
    *expected: float,
    tolerance: float = E,
    above: bool = False,
    note: str = "",
) -> Case:
    schedule = loop_schedule(*frequency)
    return Case(source, schedule, checked, expected, None, False, tolerance, above, note)


def numerical(
    source: str,
    frequency: tuple[int, int],
    values: Mapping[int, Entry],
    *expected: float,
    at_most: bool = False,
    above: bool = False,
    note: str = "",
) -> Case:
    """createEmptyNumericalHabit(): a target of 2.0 (miles)."""
    schedule = loop_schedule(*frequency)
    return Case(source, schedule, values, expected, 2.0, at_most, E, above, note)


YN = "ScoreListTest.kt::YesNoScoreListTest::"
AL = "ScoreListTest.kt::NumericalAtLeastScoreListTest::"
ALS = "ScoreListTest.kt::NumericalAtLeastScoreListWithSkipTest::"
AM = "ScoreListTest.kt::NumericalAtMostScoreListTest::"

imperfect = at((d for k in range(100) for d in (7 * k, 7 * k + 1)), YES)
irregular = at((d for k in range(100) for d in (14 * k, 14 * k + 13)), YES)
weekly_then_monthly = entries(
    at((7 * i for i in range(39)), YES), at((30 * i for i in range(18)), YES)
)

CASES = [
    # -- YesNoScoreListTest (createEmptyHabit: daily, yes/no) --------------------------------
    yes_no(YN + "test_getValue", (1, 1), at(range(20), YES), *G),
    yes_no(
        YN + "test_getValueWithSkip",
        (1, 1),
        entries(at(range(20), YES), at((5, 10, 11), SKIP)),
        *(0.596033, 0.573910, 0.550574, 0.525961, 0.500000, 0.472617, 0.472617, 0.443734),
        *(0.413270, 0.381137, 0.347244, 0.347244, 0.347244, 0.311495, 0.273788, 0.234017),
        *(0.192067, 0.147820, 0.101149, 0.051922, 0.000000, 0.000000, 0.000000),
    ),
    yes_no(
        YN + "test_getValueWithSkip2",
        (1, 1),
        {5: YES, 4: SKIP},
        *(0.041949, 0.044247, 0.046670, 0.049226, 0.051922, 0.051922, 0.0),
    ),
    yes_no(YN + "test_imperfectNonDaily", (3, 7), imperfect, 2 / 3),
    yes_no(YN + "test_imperfectNonDaily", (4, 7), imperfect, 0.5, note="then Frequency(4, 7)"),
    yes_no(YN + "test_irregularNonDaily", (1, 7), irregular, 1.0, tolerance=1e-3),
    yes_no(
        YN + "shouldAchieveHighScoreInReasonableTime", (1, 1), at(range(90), YES), 0.99, above=True
    ),
    yes_no(
        YN + "shouldAchieveHighScoreInReasonableTime",
        (1, 7),
        at((7 * i for i in range(39)), YES),
        0.99,
        above=True,
        note="Frequency.WEEKLY",
    ),
    yes_no(
        YN + "shouldAchieveHighScoreInReasonableTime",
        (1, 30),
        weekly_then_monthly,
        0.99,
        above=True,
        note="the same habit, then Frequency(1, 30)",
    ),
    yes_no(YN + "test_recompute", (1, 1), {}, 0.0, note="no entries"),
    yes_no(YN + "test_recompute", (1, 1), at(range(2), YES), 0.101149, note="check(0, 2)"),
    yes_no(YN + "test_recompute", (1, 2), at(range(2), YES), 0.054816, note="then Frequency(1, 2)"),
    yes_no(YN + "test_addThenRemove", (1, 1), {}, 0.0, note="no entries"),
    yes_no(YN + "test_addThenRemove", (1, 1), {0: YES}, 0.051922, note="YES today"),
    yes_no(YN + "test_addThenRemove", (1, 1), {}, 0.0, note="the entry replaced by UNKNOWN"),
    # -- NumericalAtLeastScoreListTest (createEmptyNumericalHabit: daily, target 2) ---------
    numerical(AL + "test_getValue", (1, 1), at(range(20), 2000), *G),
    numerical(AL + "test_recompute", (1, 1), {}, 0.0, note="no entries"),
    numerical(AL + "test_recompute", (1, 1), at(range(2), 2000), 0.101149, note="2000 on 0, 1"),
    numerical(
        AL + "test_recompute", (1, 2), at(range(2), 2000), 0.072631, note="then Frequency(1, 2)"
    ),
    numerical(
        AL + "shouldAchieveHighScoreInReasonableTime", (1, 1), at(range(90), 2000), 0.99, above=True
    ),
    numerical(
        AL + "shouldAchieveHighScoreInReasonableTime",
        (1, 7),
        at((7 * i for i in range(39)), 2000),
        0.99,
        above=True,
        note="Frequency.WEEKLY",
    ),
    numerical(
        AL + "shouldAchieveHighScoreInReasonableTime",
        (1, 30),
        entries(at((7 * i for i in range(39)), 2000), at((30 * i for i in range(18)), 2000)),
        0.99,
        above=True,
        note="the same habit, then Frequency(1, 30)",
    ),
    numerical(AL + "shouldAchieveComparableScoreToProgress", (1, 1), at(range(500), 1000), 0.5),
    numerical(
        AL + "shouldAchieveComparableScoreToProgress",
        (1, 1),
        at(range(500), 500),
        0.25,
        note="the entries overwritten with 500",
    ),
    numerical(AL + "overeachievingIsntRelevant", (1, 1), {0: 10000000}, 0.051922),
    # -- NumericalAtLeastScoreListWithSkipTest ----------------------------------------------
    numerical(
        ALS + "test_getValue",
        (1, 1),
        entries(at(range(20), 2000), at((10, 15), SKIP)),
        *(0.617008, 0.596033, 0.573910, 0.550574, 0.525961, 0.500000, 0.472617, 0.443734),
        *(0.413270, 0.381137, 0.347244, 0.347244, 0.311495, 0.273788, 0.234017, 0.192067),
        *(0.192067, 0.147820, 0.101149, 0.051922, 0.000000, 0.000000, 0.000000),
    ),
    # -- NumericalAtMostScoreListTest (createEmptyNumericalHabit(AT_MOST): daily, at most 2) -
    numerical(
        AM + "test_getValue",
        (1, 1),
        entries({20: 1000}, at(range(20), 5000)),
        *(0.344253, 0.363106, 0.382992, 0.403967, 0.426090, 0.449426, 0.474039, 0.500000),
        *(0.527383, 0.556266, 0.586730, 0.618863, 0.652756, 0.688505, 0.726212, 0.765983),
        *(0.807933, 0.852180, 0.898851, 0.948078, 1.0, 0.0, 0.0),
        at_most=True,
    ),
    numerical(AM + "test_recompute", (1, 1), {}, 1.0, at_most=True, note="no entries"),
    numerical(
        AM + "test_recompute",
        (1, 1),
        at(range(2), 5000),
        0.898850,
        at_most=True,
        note="5000 on 0, 1",
    ),
    numerical(
        AM + "test_recompute",
        (1, 2),
        at(range(2), 5000),
        0.927369,
        at_most=True,
        note="then Frequency(1, 2)",
    ),
    numerical(
        AM + "shouldAchieveComparableScoreToProgress",
        (1, 1),
        at(range(500), 3000),
        0.5,
        at_most=True,
    ),
    numerical(
        AM + "shouldAchieveComparableScoreToProgress",
        (1, 1),
        at(range(500), 3500),
        0.25,
        at_most=True,
        note="the entries overwritten with 3500",
    ),
    numerical(AM + "undereachievingIsntRelevant", (1, 1), {1: 10000000}, 0.950773, at_most=True),
    numerical(AM + "overeachievingIsntRelevant", (1, 1), {0: 5000, 1: 0}, 0.948077, at_most=True),
    numerical(
        AM + "overeachievingIsntRelevant",
        (1, 1),
        {0: 5000, 1: 1000},
        0.948077,
        at_most=True,
        note="day 1 overwritten with 1000",
    ),
]


def ended_scores(goal: Goal, history: History, days: int) -> list[float]:
    """The score of each day from today back, read once the day has ended (0 before the
    habit's start, as Loop reads days before its first entry)."""
    steps = explain(goal, history, TODAY + ONE_DAY)
    by_day = {s.day: s.score for s in steps if s.day <= TODAY}
    assert all(s.counted for s in steps if s.day <= TODAY)
    return [by_day.get(TODAY - timedelta(days=n), 0.0) for n in range(days)]


def check(case: Case, found: list[float]) -> None:
    """``found`` against the case's figures from today back (as many as ``found`` holds)."""
    if case.above:
        assert found[0] > case.expected[0], (case.source, case.note)
    else:
        expected = list(case.expected[: len(found)])
        assert found == pytest.approx(expected, abs=case.tolerance, rel=0), (
            case.source,
            case.note,
        )


def case_id(case: Case) -> str:
    return case.source.split("::", 1)[1] + (f", {case.note}" if case.note else "")


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_loop_score_list(case: Case) -> None:
    goal, history = case.records()
    check(case, ended_scores(goal, history, len(case.expected)))


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_a_resumed_tally_gives_loops_figure(case: Case) -> None:
    """The kept tally, stored halfway as JSON and folded on through today, agrees too."""
    goal, history = case.records()
    halfway = goal.start + (TODAY - goal.start) / 2
    early = Tally(goal)
    early.advance(history, halfway)
    tally = Tally.from_json(goal, 0, json.loads(json.dumps(early.to_json())))
    tally.advance(history, TODAY)
    check(case, [tally.score])


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_today_counts_only_when_it_raises_the_score(case: Case) -> None:
    """Read on the day itself, habitcore's score is Loop's unless that is below yesterday's
    close: an unfinished today never lowers the score (the only difference by design)."""
    goal, history = case.records()
    before = ended_scores(goal, history, 2)[1] if goal.start < TODAY else None
    if before is None:
        before = 1.0 if goal.at_most else 0.0  # the score before the first day
    loop_today = ended_scores(goal, history, 1)[0]
    assert score(goal, history, TODAY) == max(loop_today, before)


def test_today_differs_from_loop_only_where_it_would_lower_the_score() -> None:
    """NumericalAtMostScoreListTest::overeachievingIsntRelevant read on the day: Loop shows
    0.948077 (today's 5 of at most 2 counted); habitcore keeps 1.0 until the day is over."""
    case = next(c for c in CASES if c.source == AM + "overeachievingIsntRelevant")
    goal, history = case.records()
    assert score(goal, history, TODAY) == 1.0
    [step] = [s for s in explain(goal, history, TODAY) if s.day == TODAY]
    assert not step.counted
    assert step.score == pytest.approx(0.948077, abs=E)
    assert ended_scores(goal, history, 1) == [pytest.approx(0.948077, abs=E)]


# ScoreTest.kt::test_compute_withDailyHabit and ::test_compute_withNonDailyHabit:
# (frequency num/den, previous score, check, expected).
COMPUTE = [
    ("test_compute_withDailyHabit", 1, 1, 0.0, 1, 0.051922),
    ("test_compute_withDailyHabit", 1, 1, 0.5, 1, 0.525961),
    ("test_compute_withDailyHabit", 1, 1, 0.75, 1, 0.762981),
    ("test_compute_withDailyHabit", 1, 1, 0.0, 0, 0.0),
    ("test_compute_withDailyHabit", 1, 1, 0.5, 0, 0.474039),
    ("test_compute_withDailyHabit", 1, 1, 0.75, 0, 0.711058),
    ("test_compute_withNonDailyHabit", 1, 3, 0.0, 1, 0.030314),
    ("test_compute_withNonDailyHabit", 1, 3, 0.5, 1, 0.515157),
    ("test_compute_withNonDailyHabit", 1, 3, 0.75, 1, 0.757578),
    ("test_compute_withNonDailyHabit", 1, 3, 0.0, 0, 0.0),
    ("test_compute_withNonDailyHabit", 1, 3, 0.5, 0, 0.484842),
    ("test_compute_withNonDailyHabit", 1, 3, 0.75, 0, 0.727263),
]


@pytest.mark.parametrize(("test", "num", "den", "previous", "value", "expected"), COMPUTE)
def test_loop_score_compute(
    test: str, num: int, den: int, previous: float, value: int, expected: float
) -> None:
    """ScoreTest.kt: one step of the formula, with the multiplier of the schedule."""
    goal = Goal(loop_schedule(num, den), TODAY)
    assert next_score(goal, previous, value) == pytest.approx(expected, abs=E), test


def test_loop_score_compute_is_the_tallys_step() -> None:
    """The first day of a habit is one step from 0 (1 for a ceiling): the walk uses the same
    formula as ``next_score``."""
    for schedule in (Daily(), Rolling(1, 3), Rolling(3, 7)):
        goal = Goal(schedule, TODAY)
        [step] = explain(goal, History.of([CheckIn(TODAY, Status.DONE)]), TODAY)
        assert step.value is not None
        assert step.score == next_score(goal, 0.0, step.value)


# NumericalAtLeastScoreListWithSkipTest::skipsShouldNotAffectScore: each stage's score today
# equals the first stage's (about 0.5), within 1e-6.
SKIP_STAGES = [
    at(range(500), 1000),
    entries(at(range(500), 1000), at(range(500, 1000), SKIP)),
    entries(
        at(range(500), 1000),
        at(range(500, 1000), SKIP),
        at(range(300), 1000),
        at(range(300, 500), SKIP),
        at(range(500, 700), 1000),
    ),
]


def test_loop_skips_should_not_affect_score() -> None:
    """ALS skipsShouldNotAffectScore: skipped days carry the score, however many."""
    found = []
    for values in SKIP_STAGES:
        goal, history = numerical(ALS + "skipsShouldNotAffectScore", (1, 1), values).records()
        found.append(ended_scores(goal, history, 1)[0])
    assert found[0] == pytest.approx(0.5, abs=E)
    assert found[1:] == pytest.approx([found[0]] * 2, abs=E, rel=0)


@pytest.mark.parametrize(
    ("source", "at_most", "replayed"),
    [
        (AL + "test_withZeroTarget", False, 0.443734),
        (AM + "test_withZeroTarget", True, 0.682593),
    ],
)
def test_loop_zero_target(source: str, at_most: bool, replayed: float) -> None:
    """createNumericalHabit() with a target of 0: Loop asserts only that the score is finite.
    habitcore refuses a 0 target for a habit it keeps, but its rules take one as Loop does (at
    least: always met; at most: met only by nothing). ``replayed`` is the figure of the research
    replay of Loop's algorithm, not an assertion of Loop's."""
    case = Case(source, Daily(), NUMERICAL_FIXTURE, (replayed,), target=0.0, at_most=at_most)
    goal, history = case.records()
    [today] = ended_scores(goal, history, 1)
    assert math.isfinite(today)
    check(case, [today])
