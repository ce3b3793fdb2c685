"""Reports that may leave the hospital: an attacker holding every report of a year (each line
and all lines, the year and each month) cannot pin any suppressed count to one value."""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from fractions import Fraction

import pytest

from hotline.records.report import (
    ALL,
    SECTIONS,
    Period,
    Section,
    YearFigures,
    report,
    year_figures,
)
from hotline.records.report_render import TITLES, as_csv, as_pdf, label, words
from hotline.records.suppression import Key, Relation, suppress
from hotline.translations.zh_CN import ZH_CN
from tests.conftest import RecordsWorld
from tests.hotline.records.report_world import NOW, YEAR, a_year_of_calls, a_year_of_care

Cell = tuple[str, str, str, str]  # scope, section, period, figure


def published(figures: YearFigures) -> dict[Cell, int | None]:
    """Everything the year's reports publish, read back from their CSV (None: `x`)."""
    found: dict[Cell, int | None] = {}
    for scope in (*figures.lines, ALL):
        for period in (Period(YEAR), *(Period(YEAR, m) for m in range(1, 13))):
            text = as_csv(report(figures, scope, period), words("en"))
            for row in csv.DictReader(io.StringIO(text)):
                if row["section"] == "speed":
                    continue
                cell = (row["scope"], row["section"], row["period"], row["figure"])
                value = None if row["value"] == "x" else int(row["value"])
                assert found.get(cell, value) == value, cell  # every report says the same
                found[cell] = value
    return found


def sums(
    cells: dict[Cell, int | None],
    lines: tuple[str, ...],
    tables: tuple[Section, ...] = SECTIONS,
) -> list[tuple[Cell, list[Cell]]]:
    """What anyone can tell from the reports' layout: totals (one shared by several tables: the
    outcomes', the referrals'), all lines, a year."""
    months = [f"{YEAR}-{m:02d}" for m in range(1, 13)]
    found = []
    for scope, section, period, figure in cells:
        if scope == ALL:
            parts = [(line, section, period, figure) for line in lines]
            found.append(((scope, section, period, figure), parts))
        if period == str(YEAR):
            parts = [(scope, section, month, figure) for month in months]
            found.append(((scope, section, period, figure), parts))
    for table in tables:
        if table.total is None:
            continue
        section = table.total_table
        for scope, name, period, figure in cells:
            if (name, figure) == (section, table.total):
                parts = [(scope, table.name, period, column) for column in table.columns]
                found.append(((scope, name, period, figure), parts))
    return found


def free_directions(
    cells: dict[Cell, int | None], relations: list[tuple[Cell, list[Cell]]]
) -> list[dict[Cell, Fraction]]:
    """A basis of the ways the suppressed cells can move while every published sum holds."""
    unknown = sorted(cell for cell, value in cells.items() if value is None)
    column = {cell: n for n, cell in enumerate(unknown)}
    matrix = []
    for total, parts in relations:
        row = [Fraction(0)] * len(unknown)
        for cell, sign in ((total, 1), *((part, -1) for part in parts)):
            if cell in column:
                row[column[cell]] += sign
        matrix.append(row)
    pivots: list[int] = []
    rank = 0
    for col in range(len(unknown)):
        found = next((r for r in range(rank, len(matrix)) if matrix[r][col] != 0), None)
        if found is None:
            continue
        matrix[rank], matrix[found] = matrix[found], matrix[rank]
        lead = matrix[rank][col]
        matrix[rank] = [v / lead for v in matrix[rank]]
        for r in range(len(matrix)):
            if r != rank and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank], strict=True)]
        pivots.append(col)
        rank += 1
    basis = []
    for free in (c for c in range(len(unknown)) if c not in pivots):
        direction = {unknown[free]: Fraction(1)}
        for r, col in enumerate(pivots):
            if matrix[r][free] != 0:
                direction[unknown[col]] = -matrix[r][free]
        basis.append(direction)
    return basis


def pinned(
    cells: dict[Cell, int | None],
    truth: dict[Cell, int],
    lines: tuple[str, ...],
    tables: tuple[Section, ...] = SECTIONS,
) -> set[Cell]:
    """The suppressed cells no other table of counts (not below zero) agrees with the reports
    on: each free direction moves the true table a little, every cell staying above zero."""
    hidden = {cell for cell, value in cells.items() if value is None}
    assert all(truth[cell] > 0 for cell in hidden)
    moved: set[Cell] = set()
    for direction in free_directions(cells, sums(cells, lines, tables)):
        step = min(Fraction(truth[c]) / (2 * abs(v)) for c, v in direction.items())
        other = {c: truth[c] + step * v for c, v in direction.items()}
        assert all(value > 0 for value in other.values())
        moved |= {c for c, v in direction.items() if v != 0}
    return hidden - moved


def truth_of(figures: YearFigures) -> dict[Cell, int]:
    return {
        (scope, section, period, figure): n
        for (section, scope, period, figure), n in figures.cells.items()
    }


