"""The `times` figures for people (Rich table, Markdown) and for scripts (JSON, CSV).

The human formats draw the same rows from `figure_rows` and `histogram_rows`, so they cannot
drift; the machine formats carry every figure unrounded, missing values as null / empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from coopstats.catalogue import notifications_note
from coopstats.render import machine, markdown, svg
from coopstats.render import numbers as fmt
from coopstats.render.charts import CUT, band_widths, scaled_bars
from coopstats.render.document import Document, Grid, Heading, Multiples, Paragraph, Part, Picture
from coopstats.stats import Bands, bar
from coopstats.summary import where_note
from coopstats.times import FEW_REQUESTS, GroupTimes, Measures, Times, percentile_name

TITLE = "Time to execute, pending requests included"
BAR_WIDTH = 30
NOT_REACHED = "not reached"

CSV_HEADER = (
    "id", "label", "sent", "executed", "pending",
    "mean_days", "median_days", "p90_days", "min_days", "max_days", "km_median_days",
    "ci_low", "ci_high", "oldest_pending_id", "oldest_pending_age_days",
    "backlog_pending_start", "backlog_sent", "backlog_executed_any", "backlog_pending_end",
)


def _band_names(prefix: str, bands: Bands) -> tuple[str, ...]:
    return tuple(f"{prefix}_{lo}_{'plus' if hi is None else hi}" for lo, hi in bands)


def number_name(value: Fraction) -> str:
    """50 → "50", 99.5 → "99.5": a CSV column name's part."""
    return str(value.numerator) if value.denominator == 1 else format(float(value), "g")


def csv_header(measures: Measures) -> tuple[str, ...]:
    """CSV_HEADER, then SPEC §7's measures: the percentiles, the shares within N days, the
    clearance rate, the days-to-execute and the ageing bands."""
    return (
        CSV_HEADER
        + tuple(f"percentile_{number_name(p)}_days" for p in measures.percentiles)
        + tuple(f"within_{n}_days_pct" for n in measures.within)
        + ("cleared", "clearance_pct", "pending_at_as_of")
        + _band_names("days", measures.bands)
        + _band_names("age", measures.bands)
    )


# ------------------------------------------------------------------------------ machine


def group_document(group: GroupTimes) -> dict[str, Any]:
    ci = group.executed_pct_ci
    oldest = group.oldest_pending
    b = group.backlog
    return {
        "id": group.id,
        "label": group.label,
        "sent": group.sent,
        "executed": group.executed,
        "pending": group.pending,
        "mean_days": machine.plain(group.mean_days),
        "median_days": machine.plain(group.median_days),
        "p90_days": machine.plain(group.p90_days),
        "min_days": group.min_days,
        "max_days": group.max_days,
        "km_median_days": group.km_median_days,
        "executed_pct_ci": [ci[0], ci[1]] if ci is not None else None,
        "oldest_pending": {"id": oldest.id, "age_days": oldest.age_days} if oldest else None,
        "backlog": {
            "pending_start": b.pending_start,
            "sent": b.sent,
            "executed_any": b.executed_any,
            "pending_end": b.pending_end,
        },
        "histogram": [{"bucket": label, "count": n} for label, n in group.histogram],
        "percentiles": [
            {"percentile": int(p) if p.denominator == 1 else float(p), "days": machine.plain(v)}
            for p, v in group.percentiles
        ],
        "within": [
            {"days": n, "requests": k, "pct": machine.plain(pct)} for n, k, pct in group.within
        ],
        "cleared": group.cleared,
        "clearance_pct": machine.plain(group.clearance_pct),
        "ageing": {
            "pending": group.aged,
            "bands": [{"bucket": label, "count": n} for label, n in group.ageing_bands],
            "oldest": [
                {"id": a.id, "sent": a.sent.isoformat(), "age_days": a.age_days}
                for a in group.oldest
            ],
        },
    }


def times_json(result: Times) -> str:
    return machine.dumps(
        {
            "period": result.period.as_dict(),
            "as_of": result.as_of.isoformat(),
            "days": result.days,
            "notifications": result.notifications,
            "groups": [group_document(g) for g in result.groups],
            "warnings": result.warnings,
        }
    )


