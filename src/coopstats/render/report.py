"""`coopstats report`: the one page an analyst sends round, as a Document (SPEC §9).

Section II in the report's layout, the comparison with the prior period, the trend as small
multiples of bar charts, the time to execute per group (histogram and Kaplan–Meier curve), the
reconciliation of every row, and every warning: each drawn from the rows the other commands
draw, so that the page says exactly what `summarize`, `compare`, `trend`, `times` and `explain`
say. Nothing in it depends on the clock: same log, same options, same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from coopstats import __version__
from coopstats.comparison import Comparison, Trend
from coopstats.inspection import Reconciliation
from coopstats.render import compare
from coopstats.render import numbers as fmt
from coopstats.render.document import Document, Heading, Paragraph, Part
from coopstats.render.inspect import reconciliation_grid
from coopstats.render.layout import caption, section_parts, sections
from coopstats.render.times import TITLE as TIMES_TITLE
from coopstats.render.times import caption as times_caption
from coopstats.render.times import group_parts
from coopstats.summary import Summary
from coopstats.times import Times

TITLE = "Report of the Court on Cooperation: disaggregated data"


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


def times_parts(result: Times, decimals: int) -> list[Part]:
    parts: list[Part] = [Heading(TIMES_TITLE, 2), Paragraph(times_caption(result))]
    for group in result.groups:
        parts += group_parts(result, group, decimals)
    return parts


def report_document(inputs: Inputs, decimals: int = 2) -> Document:
    s = inputs.summary
    p = s.period
    parts: list[Part] = [Heading("Section II: the report's tables", 2)]
    parts += section_parts(sections(s, decimals))
    if s.by is not None:  # every group's figures, side by side, as summarize --by shows them
        from coopstats.render.groups import summary_document

        parts += summary_document(s, decimals, Document("", "", (), ())).parts
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
    if s.days != "calendar":  # compare and trend have no working-day count
        intro += f" The comparison and the trend count calendar days, not {s.days} days."
    return Document(
        f"{TITLE}, {fmt.day(p.start)} to {fmt.day(p.end)}",
        intro,
        tuple(parts),
        all_warnings(inputs),
    )
