"""A report as CSV (codes and labels, one figure a row) or PDF (its tables), in en or zh-CN.

The PDF embeds the Noto Sans SC subset vendored under `static/vendor/noto-sans-sc` (OFL), so it
reads the same on any machine, with nothing installed. A suppressed count is written `x`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from hotline.records.report import ALL, NOT_RECORDED, Report, Section
from hotline.translations.zh_CN import ZH_CN

FONT = (
    Path(__file__).resolve().parent.parent
    / "static/vendor/noto-sans-sc/NotoSansSC-Regular-subset.otf"
)
SUPPRESSED = "x"
FORMATS = ("csv", "pdf")
LANGUAGES = ("en", "zh-CN")
Words = Callable[[str], str]
NEXT_LINE: dict[str, Any] = {"new_x": "LMARGIN", "new_y": "NEXT"}
# The English labels (the web app's, see hotline.web.labels); zh-CN comes from the same table.
TITLES = {
    "ended": "How the calls ended",
    "call_type": "Call type",
    "risk": "Risk level",
    "caller_type": "Who called",
    "age_band": "Age band",
    "topic": "Topics",
    "action": "Actions",
    "appointments": "Counseling appointments",
    "referral_partner": "Referrals by partner hospital",
    "referral_urgency": "Referrals by urgency",
    "referral_result": "Referrals by result",
    "speed": "Speed",
}
LABELS = {
    "taken": "Taken by a counselor",
    "fallback": "To the fallback line",
    "closing": "Closing message",
    "abandoned": "Hung up before anyone took it",
    "unsettled": "Still routing, or outcome unknown",
    "calls": "Calls",
    "recorded": "Outcomes recorded",
    NOT_RECORDED: "Not recorded",
    "counseling": "Counseling",
    "information": "Information",
    "silent": "Silent call",
    "hang-up": "Hang-up",
    "prank": "Prank",
    "wrong-number": "Wrong number",
    "abusive": "Abusive",
    "test": "Test call",
    "study-pressure": "Study pressure",
    "family-conflict": "Family conflict",
    "relationships": "Relationships",
    "bullying": "Bullying",
    "emotional-distress": "Emotional distress",
    "self-harm": "Self-harm or suicidal thoughts",
    "other": "Other",
    "none": "None",
    "low": "Low",
    "moderate": "Moderate",
    "high": "High",
    "imminent": "Imminent",
    "support": "Support given",
    "appointment": "Counseling appointment booked",
    "referral": "Referred to a partner hospital",
    "emergency-services": "Emergency services contacted",
    "follow-up": "Follow-up planned",
    "student": "Student",
    "parent": "Parent",
    "teacher": "Teacher",
    "under-12": "Under 12",
    "65-plus": "65 and over",
    "unknown": "Unknown",
    "booked": "Appointments booked",
    "attended": "Attended",
    "missed": "Did not come",
    "cancelled": "Cancelled",
    "open": "Still open (session ahead, or not yet marked)",
    "referrals": "Referrals",
    "routine": "Routine",
    "72h": "Within 72 hours",
    "today": "Today",
    "proposed": "Proposed",
    "sent": "Sent to the partner",
    "accepted": "Accepted by the partner",
    "declined": "Referral declined",
    "lost": "Lost to follow-up",
    "answer_rate": "Answer rate",
    "wait_median_seconds": "Time to answer, median",
    "wait_p90_seconds": "Time to answer, 90th percentile",
}
ACTION_LABELS = {"information": "Information given"}  # the action, not the call type
TEXTS = (
    "Statistics report",
    "All lines",
    "Period",
    "Counts only: no record-level data. Months are each line's own time zone.",
    "Appointments count in the month they were booked, referrals in the month they were "
    "proposed; what became of them is as it stood when the report was made.",
    "x: suppressed. Counts from 1 to %(n)s are suppressed, and so are other counts, so that no "
    "suppressed count can be worked out from the totals or from the other reports.",
    "Made on %(day)s.",
)


def words(language: str) -> Words:
    """Translate an English text of the report (zh-CN from the web app's table)."""
    if language != "zh-CN":
        return lambda text: text

    def chinese(text: str) -> str:
        found = ZH_CN.get(text, text)
        return found[0] if isinstance(found, tuple) else found

    return chinese


def label(section: str, column: str, partners: dict[str, str] | None = None) -> str:
    """The English label of a column (the age bands are their own labels; a partner hospital
    its name, as the hospital wrote it)."""
    if section == "referral_partner" and column != "referrals":
        return (partners or {}).get(column, column)
    if section == "action" and column in ACTION_LABELS:
        return ACTION_LABELS[column]
    return LABELS.get(column, column)


def _columns(section: Section) -> list[str]:
    return [*section.columns, *([section.total] if section.total else [])]


def as_csv(found: Report, say: Words) -> str:
    """`scope,section,period,figure,label,value`: one figure a row; `x` where suppressed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["scope", "section", "period", "figure", "label", "value"])
    for section in found.sections:
        for row in found.tables[section.name]:
            for column, value in zip(_columns(section), row.values, strict=True):
                name = section.total_table if column == section.total else section.name
                shown = SUPPRESSED if value is None else str(value)
                text = _label(say, section.name, column, found.partners)
                writer.writerow([found.scope, name, row.period, column, text, shown])
    for speed in found.speed:
        rate = "" if speed.answer_rate is None else f"{speed.answer_rate:.4f}"
        for figure, shown in (
            ("answer_rate", rate),
            ("wait_median_seconds", "" if speed.median is None else str(speed.median)),
            ("wait_p90_seconds", "" if speed.p90 is None else str(speed.p90)),
        ):
            writer.writerow(
                [found.scope, "speed", speed.period, figure, say(LABELS[figure]), shown]
            )
    return out.getvalue()


def as_pdf(found: Report, say: Words, scope_name: str, today: date) -> bytes:
    """The report's tables on A4 landscape pages."""
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_title(say("Statistics report"))
    pdf.set_creation_date(datetime.combine(today, time(), tzinfo=UTC))  # same figures, same file
    pdf.add_font("noto", fname=str(FONT))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("noto", size=15)
    scope = say("All lines") if found.scope == ALL else scope_name
    pdf.multi_cell(0, 8, f"{say('Statistics report')}: {scope}, {found.period.key}", **NEXT_LINE)
    pdf.set_font("noto", size=8)
    notes = [
        say("Counts only: no record-level data. Months are each line's own time zone."),
        _fill(
            say(
                "x: suppressed. Counts from 1 to %(n)s are suppressed, and so are other counts, "
                "so that no suppressed count can be worked out from the totals or from the other "
                "reports."
            ),
            n=str(found.up_to),
        ),
        say(
            "Appointments count in the month they were booked, referrals in the month they were "
            "proposed; what became of them is as it stood when the report was made."
        ),
        _fill(say("Made on %(day)s."), day=today.isoformat()),
    ]
    for note in notes:
        pdf.multi_cell(0, 4.5, note, **NEXT_LINE)
    for section in found.sections:
        columns = [_label(say, section.name, c, found.partners) for c in _columns(section)]
        rows = [
            [row.period, *(SUPPRESSED if v is None else str(v) for v in row.values)]
            for row in found.tables[section.name]
        ]
        _table(pdf, say(TITLES[section.name]), [say("Period"), *columns], rows)
    speed_rows = [
        [
            s.period,
            "—" if s.answer_rate is None else f"{s.answer_rate:.0%}",
            "—" if s.median is None else str(s.median),
            "—" if s.p90 is None else str(s.p90),
        ]
        for s in found.speed
    ]
    heads = [say("Period"), *(say(LABELS[n]) for n in ("answer_rate", "wait_median_seconds"))]
    _table(pdf, say(TITLES["speed"]), [*heads, say(LABELS["wait_p90_seconds"])], speed_rows)
    return bytes(pdf.output())


def _label(say: Words, section: str, column: str, partners: dict[str, str] | None) -> str:
    """A column's label in the language asked (a partner's name stays as written)."""
    text = label(section, column, partners)
    return text if section == "referral_partner" and column != "referrals" else say(text)


def _fill(text: str, **values: str) -> str:
    for name, value in values.items():
        text = text.replace(f"%({name})s", value)
    return text


def _table(pdf: FPDF, title: str, heads: list[str], rows: list[list[str]]) -> None:
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("noto", size=11)
    pdf.cell(0, 7, title, **NEXT_LINE)
    pdf.set_font("noto", size=7.5)
    heading = FontFace(fill_color=(230, 230, 230))
    others = len(heads) - 1
    with pdf.table(
        col_widths=(18, *(22,) * others),
        width=min(pdf.epw, 18 + 22 * others),
        align="LEFT",
        text_align=("LEFT", *("RIGHT",) * others),
        headings_style=heading,
        line_height=4.2,
    ) as table:
        for cells in [heads, *rows]:
            line = table.row()
            for text in cells:
                line.cell(text)
