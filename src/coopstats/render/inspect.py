"""`validate` and `explain` in every format: one row model each, drawn as a Rich table,
Markdown, CSV or JSON. Cells quoted from the user's file are shown safely: control characters
escaped on screen, formulas neutralised in CSV (render/machine.to_csv)."""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from coopstats.catalogue import notifications_note
from coopstats.grouping import ProblemGroup, shown_groups
from coopstats.inspection import Explanation, Listed, Reconciliation, Validation
from coopstats.model import Problem
from coopstats.render import machine, markdown
from coopstats.render import numbers as fmt
from coopstats.render.document import Document, Grid, Paragraph, Part

SHOWN = 60  # characters of a cell quoted on screen


def shown(value: object, limit: int = SHOWN) -> str:
    """A cell for a terminal: control characters escaped (no escape sequence from a user's file
    reaches the terminal), long text cut."""
    if value is None:
        return ""
    text = str(value)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table(
    title: str, header: Sequence[str], caption: str | None = None, show_header: bool = True
) -> Table:
    table = Table(
        title=title, title_justify="left", title_style="bold", caption=caption,
        caption_justify="left", caption_style="dim", box=box.SIMPLE_HEAVY,
        show_header=show_header, min_width=min(len(title) + 2, 100),
    )
    for name in header:
        # A problem's code is one word to search for: never cut (SPEC §9: no value is cut).
        table.add_column(name, overflow="fold", no_wrap=name == "code")
    return table


def _add(table: Table, cells: Sequence[object], limit: int = SHOWN) -> None:
    table.add_row(*(Text(shown(cell, limit)) for cell in cells))  # Text: no markup from files


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# --- validate -------------------------------------------------------------------------------

PROBLEM_HEADER = ("line", "column", "value", "problem", "code", "hint")


def problem_dict(problem: Problem) -> dict[str, object]:
    return {
        "line": problem.line,
        "column": problem.column,
        "value": problem.value,
        "message": problem.message,
        "code": problem.code,
        "hint": problem.hint,
    }


def validation_json(v: Validation) -> str:
    p = v.profile
    profile = None
    if p is not None:
        profile = {
            "rows": p.rows,
            "by_kind": [{"organ": o, "kind": k, "rows": n} for o, k, n in p.by_kind],
            "first_sent": p.first_sent.isoformat() if p.first_sent else None,
            "last_sent": p.last_sent.isoformat() if p.last_sent else None,
            "pending": p.pending,
            "dates_after_today": p.future,
            "dates_after_today_lines": list(p.future_lines),
            "today": p.today.isoformat(),
            "date_order": p.date_order,
        }
    return machine.dumps(
        {
            "source": v.source,
            "valid": v.valid,
            "rows": v.records,
            "invalid_rows": v.invalid_rows,
            "total": v.total,
            "problems": [problem_dict(problem) for problem in v.problems],
            "profile": profile,
            "warnings": p.warnings if p is not None else [],
        }
    )


def _problem_cells(problem: Problem) -> list[object]:
    return [problem.line, problem.column, problem.value, problem.message, problem.code,
            problem.hint]


def validation_csv(v: Validation) -> str:
    """Every problem kept, a row each (a clean log gives the header alone)."""
    return machine.to_csv(PROBLEM_HEADER, (_problem_cells(p) for p in v.problems))


def profile_rows(v: Validation) -> list[tuple[str, str]]:
    p = v.profile
    assert p is not None
    rows = [(f"{organ} {kind}", str(n)) for organ, kind, n in p.by_kind]
    rows += [
        ("first sent", fmt.day(p.first_sent) if p.first_sent else fmt.NA),
        ("last sent", fmt.day(p.last_sent) if p.last_sent else fmt.NA),
        ("pending (no executed date)", str(p.pending)),
        (f"dates after today ({fmt.day(p.today)})", str(p.future)),
    ]
    return rows


