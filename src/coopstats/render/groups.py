"""The --by groups of summarize, compare and trend in every format (SPEC §6).

Machine formats add to each command's own object: `"by"` (the column as the log spells it) and
`"groups"`, one entry per group in SPEC §6's order, each with the same metric objects as the
command's `metrics`; the blank group's value is "". CSV puts a `group` column first. Tables show
every value of every group, never cutting one: summarize's groups side by side, as many columns
as the width allows, in as many tables as needed; compare's and trend's groups one section each.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any

from coopstats import catalogue
from coopstats.breakdown import shown
from coopstats.comparison import Change, Comparison, Figures, Trend
from coopstats.render import machine, markdown
from coopstats.render import numbers as fmt
from coopstats.render.document import Document, Grid, Heading, Paragraph, Part
from coopstats.summary import Summary
from coopstats.times import GroupTimes, Times

ALL = "All requests"
MARKDOWN_GROUPS = 6  # group columns per Markdown table: wider ones overflow a page
LABEL_WIDTH = 44  # the widest the words of a figure get before they wrap
SUMMARY_CSV = ("group", "id", "section", "label", "value")


def by_title(by: str, value: str) -> str:
    return f"{by}: {shown(value)}"


def with_groups(document: dict[str, Any], by: str | None, groups: list[Any]) -> dict[str, Any]:
    """`document` with "by" and "groups" after its "metrics" (or "periods"), before the rest."""
    if by is None:
        return document
    out: dict[str, Any] = {}
    for key, value in document.items():
        out[key] = value
        if key in ("metrics", "periods"):
            out["by"], out["groups"] = by, groups
    return out


# --- summarize -----------------------------------------------------------------------------


def figure_objects(values: dict[str, catalogue.Value]) -> list[dict[str, Any]]:
    """The metric objects of SPEC §4 for one set of values."""
    return [
        {"id": f.id, "section": f.section, "label": f.label, "value": machine.plain(values[f.id])}
        for f in catalogue.FIGURES
    ]


def summary_groups(summary: Summary) -> list[dict[str, Any]]:
    return [{"value": g.value, "metrics": figure_objects(g.values)} for g in summary.groups]


def summary_json(summary: Summary) -> str:
    """SPEC §4's object (render/machine.py's), with "by" and "groups" after its metrics."""
    document = json.loads(machine.summary_json(summary))
    return machine.dumps(with_groups(document, summary.by, summary_groups(summary)))


def summary_csv(summary: Summary) -> str:
    return machine.to_csv(
        SUMMARY_CSV,
        (
            (g.value, row["id"], row["section"], row["label"], row["value"])
            for g in summary.groups
            for row in figure_objects(g.values)
        ),
    )


def summary_columns(summary: Summary, decimals: int) -> list[tuple[str, list[str]]]:
    """(heading, a value per figure) for all requests counted, then each group."""
    columns = [(ALL, summary.values)] + [(shown(g.value), g.values) for g in summary.groups]
    return [
        (heading, [fmt.figure_value(f, values[f.id], decimals) for f in catalogue.FIGURES])
        for heading, values in columns
    ]


def figure_labels() -> list[str]:
    return [f.label for f in catalogue.FIGURES]


def figure_sections() -> list[str]:
    return [f.section.split(".", 1)[0] for f in catalogue.FIGURES]


def groups_caption(summary: Summary) -> str:
    n = len(summary.groups)
    return (
        f"By {summary.by}: {n} group{'' if n == 1 else 's'}, most requests sent in the period "
        "first; each group's evolutions against the same group in the prior period. "
        f"{ALL}: every request counted, once (with categories, a request is in each of its "
        "categories' groups)."
    )


def summary_table(summary: Summary, decimals: int, report: Any) -> Any:
    """The report's tables for all requests counted, then the groups side by side."""
    from rich.console import Group
    from rich.text import Text

    title = f"By {summary.by}"
    return Group(
        report,
        Text(""),
        SideBySide(title, groups_caption(summary), figure_labels(),
                   summary_columns(summary, decimals)),
    )  # fmt: skip


def summary_markdown(summary: Summary, decimals: int, report: str) -> str:
    columns = summary_columns(summary, decimals)
    labels = figure_labels()
    parts = [report.rstrip("\n"), f"## By {markdown.escape(summary.by or '')}",
             f"_{markdown.escape(groups_caption(summary))}_"]  # fmt: skip
    for chunk in _chunks(columns, MARKDOWN_GROUPS):
        header = ("§", "Indicator", *(heading for heading, _ in chunk))
        rows = [
            (section, label, *(values[i] for _, values in chunk))
            for i, (section, label) in enumerate(zip(figure_sections(), labels, strict=True))
        ]
        parts.append(markdown.table(header, rows))
    return "\n\n".join(parts) + "\n"


