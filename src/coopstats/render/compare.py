"""`compare` and `trend` in every format: one row model each, drawn as Rich, Markdown, JSON, CSV.

Human formats round half-up to `decimals` places (render/numbers.py); machine formats carry the
exact values (counts as integers, the rest as floats) and null where a figure is undefined.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from coopstats import catalogue
from coopstats.catalogue import Figure, notifications_note
from coopstats.comparison import Change, Comparison, Trend
from coopstats.model import Period
from coopstats.render import machine, markdown
from coopstats.render import numbers as fmt
from coopstats.stats import sparkline
from coopstats.summary import where_note

UP, DOWN, SAME = "▲", "▼", "＝"
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
    """`▲ +41`, `▼ -2.50 pp` (a rate moves in percentage points), `＝ 0.00 days`, `N/A`."""
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


def trend_caption(result: Trend) -> str:
    last = result.figures[-1]
    as_of = "each counted as of its own end"
    if last.as_of != last.period.end:
        as_of += f" (the last as of {fmt.day(last.as_of)})"
    toggle = notifications_note(result.notifications)
    return (
        f"Periods oldest first, {as_of}; evolutions against each period's own prior (the "
        f"first's: {span(result.before)}); {toggle}. Trend: one bar per period, from the row's "
        "lowest to its highest value; a blank is N/A." + where_note(result.counted)
    )


def trend_spark(result: Trend, metric: Figure) -> str:
    return sparkline([None if v is None else float(v) for v in result.series(metric.id)])


def trend_header(result: Trend, separator: str) -> tuple[str, ...]:
    columns = []
    for f in result.figures:
        heading = f"{fmt.day(f.period.start)}{separator}{fmt.day(f.period.end)}"
        if f.as_of != f.period.end:
            heading += f"{separator}(as of {fmt.day(f.as_of)})"
        columns.append(heading)
    return ("§", "Indicator", *columns, "Trend")


def trend_rows(result: Trend, decimals: int, markdown_spark: bool = False) -> list[tuple[str, ...]]:
    rows = []
    for m in catalogue.FIGURES:
        spark = trend_spark(result, m)
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
    )


def trend_table(result: Trend, decimals: int) -> Any:
    return rich_table(
        trend_title(result),
        trend_caption(result),
        trend_header(result, "\n"),
        trend_rows(result, decimals),
    )


# --- shared drawing ------------------------------------------------------------------------


def document(title: str, caption: str, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    parts = [
        f"# {markdown.escape(title)}",
        f"_{markdown.escape(caption)}_",
        markdown.table(header, rows),
    ]
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
    for name in header[2:-1]:
        table.add_column(name, justify="right")
    # A sparkline must stay on one line; a change may wrap on a narrow terminal.
    table.add_column(header[-1], justify="right", no_wrap=header[-1] == "Trend")
    for row in rows:
        table.add_row(*row)
    return table