def validation_markdown(v: Validation, max_problems: int) -> str:
    if v.profile is not None:
        notes = "".join(w + "\n\n" for w in markdown.warnings(v.profile.warnings))
        return (
            f"# {markdown.escape(v.source)}: no problems in {_plural(v.profile.rows, 'row')}\n\n"
            + notes + markdown.table(("", "rows"), profile_rows(v)) + "\n"
        )
    rows = [[shown(c, 10**6) for c in _problem_cells(p)] for p in v.problems[:max_problems]]
    more = len(v.problems[:max_problems]) < v.total
    note = f"\n\n_{len(rows)} of {v.total} problems shown._" if more else ""
    return (
        f"# {markdown.escape(v.source)}: {_plural(v.total, 'problem')}{note}\n\n"
        + markdown.table(PROBLEM_HEADER, rows) + "\n"
    )


def validation_table(v: Validation, max_problems: int) -> RenderableType:
    if v.profile is not None:
        return profile_table(v)
    # Problems that many rows share are one row of the table, with their lines (grouping.py).
    listed, left = shown_groups(v.problems, v.total, max_problems)
    rows = f" in {v.invalid_rows} of {_plural(v.records, 'row')}" if v.records else ""
    notes = []
    if left > 0:
        notes.append(
            f"{v.total - left} of {v.total} shown (--max-problems N shows more; --format json "
            "lists them all)"
        )
    if len(v.by_code()) > 1:
        notes.append("by code: " + ", ".join(f"{code} {n}" for code, n in v.by_code()))
    title = f"{v.source}: {_plural(v.total, 'problem')}{rows}"
    table = _table(title, PROBLEM_HEADER, "\n".join(notes) or None)
    for group in listed:
        # Only the cells quoted from the file are cut; messages and hints are shown whole.
        cells = _group_cells(group)
        cells[2] = shown(group.problem.value)
        _add(table, cells, limit=10**6)
    return table


def _group_cells(group: ProblemGroup) -> list[object]:
    """A problem's cells; for a group, its rows and first lines, and the fix for them all."""
    cells = _problem_cells(group.problem)
    if group.size > 1:
        cells[0] = group.where.removeprefix("on ")
        cells[5] = group.hint
    return cells


def profile_table(v: Validation) -> RenderableType:
    p = v.profile
    assert p is not None
    order = {"day": "day-first", "month": "month-first"}.get(p.date_order or "", None)
    table = _table(
        f"{v.source}: no problems in {_plural(p.rows, 'row')}",
        ("", ""),
        f"numeric dates read {order}" if order else None,
        show_header=False,
    )
    for row in profile_rows(v):
        _add(table, row)
    return table


# --- explain --metric -----------------------------------------------------------------------

LISTED_HEADER = (
    "line", "id", "organ", "kind", "origin", "categories", "sent", "executed", "days",
    "outcome", "in_e", "counted",
)


def _listed_header(e: Explanation) -> tuple[str, ...]:
    return ("period", *LISTED_HEADER) if e.shape == "evolution" else LISTED_HEADER


def _listed_cells(e: Explanation, row: Listed, yes: object, no: object) -> list[object]:
    cells: list[object] = [
        row.line, row.id, row.organ, row.kind, row.origin, ";".join(row.categories),
        row.sent.isoformat(), row.executed.isoformat() if row.executed else None, row.days,
        row.outcome, yes if row.in_e else no, yes if row.counted else no,
    ]
    return [row.period, *cells] if e.shape == "evolution" else cells


def figure(e: Explanation, decimals: int) -> str:
    """The figure as the report writes it."""
    return fmt.figure_value(e.metric, e.value, decimals)


def explanation_caption(e: Explanation, decimals: int) -> str:
    p = e.period
    lines = [
        f"{e.metric.id} = {figure(e, decimals)}  ({e.metric.label})",
        e.rule,
        f"{len(e.rows)} request(s) listed, {e.counted} counted.",
        f"Period {fmt.day(p.start)} to {fmt.day(p.end)}, executions as of {fmt.day(e.as_of)}; "
        + notifications_note(e.notifications)
        + "."
        + e.scope,
    ]
    if e.prior is not None:
        current = sum(1 for r in e.rows if r.period == "current")
        lines.append(
            f"Prior period {fmt.day(e.prior.start)} to {fmt.day(e.prior.end)}: "
            f"{len(e.rows) - current} request(s); current: {current}."
        )
    return "\n".join(lines)