def csv_row(g: GroupTimes) -> list[object]:
    """One group's row under `csv_header`."""
    ci = g.executed_pct_ci
    oldest = g.oldest_pending
    b = g.backlog
    return [
        g.id, g.label, g.sent, g.executed, g.pending,
        machine.plain(g.mean_days), machine.plain(g.median_days), machine.plain(g.p90_days),
        g.min_days, g.max_days, g.km_median_days,
        ci[0] if ci else None, ci[1] if ci else None,
        oldest.id if oldest else None, oldest.age_days if oldest else None,
        b.pending_start, b.sent, b.executed_any, b.pending_end,
        *(machine.plain(v) for _, v in g.percentiles),
        *(machine.plain(pct) for _, _, pct in g.within),
        g.cleared, machine.plain(g.clearance_pct), g.aged,
        *(n for _, n in g.histogram),
        *(n for _, n in g.ageing_bands),
    ]  # fmt: skip


def times_csv(result: Times) -> str:
    return machine.to_csv(csv_header(result.measures), [csv_row(g) for g in result.groups])


# ------------------------------------------------------------------------------- people


def caption(result: Times) -> str:
    p = result.period
    notes = [
        f"Requests sent from {fmt.day(p.start)} to {fmt.day(p.end)}, executions as of "
        f"{fmt.day(result.as_of)}",
        notifications_note(result.notifications),
        f"days counted as {result.days} days",
        "days to execute over executed requests; the Kaplan–Meier median also counts each "
        "pending request, censored at its age on the as-of date",
        "backlog over the period's own dates",
    ]
    return "; ".join(notes) + "." + where_note(result.counted)


def _unit(result: Times) -> str:
    return "days" if result.days == "calendar" else f"{result.days} days"


def _days(value: Fraction | float | int | None, unit: str, decimals: int) -> str:
    if value is None:
        return fmt.NA
    if isinstance(value, int):
        return f"{value} {unit}"
    return f"{fmt.round_half_up(Fraction(value), decimals)} {unit}"


def warning(group: GroupTimes) -> str | None:
    """The caution a small group needs: its figures move a lot with one request."""
    if not group.few:
        return None
    if group.sent == 0:
        return "no request sent in the period: nothing to measure"
    noun = "request" if group.sent == 1 else "requests"
    return (
        f"only {group.sent} {noun} sent (fewer than {FEW_REQUESTS}): "
        "read these figures with caution"
    )


def figure_rows(result: Times, group: GroupTimes, decimals: int) -> list[tuple[str, str]]:
    """(words, value) rows of one group, values written for people."""
    unit = _unit(result)
    ci = group.executed_pct_ci
    executed = str(group.executed)
    if ci is not None:
        share = fmt.pct(Fraction(100 * group.executed, group.sent), decimals)
        executed += (
            f" ({share}; 95% CI {fmt.pct(Fraction(ci[0]), decimals)}"
            f" to {fmt.pct(Fraction(ci[1]), decimals)})"
        )
    oldest = group.oldest_pending
    km = group.km_median_days
    b = group.backlog
    return [
        ("Sent in the period", str(group.sent)),
        (f"Executed as of {fmt.day(result.as_of)}", executed),
        ("Pending", str(group.pending)),
        ("Mean time to execute (executed requests only)", _days(group.mean_days, unit, decimals)),
        (
            "Kaplan–Meier median (pending requests counted)",
            NOT_REACHED if km is None and group.sent else _days(km, unit, decimals),
        ),
        *(
            (f"{percentile_name(p).capitalize()} of the time to execute",
             _days(v, unit, decimals))
            for p, v in group.percentiles
        ),
        ("Fastest / slowest", f"{_days(group.min_days, unit, decimals)} / "
         f"{_days(group.max_days, unit, decimals)}"),
        *(
            (f"Executed within {n} {unit} (of all sent, pending included)",
             f"{k} ({fmt.pct(pct, decimals)})")
            for n, k, pct in group.within
        ),
        (
            "Clearance rate: executed during the period (whenever sent) ÷ sent in it",
            f"{fmt.pct(group.clearance_pct, decimals)} ({group.cleared} ÷ {group.sent})",
        ),
        (
            "Oldest pending request",
            f"{oldest.id} ({_days(oldest.age_days, unit, decimals)})" if oldest else "none",
        ),
        (
            "Backlog over the period's own dates (not --as-of): pending at start + sent − "
            "executed",
            f"{b.pending_start} + {b.sent} − {b.executed_any} = {b.pending_end} pending at end",
        ),
    ]