def summary_document(summary: Summary, decimals: int, report: Document) -> Document:
    """The report's document, then the groups side by side, a few to a table (HTML, SVG)."""
    columns = summary_columns(summary, decimals)
    parts: list[Part] = [*report.parts, Heading(f"By {summary.by}", 2),
                         Paragraph(groups_caption(summary))]  # fmt: skip
    for chunk in _chunks(columns, MARKDOWN_GROUPS):
        headings = tuple(heading for heading, _ in chunk)
        rows = tuple(
            (section, label, *(values[i] for _, values in chunk))
            for i, (section, label) in enumerate(zip(figure_sections(), figure_labels(),
                                                     strict=True))
        )  # fmt: skip
        parts.append(
            Grid(
                caption=f"By {summary.by}: {', '.join(headings)}",
                header=("§", "Indicator", *headings),
                rows=rows,
                figures=(False, False, *(True for _ in chunk)),
                row_header=1,
            )
        )
    return replace(report, parts=tuple(parts))


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class SideBySide:
    """Row labels and columns of values, laid out as wide as the console allows: as many
    columns as fit next to the labels in each table, then another table for the rest, so that
    no value is ever cut or dropped (SPEC §9). Numbers never wrap; a long heading does."""

    def __init__(
        self, title: str, caption: str, labels: list[str], columns: list[tuple[str, list[str]]]
    ) -> None:
        self.title, self.caption, self.labels, self.columns = title, caption, labels, columns
        self.sections = figure_sections()

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Any]:
        from rich.text import Text

        width = options.max_width
        # The figures' words wrap in a third of the width (at least 24 columns), so that a
        # narrow console still shows a few groups side by side.
        label_width = min(LABEL_WIDTH, max(24, width // 3), max(len(x) for x in self.labels))
        room = max(width - label_width - 8, 1)  # the § column, the edges
        chunk: list[tuple[str, list[str]]] = []
        used = 0
        chunks = []
        for column in self.columns:
            need = _column_width(column) + 3  # padding and the rule between columns
            if chunk and used + need > room:
                chunks.append(chunk)
                chunk, used = [], 0
            chunk.append(column)
            used += need
        if chunk:
            chunks.append(chunk)
        for i, part in enumerate(chunks):
            more = f" ({i + 1} of {len(chunks)})" if len(chunks) > 1 else ""
            yield self._table(self.title + more, part, label_width)
        yield Text(self.caption, style="dim")

    def _table(self, title: str, columns: list[tuple[str, list[str]]], label_width: int) -> Any:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        table = Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAVY)
        table.add_column("§", justify="center", no_wrap=True)
        table.add_column("Indicator", min_width=label_width, ratio=1)
        for column in columns:  # a fixed width, that a long heading wraps within
            table.add_column(column[0], justify="right", width=_column_width(column))
        for i, (section, label) in enumerate(zip(self.sections, self.labels, strict=True)):
            table.add_row(
                section, label, *(Text(values[i], no_wrap=True) for _, values in columns)
            )
        return table


def _column_width(column: tuple[str, list[str]]) -> int:
    heading, values = column
    longest_word = max((len(word) for word in heading.split()), default=0)
    return max(max(len(v) for v in values), min(len(heading), 16), longest_word)


# --- compare -------------------------------------------------------------------------------


def change_objects(changes: list[Change]) -> list[dict[str, Any]]:
    """compare's metric objects (render/compare.py's comparison_json) for one set of changes."""
    return [
        {
            "id": c.metric.id,
            "section": c.metric.section,
            "label": c.metric.label,
            "current": machine.plain(c.current),
            "prior": machine.plain(c.prior),
            "change": machine.plain(c.change),
            "change_pct": machine.plain(c.change_pct),
        }
        for c in changes
    ]


def comparison_json(result: Comparison) -> str:
    from coopstats.render import compare as render

    document = json.loads(render.comparison_json(result))
    groups = [{"value": g.value, "metrics": change_objects(g.changes)} for g in result.groups]
    return machine.dumps(with_groups(document, result.by, groups))


def comparison_csv(result: Comparison) -> str:
    from coopstats.render import compare as render

    return machine.to_csv(
        ("group", *render.COMPARE_CSV),
        (
            (g.value, *(row.values()))
            for g in result.groups
            for row in change_objects(g.changes)
        ),
    )


def _per_group(result: Any, make: Callable[[Any, Any], Any]) -> list[tuple[str, Any]]:
    return [(by_title(result.by, g.value), make(result, g)) for g in result.groups]


def comparison_table(result: Comparison, decimals: int) -> Any:
    from rich.console import Group
    from rich.text import Text

    from coopstats.render import compare as render

    parts: list[Any] = [render.comparison_table(result, decimals)]
    for title, group in _per_group(result, lambda r, g: replace(r, changes=g.changes)):
        table = render.comparison_table(group, decimals)
        parts += [Text(""), Text(title, style="bold cyan"), table]
    return Group(*parts)


def comparison_document(result: Comparison, decimals: int) -> Document:
    from coopstats.render import compare as render

    report = render.comparison_document(result, decimals)
    parts: list[Part] = list(report.parts)
    for title, group in _per_group(result, lambda r, g: replace(r, changes=g.changes)):
        parts += [Heading(title, 2), render.comparison_grid(group, decimals)]
    return replace(report, parts=tuple(parts))


def comparison_markdown(result: Comparison, decimals: int) -> str:
    from coopstats.render import compare as render

    parts = [render.comparison_markdown(result, decimals).rstrip("\n")]
    for title, group in _per_group(result, lambda r, g: replace(r, changes=g.changes)):
        parts.append(f"## {markdown.escape(title)}")
        parts.append(markdown.table(render.COMPARE_HEADER, render.comparison_rows(group, decimals)))
    return "\n\n".join(parts) + "\n"


# --- trend ---------------------------------------------------------------------------------


def period_objects(figures: list[Figures]) -> list[dict[str, Any]]:
    """trend's period objects (render/compare.py's trend_json) for one series."""
    return [
        {**f.period.as_dict(), "as_of": f.as_of.isoformat(), "metrics": figure_objects(f.values)}
        for f in figures
    ]


def trend_json(result: Trend) -> str:
    from coopstats.render import compare as render

    document = json.loads(render.trend_json(result))
    groups = [{"value": g.value, "periods": period_objects(g.figures)} for g in result.groups]
    return machine.dumps(with_groups(document, result.by, groups))


def trend_csv(result: Trend) -> str:
    from coopstats.render import compare as render

    return machine.to_csv(
        ("group", *render.TREND_CSV),
        (
            (
                g.value, f.period.start.isoformat(), f.period.end.isoformat(), m.id, m.label,
                machine.plain(f.values[m.id]),
            )
            for g in result.groups
            for f in g.figures
            for m in catalogue.FIGURES
        ),
    )  # fmt: skip


def trend_table(result: Trend, decimals: int) -> Any:
    from rich.console import Group
    from rich.text import Text

    from coopstats.render import compare as render

    parts: list[Any] = [render.trend_table(result, decimals)]
    for title, group in _per_group(result, lambda r, g: replace(r, figures=g.figures)):
        parts += [Text(""), Text(title, style="bold cyan"), render.trend_table(group, decimals)]
    return Group(*parts)


def trend_document(result: Trend, decimals: int) -> Document:
    """The trend's document (charts of all requests), then each group's table."""
    from coopstats.render import compare as render

    report = render.trend_document(result, decimals)
    parts: list[Part] = list(report.parts)
    for title, group in _per_group(result, lambda r, g: replace(r, figures=g.figures)):
        parts += [Heading(title, 2), render.trend_grid(group, decimals)]
    return replace(report, parts=tuple(parts))


def trend_markdown(result: Trend, decimals: int) -> str:
    from coopstats.render import compare as render

    parts = [render.trend_markdown(result, decimals).rstrip("\n")]
    for title, group in _per_group(result, lambda r, g: replace(r, figures=g.figures)):
        parts.append(f"## {markdown.escape(title)}")
        parts.append(
            markdown.table(
                render.trend_header(group, " to "),
                render.trend_rows(group, decimals, markdown_spark=True),
            )
        )
    return "\n\n".join(parts) + "\n"


# --- times ---------------------------------------------------------------------------------


def times_json(result: Times) -> str:
    """times' object with "by" and "breakdown": per group of requests, the seven groups'
    figures (times' own "groups" are the report's kinds of request)."""
    from coopstats.render import times as render

    document = json.loads(render.times_json(result))
    breakdown = [
        {"value": b.value, "groups": [render.group_document(g) for g in b.groups]}
        for b in result.breakdown
    ]
    out: dict[str, Any] = {}
    for key, value in document.items():
        out[key] = value
        if key == "groups":
            out["by"], out["breakdown"] = result.by, breakdown
    return machine.dumps(out)


def times_csv(result: Times) -> str:
    from coopstats.render import times as render

    return machine.to_csv(
        ("group", *render.csv_header(result.measures)),
        ([b.value, *render.csv_row(g)] for b in result.breakdown for g in b.groups),
    )


def times_rows(result: Times, index: int, decimals: int) -> tuple[list[str], list[list[str]]]:
    """The header and rows of one of the seven groups' time table: all requests, then each
    --by group, one row each."""
    from coopstats.render import times as render

    unit = "days" if result.days == "calendar" else f"{result.days} days"
    m = result.measures
    header = [
        result.by or "", "Sent", "Executed", "Pending", "Mean",
        *(f"P{render.number_name(p)}" for p in m.percentiles),
        *(f"≤ {n} {unit}" for n in m.within),
        "Clearance",
    ]  # fmt: skip
    rows = []
    for value, group in _times_of(result, index):

        def days(v: Fraction | int | None) -> str:
            return fmt.NA if v is None else fmt.round_half_up(v, decimals)

        rows.append([
            value, str(group.sent), str(group.executed), str(group.pending),
            days(group.mean_days), *(days(v) for _, v in group.percentiles),
            *(fmt.pct(pct, decimals) for _, _, pct in group.within),
            fmt.pct(group.clearance_pct, decimals),
        ])  # fmt: skip
    return header, rows


def ageing_rows(result: Times, index: int) -> tuple[list[str], list[list[str]]]:
    """The header and rows of one of the seven groups' ageing table."""
    header = [result.by or "", f"Pending on {fmt.day(result.as_of)}",
              *(label for label, _ in result.groups[index].ageing_bands), "Oldest"]  # fmt: skip
    rows = []
    for value, group in _times_of(result, index):
        oldest = group.oldest[0] if group.oldest else None
        rows.append([
            value, str(group.aged), *(str(n) for _, n in group.ageing_bands),
            f"{oldest.id} ({oldest.age_days})" if oldest else "none",
        ])  # fmt: skip
    return header, rows


def _times_of(result: Times, index: int) -> list[tuple[str, GroupTimes]]:
    return [(ALL, result.groups[index])] + [
        (shown(b.value), b.groups[index]) for b in result.breakdown
    ]


def times_caption(result: Times) -> str:
    n = len(result.breakdown)
    unit = "days" if result.days == "calendar" else f"{result.days} days"
    return (
        f"By {result.by}: {n} group{'' if n == 1 else 's'}, most requests sent in the period "
        f"first. Times in {unit}, over executed requests; P50, P90: percentiles; ≤ N: share of "
        "the requests sent executed within N days; clearance: executed during the period "
        "(whenever sent) ÷ sent in it. Ageing: every request pending on the as-of date, "
        "whatever its period, by age; oldest: id (age)."
    )


def times_table(result: Times, decimals: int) -> Any:
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from coopstats.render import times as render

    parts: list[Any] = [render.times_table(result, decimals), Text("")]
    parts.append(Text(f"By {result.by}", style="bold"))
    for index, group in enumerate(result.groups):
        parts += [Text(""), Text.assemble((group.label, "bold cyan"), (f"  {group.id}", "dim"))]
        for header, rows in (times_rows(result, index, decimals), ageing_rows(result, index)):
            table = Table(box=box.SIMPLE_HEAVY)
            table.add_column(header[0])
            for name in header[1:]:
                table.add_column(name, justify="right")
            for row in rows:
                table.add_row(*row)
            parts.append(table)
    parts.append(Text(times_caption(result), style="dim"))
    return Group(*parts)


def times_document(result: Times, decimals: int) -> Document:
    from coopstats.render import times as render

    report = render.times_document(result, decimals)
    parts: list[Part] = [*report.parts, Heading(f"By {result.by}", 2),
                         Paragraph(times_caption(result))]  # fmt: skip
    for index, group in enumerate(result.groups):
        parts.append(Heading(f"{group.label} ({group.id})", 3))
        for what, (header, rows) in (
            ("time to execute", times_rows(result, index, decimals)),
            ("ageing", ageing_rows(result, index)),
        ):
            parts.append(
                Grid(
                    caption=f"{group.label} by {result.by}: {what}",
                    header=tuple(header),
                    rows=tuple(tuple(row) for row in rows),
                    figures=(False, *(True for _ in header[1:])),
                )
            )
    return replace(report, parts=tuple(parts))


def times_markdown(result: Times, decimals: int) -> str:
    from coopstats.render import times as render

    parts = [render.times_markdown(result, decimals).rstrip("\n"),
             f"# By {markdown.escape(result.by or '')}",
             f"_{markdown.escape(times_caption(result))}_"]  # fmt: skip
    for index, group in enumerate(result.groups):
        parts.append(f"## {markdown.escape(group.label)} (`{group.id}`)")
        for header, rows in (times_rows(result, index, decimals), ageing_rows(result, index)):
            parts.append(markdown.table(header, rows))
    return "\n\n".join(parts) + "\n"