NO_WRAP = {"period", "line", "sent", "executed", "days", "in E"}
MIN_WIDTH = {"id": 6, "request": 6, "categories": 6, "outcome": 3, "counted": 3}


def request_words(row: Listed) -> str:
    """`Registry RFC (HQ)`: organ, kind and origin in one cell, to keep the table narrow."""
    words = f"{row.organ} {row.kind}"
    return f"{words} ({row.origin})" if row.origin else words


def _screen_columns(e: Explanation) -> list[str]:
    """The table's columns: those that say something for this metric's shape (a column that
    would read `yes` on every row is left out; CSV and JSON keep every column)."""
    columns = ["line", "id", "request", "categories", "sent", "executed", "days"]
    if e.shape == "evolution":
        columns.insert(0, "period")
    if e.shape == "positive":
        columns.append("outcome")
    if e.shape != "executed":
        columns.append("in E")
    if e.shape == "positive":
        columns.append("counted")
    return columns


def _screen_cell(row: Listed, column: str) -> object:
    return {
        "period": row.period,
        "line": row.line,
        "id": row.id,
        "request": request_words(row),
        "categories": "; ".join(row.categories),
        "sent": row.sent.isoformat(),
        "executed": row.executed.isoformat() if row.executed else None,
        "days": row.days,
        "outcome": row.outcome,
        "in E": "yes" if row.in_e else "no",
        "counted": "yes" if row.counted else "no",
    }[column]


def explanation_table(e: Explanation, decimals: int) -> RenderableType:
    table = Table(
        title=f"{e.metric.id}: the requests behind the figure", title_justify="left",
        title_style="bold", box=box.SIMPLE_HEAVY, pad_edge=False, collapse_padding=True,
    )
    columns = _screen_columns(e)
    for name in columns:
        table.add_column(
            name, no_wrap=name in NO_WRAP, overflow="fold", min_width=MIN_WIDTH.get(name),
            justify="right" if name in ("line", "days") else "left",
        )
    for row in e.rows:
        _add(table, [_screen_cell(row, column) for column in columns])
    return Group(table, Text(explanation_caption(e, decimals), style="dim"))


def explanation_markdown(e: Explanation, decimals: int) -> str:
    rows = [[shown(c, 10**6) for c in _listed_cells(e, row, "yes", "no")] for row in e.rows]
    caption = markdown.escape(explanation_caption(e, decimals).replace("\n", " "))
    notes = "".join(w + "\n\n" for w in markdown.warnings(e.warnings))
    return (
        f"# {markdown.escape(e.metric.id)}: the requests behind the figure\n\n_{caption}_\n\n"
        + notes
        + markdown.table(_listed_header(e), rows)
        + "\n"
    )


def explanation_csv(e: Explanation) -> str:
    return machine.to_csv(_listed_header(e), (_listed_cells(e, r, "true", "false") for r in e.rows))


def explanation_json(e: Explanation) -> str:
    def request(row: Listed) -> dict[str, object]:
        return {
            "period": row.period,
            "line": row.line,
            "id": row.id,
            "organ": row.organ,
            "kind": row.kind,
            "origin": row.origin,
            "categories": list(row.categories),
            "sent": row.sent.isoformat(),
            "executed": row.executed.isoformat() if row.executed else None,
            "days": row.days,
            "outcome": row.outcome,
            "in_e": row.in_e,
            "counted": row.counted,
        }

    return machine.dumps(
        {
            "source": e.source,
            "metric": {"id": e.metric.id, "section": e.metric.section, "label": e.metric.label},
            "value": machine.plain(e.value),
            "period": e.period.as_dict(),
            "prior_period": e.prior.as_dict() if e.prior else None,
            "as_of": e.as_of.isoformat(),
            "notifications": e.notifications,
            "rule": e.rule,
            "listed": len(e.rows),
            "counted": e.counted,
            "requests": [request(row) for row in e.rows],
            "warnings": list(e.warnings),
        }
    )


# --- explain (reconciliation) ---------------------------------------------------------------

RECONCILIATION_HEADER = (
    "part", "organ", "kind", "executed_as_of", "executed_later", "pending", "rows",
)