def test_no_suppressed_count_of_a_year_can_be_worked_out_from_all_its_reports(
    world: RecordsWorld,
) -> None:
    a_year_of_calls(world)
    a_year_of_care(world)
    with world.database.read() as reading:
        figures = year_figures(reading, YEAR, NOW, 10)

    cells = published(figures)
    truth = truth_of(figures)

    small = {cell for cell, n in truth.items() if 1 <= n <= 10}
    assert small
    assert all(cells[cell] is None for cell in small)
    assert all(cells[cell] == 0 for cell, n in truth.items() if n == 0)  # zero is shown
    assert sum(value is None for value in cells.values()) > len(small)  # complementary ones
    assert pinned(cells, truth, figures.lines, figures.sections) == set()
    shown = {cell: value for cell, value in cells.items() if value is not None}
    assert all(truth[cell] == value for cell, value in shown.items())
    care = {"appointments", "referral_partner", "referral_urgency", "referral_result"}
    small_care = {cell for cell in small if cell[1] in care | {"referrals"}}
    assert small_care  # the care tables have small counts, and they are hidden (above)
    assert any(value is None for cell, value in cells.items() if cell[1] == "referrals")
    assert any(value is None for cell, value in cells.items() if cell[1] == "appointments")


def test_care_counts_are_counted_by_the_lines_month_and_add_up(world: RecordsWorld) -> None:
    a_year_of_care(world)
    with world.database.read() as reading:
        figures = year_figures(reading, YEAR, NOW, 10)
    every = report(figures, ALL, Period(YEAR))
    tables = {section.name: section.columns for section in figures.sections}

    def year_of(table: str, column: str) -> int:
        return figures.cells[(table, ALL, str(YEAR), column)]

    booked = year_of("appointments", "booked")
    assert booked > 10
    assert every.tables["appointments"][-1].period == str(YEAR)
    assert every.tables["appointments"][-1].values[-1] == booked  # a large total is shown
    assert sum(year_of("appointments", c) for c in tables["appointments"]) == booked
    referrals = year_of("referrals", "referrals")
    for table in ("referral_partner", "referral_urgency", "referral_result"):
        assert sum(year_of(table, c) for c in tables[table]) == referrals
    assert "east-hospital" in tables["referral_partner"]
    text = as_csv(every, words("en"))
    assert f"*,referrals,{YEAR},referrals,Referrals," in text
    assert "东区医院" in text  # a partner under its own name
    assert "未到" in as_csv(every, words("zh-CN"))
    assert as_pdf(every, words("zh-CN"), "", NOW.date()).startswith(b"%PDF-")
    for section in figures.sections[len(SECTIONS) :]:  # every care label has its Chinese
        assert TITLES[section.name] in ZH_CN
        for column in section.cells():
            if section.name != "referral_partner" or column == section.total:
                assert label(section.name, column) in ZH_CN, column


@pytest.mark.parametrize("seed", range(12))
def test_a_random_cube_of_small_counts_keeps_every_suppressed_one_open(seed: int) -> None:
    rng = random.Random(seed)
    lines, months = ("a", "b", "c"), [f"{YEAR}-{m:02d}" for m in range(1, 13)]
    counts = {
        (line, "ended", month, figure): rng.choice([0, 0, 1, 2, 4, 9, 11, 15, 40])
        for line in lines
        for month in months
        for figure in ("taken", "fallback", "closing", "abandoned", "unsettled")
    }
    truth = _with_margins(counts, lines, months)
    relations = [
        Relation(_key(total), tuple(_key(p) for p in parts))
        for total, parts in sums(dict.fromkeys(truth), lines)
        if all(p in truth for p in parts)
    ]

    hidden = suppress({_key(c): n for c, n in truth.items()}, relations, 10)

    cells = {c: None if _key(c) in hidden else n for c, n in truth.items()}
    assert pinned(cells, truth, lines) == set()


def _key(cell: Cell) -> Key:
    scope, section, period, figure = cell
    return (section, scope, period, figure)


def _with_margins(
    counts: dict[Cell, int], lines: tuple[str, ...], months: list[str]
) -> dict[Cell, int]:
    found: dict[Cell, int] = defaultdict(int)
    for (line, section, month, figure), n in counts.items():
        for scope in (line, ALL):
            for period in (month, str(YEAR)):
                for name in (figure, "calls"):
                    found[(scope, section, period, name)] += n
    return dict(found)


def test_a_report_is_a_slice_of_its_year_and_renders_in_both_languages(
    world: RecordsWorld,
) -> None:
    a_year_of_calls(world)
    with world.database.read() as reading:
        figures = year_figures(reading, YEAR, NOW, 10)
    march = report(figures, "city", Period(YEAR, 3))

    assert [row.period for row in march.tables["ended"]] == ["2026-03"]
    assert len(report(figures, ALL, Period(YEAR)).tables["risk"]) == 13
    chinese = as_csv(march, words("zh-CN"))
    assert "咨询师接听" in chinese
    assert "+86" not in chinese
    assert "v2:" not in chinese
    for language in ("en", "zh-CN"):
        pdf = as_pdf(march, words(language), "慈溪市心理援助热线", NOW.date())
        assert pdf.startswith(b"%PDF-")
        assert b"NotoSansSC" in pdf
