"""`compare` and `trend` in every format: one row model each, drawn as Rich, Markdown, JSON, CSV.

Human formats round half-up to `decimals` places (render/numbers.py); machine formats carry the
exact values (counts as integers, the rest as floats) and null where a figure is undefined.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from coopstats import catalogue
from coopstats.catalogue import Figure, notifications_note
from coopstats.comparison import Change, Comparison, Trend
from coopstats.model import Period
from coopstats.render import machine, markdown
from coopstats.render import numbers as fmt
from coopstats.render.charts import trend_line
from coopstats.render.document import Document, Grid, Multiples, Paragraph, Part, Picture
from coopstats.summary import where_note

# A plain `=`: the full-width `＝` is missing from the fonts of many browsers and printers.
UP, DOWN, SAME = "▲", "▼", "="
COMPARE_HEADER = ("§", "Indicator", "Current", "Prior", "Change", "Change %")
COMPARE_CSV = ("id", "section", "label", "current", "prior", "change", "change_pct")
TREND_CSV = ("period_start", "period_end", "id", "label", "value")
FIGURE_SPACE = "\u2007"  # a blank as wide as a digit, which Markdown does not trim


def section_number(metric: Figure) -> str:
    """The section's number: "1. General overview" gives "1"."""
    return metric.section.split(".", 1)[0]


def arrow(value: int | Fraction) -> str:
    return UP if value > 0 else DOWN if value < 0 else SAME


def change_text(change: Change, decimals: int) -> str:
    """`▲ +41`, `▼ -2.50 pp` (a rate moves in percentage points), `= 0.00 days`, `N/A`."""
    if change.change is None:
        return fmt.NA
    unit = {"pct": " pp", "days": " days"}.get(change.metric.unit, "")
    return f"{arrow(change.change)} {fmt.signed(change.change, decimals)}{unit}"


def change_pct_text(change: Change, decimals: int) -> str:
    return fmt.NA if change.change_pct is None else fmt.signed(change.change_pct, decimals) + "%"


def span(period: Period) -> str:
    return f"{fmt.day(period.start)} to {fmt.day(period.end)}"


# --- compare -------------------------------------------------------------------------------


def comparison_title(result: Comparison) -> str:
    return f"Compared with {span(result.prior)}"


def comparison_caption(result: Comparison) -> str:
    toggle = notifications_note(result.notifications)
    return (
        f"Period {span(result.period)}, executions as of {fmt.day(result.as_of)}; compared with "
        f"{span(result.prior)}, executions as of {fmt.day(result.prior_as_of)}; {toggle}. "
        "Change = current - prior (pp: percentage points); change % = 100 × change / prior, "
        "N/A when the prior is 0 or N/A." + where_note(result.counted)
    )


def comparison_rows(result: Comparison, decimals: int) -> list[tuple[str, ...]]:
    """One row per metric, in SPEC §3's order, for both human formats."""
    return [
        (
            section_number(c.metric),
            c.metric.label,
            fmt.figure_value(c.metric, c.current, decimals),
            fmt.figure_value(c.metric, c.prior, decimals),
            change_text(c, decimals),
            change_pct_text(c, decimals),
        )
        for c in result.changes
    ]


def comparison_json(result: Comparison) -> str:
    return machine.dumps(
        {
            "period": result.period.as_dict(),
            "prior_period": result.prior.as_dict(),
            "as_of": result.as_of.isoformat(),
            "prior_as_of": result.prior_as_of.isoformat(),
            "notifications": result.notifications,
            "metrics": [
                {
                    "id": c.metric.id,
                    "section": c.metric.section,
                    "label": c.metric.label,
                    "current": machine.plain(c.current),
                    "prior": machine.plain(c.prior),
                    "change": machine.plain(c.change),
                    "change_pct": machine.plain(c.change_pct),
                }
                for c in result.changes
            ],
            "warnings": result.warnings,
        }
    )


def comparison_csv(result: Comparison) -> str:
    return machine.to_csv(
        COMPARE_CSV,
        (
            (
                c.metric.id,
                c.metric.section,
                c.metric.label,
                machine.plain(c.current),
                machine.plain(c.prior),
                machine.plain(c.change),
                machine.plain(c.change_pct),
            )
            for c in result.changes
        ),
    )


def comparison_markdown(result: Comparison, decimals: int) -> str:
    return document(
        comparison_title(result),
        comparison_caption(result),
        COMPARE_HEADER,
        comparison_rows(result, decimals),
        result.warnings,
    )