def reconciliation_rows(r: Reconciliation) -> list[tuple[object, ...]]:
    """The reconciliation as flat rows: each part of the log, then the check that they add up."""
    rows: list[tuple[object, ...]] = [
        ("rows read", None, None, None, None, None, r.records),
        ("invalid (left out)", None, None, None, None, None, r.invalid),
        ("sent before the period", None, None, None, None, None, r.before),
        ("sent after the period", None, None, None, None, None, r.after),
    ]
    for k in r.within:
        rows.append(
            ("sent within the period", k.organ, k.kind, k.executed, k.executed_later, k.pending,
             k.total)
        )
    rows.append(
        ("sent within the period", "all", "all", sum(k.executed for k in r.within),
         sum(k.executed_later for k in r.within), sum(k.pending for k in r.within),
         r.within_total)
    )
    rows.append(("accounted for", None, None, None, None, None, r.accounted))
    return rows


def balance_text(r: Reconciliation) -> str:
    parts = (
        f"{r.invalid} invalid + {r.before} before + {r.after} after + {r.within_total} within "
        f"= {r.accounted}"
    )
    if r.balanced:
        return f"Adds up: {parts} = the {r.records} rows read."
    return f"DOES NOT ADD UP: {parts}, but {r.records} rows were read (please report this)."


def invalid_lines_text(r: Reconciliation) -> str:
    if not r.invalid_lines:
        return ""
    lines = ", ".join(str(n) for n in r.invalid_lines)
    return f" Invalid rows: line{'s' if len(r.invalid_lines) > 1 else ''} {lines}."


def reconciliation_caption(r: Reconciliation) -> str:
    p = r.period
    return (
        f"Period {fmt.day(p.start)} to {fmt.day(p.end)}, executions as of {fmt.day(r.as_of)}. "
        "Rows read: the records after the header, blank lines aside. " + balance_text(r)
        + invalid_lines_text(r)
    )


def reconciliation_table(r: Reconciliation) -> RenderableType:
    table = Table(
        title=f"{r.source}: every row accounted for", title_justify="left", title_style="bold",
        box=box.SIMPLE_HEAVY,
    )
    table.add_column("")
    for name in ("executed as of", "executed later", "pending", "rows"):
        table.add_column(name, justify="right")
    for label, count in (
        ("Rows read", r.records),
        ("Invalid (left out)", r.invalid),
        ("Sent before the period", r.before),
        ("Sent after the period", r.after),
    ):
        table.add_row(label, "", "", "", str(count))
    table.add_row(
        "Sent within the period", str(sum(k.executed for k in r.within)),
        str(sum(k.executed_later for k in r.within)), str(sum(k.pending for k in r.within)),
        str(r.within_total), end_section=False,
    )
    for k in r.within:
        table.add_row(
            f"  {k.organ} {k.kind}", str(k.executed), str(k.executed_later), str(k.pending),
            str(k.total), style="dim" if not k.total else None,
        )
    table.add_section()
    table.add_row(
        "Accounted for", "", "", "", str(r.accounted),
        style="bold green" if r.balanced else "bold red",
    )
    return Group(table, Text(reconciliation_caption(r), style="dim"))


def reconciliation_markdown(r: Reconciliation) -> str:
    rows = [[_cell_text(c) for c in row] for row in reconciliation_rows(r)]
    notes = "".join(w + "\n\n" for w in markdown.warnings(r.warnings))
    return (
        f"# {markdown.escape(r.source)}: every row accounted for\n\n"
        f"_{markdown.escape(reconciliation_caption(r))}_\n\n"
        + notes
        + markdown.table(RECONCILIATION_HEADER, rows)
        + "\n"
    )


def _cell_text(value: object) -> str:
    return "" if value is None else str(value)


def reconciliation_csv(r: Reconciliation) -> str:
    return machine.to_csv(RECONCILIATION_HEADER, reconciliation_rows(r))


def reconciliation_json(r: Reconciliation) -> str:
    return machine.dumps(
        {
            "source": r.source,
            "period": r.period.as_dict(),
            "as_of": r.as_of.isoformat(),
            "rows_read": r.records,
            "invalid": r.invalid,
            "invalid_lines": list(r.invalid_lines),
            "sent_before": r.before,
            "sent_after": r.after,
            "sent_within": {
                "rows": r.within_total,
                "by_kind": [
                    {
                        "organ": k.organ,
                        "kind": k.kind,
                        "executed_as_of": k.executed,
                        "executed_later": k.executed_later,
                        "pending": k.pending,
                        "rows": k.total,
                    }
                    for k in r.within
                ],
            },
            "accounted": r.accounted,
            "balanced": r.balanced,
            "warnings": list(r.warnings),
        }
    )


