"""`coopstats report`: the one page an analyst sends round, as a Document (SPEC §9).

Section II in the report's layout, the comparison with the prior period, the trend as small
multiples of bar charts, the time to execute per group (histogram and Kaplan–Meier curve), the
reconciliation of every row, and every warning: each drawn from the rows the other commands
draw, so that the page says exactly what `summarize`, `compare`, `trend`, `times` and `explain`
say. Nothing in it depends on the clock: same log, same options, same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from coopstats import __version__
from coopstats.comparison import Comparison, Trend
from coopstats.inspection import Reconciliation
from coopstats.render import compare, svg
from coopstats.render import numbers as fmt
from coopstats.render.document import Document, Grid, Heading, Multiples, Paragraph, Part, Picture
from coopstats.render.inspect import reconciliation_grid
from coopstats.render.layout import caption, section_parts, sections
from coopstats.render.times import TITLE as TIMES_TITLE
from coopstats.render.times import caption as times_caption
from coopstats.render.times import figure_rows, histogram_title, warning
from coopstats.stats import BUCKET_LABELS
from coopstats.summary import Summary
from coopstats.times import GroupTimes, Times

TITLE = "Report of the Court on Cooperation: disaggregated data"
MILESTONES = (30, 90, 180, 365)  # days at which the page states the share still pending


@dataclass(frozen=True)
class Inputs:
    """Everything the page is drawn from, each counted by its own library call."""

    summary: Summary
    comparison: Comparison
    trend: Trend
    times: Times
    reconciliation: Reconciliation


def all_warnings(inputs: Inputs) -> tuple[str, ...]:
    """Every warning of every part, each once, in the order the parts come."""
    seen: dict[str, None] = {}
    for messages in (
        inputs.summary.warnings,
        inputs.comparison.warnings,
        inputs.trend.warnings,
        inputs.times.warnings,
        inputs.reconciliation.warnings,
    ):
        for message in messages:
            seen.setdefault(message, None)
    return tuple(seen)


def survival_steps(events: Mapping[int, int], censored: Mapping[int, int]) -> list[
    tuple[int, Fraction]
]:  # fmt: skip
    """The Kaplan–Meier estimate of the share still pending: (day, share after that day) at
    each day an execution happened. Pending requests stay at risk until their age, by the same
    convention as stats.km_median (so the curve crosses one half at the median it gives)."""
    seen = {d for d, c in events.items() if c > 0} | {d for d, c in censored.items() if c > 0}
    at_risk = sum(c for c in events.values() if c > 0) + sum(c for c in censored.values() if c > 0)
    days = sorted(seen)
    share = Fraction(1)
    steps = []
    for day in days:
        executed = max(events.get(day, 0), 0)
        if executed:
            share *= Fraction(at_risk - executed, at_risk)
            steps.append((day, share))
        at_risk -= executed + max(censored.get(day, 0), 0)
    return steps


def share_pending_after(steps: list[tuple[int, Fraction]], day: int) -> Fraction:
    share = Fraction(1)
    for when, after in steps:
        if when > day:
            break
        share = after
    return share


def trend_parts(result: Trend, decimals: int) -> list[Part]:
    n = len(result.figures)
    parts: list[Part] = [
        Heading(f"Trend over {n} period{'s' if n > 1 else ''}", 2),
        Paragraph(compare.trend_title(result) + ". " + compare.CHARTS_NOTE),
    ]
    if compare.early_periods(result):
        parts.append(Paragraph(f"{compare.EARLY} {compare.early_note(result)}", "warning"))
    parts.append(compare.trend_charts(result, decimals))
    parts.append(compare.trend_grid(result, decimals))
    parts.append(Paragraph(compare.trend_caption(result, charts=True)))
    return parts


def _unit(result: Times) -> str:
    return "days" if result.days == "calendar" else f"{result.days} days"


def group_charts(result: Times, group: GroupTimes, decimals: int) -> Multiples:
    unit = _unit(result)
    histogram = Picture(
        svg.histogram_chart(
            f"{group.label}: requests by {unit} to execute",
            BUCKET_LABELS,
            [count for _, count in group.histogram],
            group.pending,
            unit.capitalize(),
        ),
        histogram_title(result) + f"; the {group.pending} pending requests in a bar of their "
        "own on the same scale (cut, its count above, when taller than the scale).",
    )
    steps = survival_steps(group.days, group.pending_ages)
    last = max([*group.days, *group.pending_ages, 0])
    if group.sent == 0:
        words = "No request sent: no curve."
    else:
        after = [
            f"{day} {unit}: {fmt.pct(100 * share_pending_after(steps, day), decimals)}"
            for day in MILESTONES
            if day <= last
        ]
        median = group.km_median_days
        words = (
            f"Share of the {group.sent} requests still pending after each number of {unit} "
            f"(Kaplan–Meier; a pending request counts until its age on "
            f"{fmt.day(result.as_of)}). Median: "
            + (f"{median} {unit}" if median is not None else "not reached")
            + "."
            + (" Still pending after " + "; ".join(after) + "." if after else "")
        )
    curve = Picture(
        svg.survival_chart(
            f"{group.label}: share still pending",
            [(day, float(share)) for day, share in steps],
            last,
            unit.capitalize(),
        ),
        words,
    )
    return Multiples((histogram, curve))


def times_parts(result: Times, decimals: int) -> list[Part]:
    parts: list[Part] = [Heading(TIMES_TITLE, 2), Paragraph(times_caption(result))]
    for group in result.groups:
        parts.append(Heading(f"{group.label} ({group.id})", 3))
        note = warning(group)
        if note is not None:
            parts.append(Paragraph(note, "warning"))
        parts.append(
            Grid(
                caption=f"{group.label}: time to execute",
                header=("Figure", "Value"),
                rows=tuple(figure_rows(result, group, decimals)),
            )
        )
        parts.append(group_charts(result, group, decimals))
    return parts


def report_document(inputs: Inputs, decimals: int = 2) -> Document:
    s = inputs.summary
    p = s.period
    parts: list[Part] = [Heading("Section II: the report's tables", 2)]
    parts += section_parts(sections(s, decimals))
    parts += [
        Heading(compare.comparison_title(inputs.comparison), 2),
        Paragraph(compare.comparison_caption(inputs.comparison)),
        compare.comparison_grid(inputs.comparison, decimals),
    ]
    parts += trend_parts(inputs.trend, decimals)
    parts += times_parts(inputs.times, decimals)
    r = inputs.reconciliation
    parts += [Heading("Every row of the log accounted for", 2), reconciliation_grid(r)]
    intro = (
        f"{caption(s)} Counted from {s.source} ({r.records} rows read) by coopstats "
        f"{__version__}, by the report's counting rules."
    )
    return Document(
        f"{TITLE}, {fmt.day(p.start)} to {fmt.day(p.end)}",
        intro,
        tuple(parts),
        all_warnings(inputs),
    )