COMPARE_FIGURES = (False, False, True, True, True, True)


def comparison_grid(result: Comparison, decimals: int) -> Grid:
    return Grid(
        caption=f"The report's figures from {span(result.period)}, compared with "
        f"{span(result.prior)}",
        header=COMPARE_HEADER,
        rows=tuple(comparison_rows(result, decimals)),
        figures=COMPARE_FIGURES,
        row_header=1,
    )


def comparison_document(result: Comparison, decimals: int) -> Document:
    return Document(
        comparison_title(result),
        comparison_caption(result),
        (comparison_grid(result, decimals),),
        tuple(result.warnings),
    )


def comparison_table(result: Comparison, decimals: int) -> Any:
    return rich_table(
        comparison_title(result),
        comparison_caption(result),
        COMPARE_HEADER,
        comparison_rows(result, decimals),
    )


# --- trend ---------------------------------------------------------------------------------


def trend_title(result: Trend) -> str:
    first, last = result.figures[0].period, result.figures[-1].period
    n = len(result.figures)
    return (
        f"Trend over {n} period{'s' if n > 1 else ''}, "
        f"from {fmt.day(first.start)} to {fmt.day(last.end)}"
    )


def trend_caption(result: Trend, charts: bool = False) -> str:
    last = result.figures[-1]
    as_of = "each counted as of its own end"
    if last.as_of != last.period.end:
        as_of += f" (the last as of {fmt.day(last.as_of)})"
    toggle = notifications_note(result.notifications)
    text = (
        f"Periods oldest first, {as_of}; evolutions against each period's own prior (the "
        f"first's: {span(result.before)}); {toggle}." + where_note(result.counted)
    )
    if not charts:
        text += (
            " Trend: one bar per period, measured from zero to the row's highest value (_ is "
            "zero, a blank N/A); a row with a negative value runs from its lowest to its highest "
            "value, which it states."
        )
    if early_periods(result):
        text += f" {EARLY} {early_note(result)}"
    return text


def early_note(result: Trend) -> str:
    first = result.counted.first_sent
    assert first is not None
    return (
        f"The log's earliest request was sent on {fmt.day(first)}, after the start of each "
        f"period marked {EARLY}: their figures count only the requests the log holds, and may "
        "be too low."
    )


EARLY = "†"  # marks a period that starts before the log's first request


def early_periods(result: Trend) -> list[Period]:
    """The periods that start before the log's earliest request: their figures are partial."""
    first = result.counted.first_sent
    if first is None:
        return []
    return [f.period for f in result.figures if f.period.start < first]


def trend_spark(result: Trend, metric: Figure, decimals: int = 2) -> str:
    """The row's sparkline; a row with a negative value states its scale, in whole units when
    they are large (the figures themselves are in the row)."""
    present = [abs(Fraction(v)) for v in result.series(metric.id) if v is not None]
    places = 0 if present and max(present) >= 10 else decimals
    return trend_line(result.series(metric.id), lambda v: fmt.figure_value(metric, v, places))


def trend_header(result: Trend, separator: str) -> tuple[str, ...]:
    columns = []
    early = early_periods(result)
    for f in result.figures:
        heading = f"{fmt.day(f.period.start)}{separator}{fmt.day(f.period.end)}"
        if f.as_of != f.period.end:
            heading += f"{separator}(as of {fmt.day(f.as_of)})"
        if f.period in early:
            heading += f" {EARLY}"
        columns.append(heading)
    return ("§", "Indicator", *columns, "Trend")


def trend_rows(result: Trend, decimals: int, markdown_spark: bool = False) -> list[tuple[str, ...]]:
    rows = []
    for m in catalogue.FIGURES:
        spark = trend_spark(result, m, decimals)
        if markdown_spark:  # in a code span, with blanks Markdown keeps
            spark = f"`{spark.replace(' ', FIGURE_SPACE)}`"
        values = (fmt.figure_value(m, f.values[m.id], decimals) for f in result.figures)
        rows.append((section_number(m), m.label, *values, spark))
    return rows