def histogram_rows(group: GroupTimes) -> list[tuple[str, str, int]]:
    """(bucket, bar, count) rows: executed requests by days to execute, then the pending ones.

    The bars are scaled to the largest band of executed requests; the pending bar is drawn on
    the same scale, so it can be compared with them, but cut at the edge (▸) when it is longer,
    so that a large backlog cannot squash the histogram. With nothing executed, the pending
    count sets the scale.
    """
    rows = [*group.histogram, ("pending", group.pending)]
    scale = max(n for _, n in group.histogram) or group.pending
    drawn = scaled_bars([n for _, n in rows], scale, BAR_WIDTH)
    return [(label, line, n) for (label, n), line in zip(rows, drawn, strict=True)]


def histogram_title(result: Times) -> str:
    return (
        f"Requests by {_unit(result)} to execute, in bands of unequal width "
        f"({band_widths(result.measures.bands)})"
    )


def histogram_note(group: GroupTimes) -> str:
    note = "Bars to one scale, the largest band filling the width"
    if group.pending > max(n for _, n in group.histogram) > 0:
        note += f"; the pending bar is longer and cut at the edge ({CUT})"
    return note + "."


def ageing_rows(group: GroupTimes) -> list[tuple[str, str, int]]:
    """(band, bar, count) rows: every request pending at the as-of date, by age (SPEC §7)."""
    rows = group.ageing_bands
    largest = max(n for _, n in rows)
    return [(label, bar(n, largest, BAR_WIDTH), n) for label, n in rows]


def ageing_title(result: Times, group: GroupTimes) -> str:
    return (
        f"Ageing: {group.aged} pending on {fmt.day(result.as_of)} (sent on or before it, in "
        f"any period), by {_unit(result)} since sent"
    )


def oldest_rows(result: Times, group: GroupTimes) -> list[tuple[str, str, str]]:
    """(id, sent, age) of the oldest pending requests, oldest first, ties by id."""
    unit = _unit(result)
    return [(a.id, fmt.day(a.sent), f"{a.age_days} {unit}") for a in group.oldest]


def _bars(title: str, rows: list[tuple[str, str, int]], style: str) -> Table:
    table = Table(
        title=Text(title, style="italic"),
        title_justify="left",
        box=box.SIMPLE,
        show_header=False,
        pad_edge=False,
    )
    table.add_column("Bucket", justify="right", no_wrap=True)
    table.add_column("Bar", no_wrap=True, width=BAR_WIDTH)
    table.add_column("Requests", justify="right", no_wrap=True)
    for label, drawn, n in rows:
        table.add_row(Text(label), Text(drawn, style=style), Text(str(n)))
    return table


def ageing_parts(result: Times, group: GroupTimes) -> list[RenderableType]:
    """The ageing bars and the oldest pending requests, as Rich tables."""
    parts: list[RenderableType] = [
        _bars(ageing_title(result, group), ageing_rows(group), "magenta")
    ]
    rows = oldest_rows(result, group)
    if rows:
        oldest = Table(
            title=Text(f"The {len(rows)} oldest pending", style="italic"),
            title_justify="left",
            box=box.SIMPLE,
            pad_edge=False,
        )
        oldest.add_column("Id")
        oldest.add_column("Sent", no_wrap=True)
        oldest.add_column("Age", justify="right", no_wrap=True)
        for row in rows:
            oldest.add_row(*(Text(cell) for cell in row))
        parts.append(oldest)
    return parts


def ageing_markdown(result: Times, group: GroupTimes) -> list[str]:
    parts = [
        f"_{markdown.escape(ageing_title(result, group))}_",
        markdown.table(
            ("Age", "Requests", ""),
            [(label, str(n), drawn) for label, drawn, n in ageing_rows(group)],
        ),
    ]
    rows = oldest_rows(result, group)
    if rows:
        parts.append(markdown.table(("Oldest pending", "Sent", "Age"), rows))
    return parts