# --- documents (HTML, SVG): the same rows as the tables above -------------------------------


def validation_document(v: Validation, max_problems: int) -> Document:
    if v.profile is not None:
        title = f"{v.source}: no problems in {_plural(v.profile.rows, 'row')}"
        order = {"day": "day-first", "month": "month-first"}.get(v.profile.date_order or "")
        profile = Grid(
            caption="The log at a glance",
            header=("", "rows"),
            rows=tuple(profile_rows(v)),
            figures=(False, True),
            show_header=False,
            compact=True,
        )
        return Document(
            title,
            f"Numeric dates read {order}." if order else "Every row is valid.",
            (profile,),
            tuple(v.profile.warnings),
        )
    listed, left = shown_groups(v.problems, v.total, max_problems)  # alike ones as one row
    rows = f" in {v.invalid_rows} of {_plural(v.records, 'row')}" if v.records else ""
    title = f"{v.source}: {_plural(v.total, 'problem')}{rows}"
    notes = [f"{v.total - left} of {v.total} problems shown."] if left > 0 else []
    if len(v.by_code()) > 1:
        notes.append("By code: " + ", ".join(f"{code} {n}" for code, n in v.by_code()) + ".")
    problems = Grid(
        caption="Every problem, with its line, column and value",
        header=PROBLEM_HEADER,
        rows=tuple(tuple(_cell_text(c) for c in _group_cells(g)) for g in listed),
        figures=(False, False, False, False, False, False),
        row_header=None,
    )
    return Document(title, " ".join(notes) or "Fix each row and run validate again.",
                    (problems,))


def explanation_document(e: Explanation, decimals: int) -> Document:
    cells = [[_cell_text(c) for c in _listed_cells(e, row, "yes", "no")] for row in e.rows]
    header = _listed_header(e)
    numbers = {"line", "days"}
    listed = Grid(
        caption=f"The requests behind {e.metric.id} ({e.metric.label})",
        header=header,
        rows=tuple(tuple(row) for row in cells),
        figures=tuple(name in numbers for name in header),
        row_header=None,
    )
    lines = explanation_caption(e, decimals).split("\n")
    return Document(
        f"{e.metric.id}: the requests behind the figure",
        lines[0],
        (*(Paragraph(line) for line in lines[1:]), listed),
        tuple(e.warnings),
    )


def reconciliation_grid(r: Reconciliation) -> Grid:
    blank = ""
    rows: list[tuple[str, ...]] = [
        (label, blank, blank, blank, str(count))
        for label, count in (
            ("Rows read", r.records),
            ("Invalid (left out)", r.invalid),
            ("Sent before the period", r.before),
            ("Sent after the period", r.after),
        )
    ]
    rows.append(
        ("Sent within the period", str(sum(k.executed for k in r.within)),
         str(sum(k.executed_later for k in r.within)), str(sum(k.pending for k in r.within)),
         str(r.within_total))
    )  # fmt: skip
    rows += [
        (f"within: {k.organ} {k.kind}", str(k.executed), str(k.executed_later), str(k.pending),
         str(k.total))
        for k in r.within
    ]  # fmt: skip
    rows.append(("Accounted for", blank, blank, blank, str(r.accounted)))
    note = balance_text(r) + invalid_lines_text(r)
    return Grid(
        caption=f"Every row of {r.source} accounted for",
        header=("Rows of the log", f"executed as of {fmt.day(r.as_of)}", "executed later",
                "pending", "rows"),
        rows=tuple(rows),
        figures=(False, True, True, True, True),
        note=note,
    )  # fmt: skip


def reconciliation_document(r: Reconciliation) -> Document:
    parts: list[Part] = [reconciliation_grid(r)]
    return Document(
        f"{r.source}: every row accounted for",
        reconciliation_caption(r),
        tuple(parts),
        tuple(r.warnings),
    )