def trend_json(result: Trend) -> str:
    return machine.dumps(
        {
            "periods": [
                {
                    **f.period.as_dict(),
                    "as_of": f.as_of.isoformat(),
                    "metrics": [
                        {
                            "id": m.id,
                            "section": m.section,
                            "label": m.label,
                            "value": machine.plain(f.values[m.id]),
                        }
                        for m in catalogue.FIGURES
                    ],
                }
                for f in result.figures
            ],
            "notifications": result.notifications,
            "warnings": result.warnings,
        }
    )


def trend_csv(result: Trend) -> str:
    """Long form: a row per period and metric, oldest period first."""
    return machine.to_csv(
        TREND_CSV,
        (
            (
                f.period.start.isoformat(),
                f.period.end.isoformat(),
                m.id,
                m.label,
                machine.plain(f.values[m.id]),
            )
            for f in result.figures
            for m in catalogue.FIGURES
        ),
    )


def trend_markdown(result: Trend, decimals: int) -> str:
    return document(
        trend_title(result),
        trend_caption(result),
        trend_header(result, " to "),
        trend_rows(result, decimals, markdown_spark=True),
        result.warnings,
    )


def trend_grid(result: Trend, decimals: int) -> Grid:
    """The trend's figures as a table, without the sparklines (documents draw charts)."""
    n = len(result.figures)
    return Grid(
        caption=f"The report's figures over {n} period{'s' if n > 1 else ''}, oldest first",
        header=trend_header(result, " to ")[:-1],
        rows=tuple(row[:-1] for row in trend_rows(result, decimals)),
        figures=(False, False, *([True] * n)),
        row_header=1,
    )


CHARTS_NOTE = (
    "One chart per figure, bars from zero, each labelled with its value; under each bar, the "
    "period's first and last day. The same figures are in the table after the charts."
)


def _short(day: date) -> str:
    return day.strftime("%d/%m/%y")


def trend_charts(result: Trend, decimals: int) -> Multiples:
    """Small multiples: a bar chart per figure, one bar per period (render/svg.py)."""
    from coopstats.render import svg

    early = early_periods(result)
    labels = [
        (_short(f.period.start), _short(f.period.end) + (f" {EARLY}" if f.period in early else ""))
        for f in result.figures
    ]
    pictures = []
    for m in catalogue.FIGURES:
        series = result.series(m.id)
        texts = [fmt.figure_value(m, v, decimals).removesuffix(" days") for v in series]
        drawn = svg.bar_chart(
            m.label + (" (days)" if m.unit == "days" else ""),
            labels,
            [None if v is None else float(v) for v in series],
            texts,
            "%" if m.unit == "pct" else "",
        )
        pictures.append(Picture(drawn, f"§{section_number(m)} · {m.id}"))
    return Multiples(tuple(pictures))


def trend_document(result: Trend, decimals: int) -> Document:
    parts: list[Part] = []
    if early_periods(result):
        parts.append(Paragraph(f"{EARLY} {early_note(result)}", "warning"))
    parts += [Paragraph(CHARTS_NOTE), trend_charts(result, decimals), trend_grid(result, decimals)]
    caption = trend_caption(result, charts=True)
    return Document(trend_title(result), caption, tuple(parts), tuple(result.warnings))


def trend_table(result: Trend, decimals: int) -> Any:
    return rich_table(
        trend_title(result),
        trend_caption(result),
        trend_header(result, "\n"),
        trend_rows(result, decimals),
    )


# --- shared drawing ------------------------------------------------------------------------


def document(
    title: str,
    caption: str,
    header: tuple[str, ...],
    rows: list[tuple[str, ...]],
    warnings: list[str] | tuple[str, ...] = (),
) -> str:
    parts = [f"# {markdown.escape(title)}", f"_{markdown.escape(caption)}_"]
    parts += markdown.warnings(warnings)
    parts.append(markdown.table(header, rows))
    return "\n\n".join(parts) + "\n"


def rich_table(
    title: str, caption: str, header: tuple[str, ...], rows: list[tuple[str, ...]]
) -> Any:
    """The section number, the report's words, then right-aligned figures."""
    from rich import box
    from rich.table import Table

    table = Table(
        title=title,
        title_justify="left",
        title_style="bold",
        caption=caption,
        caption_justify="left",
        caption_style="dim",
        box=box.SIMPLE_HEAVY,
    )
    table.add_column(header[0], justify="center", no_wrap=True)
    table.add_column(header[1], ratio=1, min_width=20)
    # Figures, changes and sparklines never wrap: a wrapped figure reads as two.
    for name in header[2:]:
        table.add_column(name, justify="right", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    return table