def times_table(result: Times, decimals: int = 2) -> RenderableType:
    parts: list[RenderableType] = [Text(TITLE, style="bold")]
    for group in result.groups:
        parts.append(Text(""))
        parts.append(Text.assemble((group.label, "bold cyan"), (f"  {group.id}", "dim")))
        note = warning(group)
        if note is not None:
            parts.append(Text(f"⚠ {note}", style="yellow"))
        figures = Table(box=box.SIMPLE_HEAVY, show_header=False)
        figures.add_column("Figure")
        figures.add_column("Value", style="bold")
        for words, value in figure_rows(result, group, decimals):
            figures.add_row(Text(words), Text(value))
        parts.append(figures)
        histogram = Table(
            title=Text(histogram_title(result), style="italic"),
            title_justify="left",
            caption=Text(histogram_note(group), style="dim"),
            caption_justify="left",
            box=box.SIMPLE,
            show_header=False,
            pad_edge=False,
        )
        histogram.add_column("Bucket", justify="right", no_wrap=True)
        histogram.add_column("Bar", no_wrap=True, width=BAR_WIDTH + len(CUT))
        histogram.add_column("Requests", justify="right", no_wrap=True)
        for label, drawn, n in histogram_rows(group):
            style = "magenta" if label == "pending" else "green"
            histogram.add_row(Text(label), Text(drawn, style=style), Text(str(n)))
        parts.append(histogram)
        parts += ageing_parts(result, group)
    parts.append(Text(caption(result), style="dim"))
    return Group(*parts)


def times_markdown(result: Times, decimals: int = 2) -> str:
    parts = [f"# {markdown.escape(TITLE)}", f"_{markdown.escape(caption(result))}_"]
    parts += markdown.warnings(result.warnings)
    for group in result.groups:
        parts.append(f"## {markdown.escape(group.label)} (`{group.id}`)")
        note = warning(group)
        if note is not None:
            parts.append(f"> **Warning:** {markdown.escape(note)}")
        parts.append(markdown.table(("Figure", "Value"), figure_rows(result, group, decimals)))
        parts.append(f"_{markdown.escape(histogram_title(result))}. "
                     f"{markdown.escape(histogram_note(group))}_")
        parts.append(
            markdown.table(
                (f"{_unit(result).capitalize()} to execute", "Requests", ""),
                [(label, str(n), drawn) for label, drawn, n in histogram_rows(group)],
            )
        )
        parts += ageing_markdown(result, group)
    return "\n\n".join(parts) + "\n"


def histogram_grid(result: Times, group: GroupTimes) -> Grid:
    return Grid(
        caption=histogram_title(result),
        header=(f"{_unit(result).capitalize()} to execute", "Requests"),
        rows=tuple((label, str(n)) for label, _, n in histogram_rows(group)),
        figures=(False, True),
        compact=True,
    )


def group_parts(result: Times, group: GroupTimes, decimals: int) -> list[Part]:
    """One group's heading, its caution, its figures and its histogram, as document parts."""
    parts: list[Part] = [Heading(f"{group.label} ({group.id})", 3)]
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
    parts.append(histogram_grid(result, group))
    parts.append(group_charts(result, group, decimals))
    parts += ageing_grids(result, group)
    return parts


def ageing_grids(result: Times, group: GroupTimes) -> list[Part]:
    """SPEC §7's ageing of the pending requests, and the oldest of them, as document tables."""
    grids: list[Part] = [
        Grid(
            caption=ageing_title(result, group),
            header=("Age", "Requests"),
            rows=tuple((label, str(n)) for label, _, n in ageing_rows(group)),
            figures=(False, True),
            compact=True,
        )
    ]
    rows = oldest_rows(result, group)
    if rows:
        grids.append(
            Grid(
                caption=f"{group.label}: the {len(rows)} oldest pending",
                header=("Id", "Sent", "Age"),
                rows=tuple(rows),
                figures=(False, False, True),
                compact=True,
            )
        )
    return grids


MILESTONES = (30, 90, 180, 365)  # days at which a page states the share still pending


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


def group_charts(result: Times, group: GroupTimes, decimals: int) -> Multiples:
    unit = _unit(result)
    histogram = Picture(
        svg.histogram_chart(
            f"{group.label}: requests by {unit} to execute",
            [label for label, _ in group.histogram],
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


def times_document(result: Times, decimals: int = 2) -> Document:
    parts: list[Part] = []
    for group in result.groups:
        parts += group_parts(result, group, decimals)
    return Document(TITLE, caption(result), tuple(parts), tuple(result.warnings))
