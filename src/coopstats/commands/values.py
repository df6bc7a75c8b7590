"""`coopstats values` and `coopstats init`: what an export's columns hold, and a config file
that maps them onto the SPEC's names (SPEC §8)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from coopstats.commands import Reading, Views, reads_logs, settle, write_output
from coopstats.errors import UsageError
from coopstats.options import Force, Format, FormatOpt, InitOutput, Log, MaxValues

if TYPE_CHECKING:
    from rich.console import RenderableType

    from coopstats.exports import ColumnSurvey, Survey, Word
    from coopstats.render.document import Document


def register(app: typer.Typer) -> None:
    """Add `values` and `init` to the app."""
    app.command()(values)
    app.command()(init)


@reads_logs
def values(
    log: Log,
    fmt: FormatOpt = Format.table,
    max_values: MaxValues = 20,
    *,
    read: Reading,
) -> None:
    """List what each column of an export holds, before anything is mapped.

    For each column the SPEC reads (found by its name, by \\[columns] / --column, or guessed from
    the usual names of exports): its distinct words with their counts, whether each is
    understood (a SPEC word, or mapped in \\[values.*] of coopstats.toml) and the closest SPEC
    word for the rest; for date columns, how many cells read as dates and those that do not;
    for the other columns (the candidates for --by), their most frequent values.

    \b
    Examples:
      coopstats values export.xlsx
      coopstats values export.csv --format json | jq '.columns[] | .header, .distinct'
      coopstats values export.csv --config coopstats.toml
    """
    from coopstats.exports import survey_log

    s = settle(read, log, fmt=fmt)
    with s.source() as source:
        found = survey_log(source, s.read, max_values)
    s.emit(
        Views(
            table=lambda: survey_table(found),
            json=lambda: survey_json(found),
            csv=lambda: survey_csv(found),
            markdown=lambda: survey_markdown(found),
            document=lambda: survey_document(found),
        )
    )


@reads_logs
def init(
    log: Log,
    output: InitOutput = None,
    force: Force = False,
    *,
    read: Reading,
) -> None:
    """Print a coopstats.toml for an export: its columns and words mapped onto the SPEC's.

    \\[columns] is guessed from the export's headers (e.g. "Date of transmission" is sent),
    \\[values.*] from its words (e.g. "Request for Assistance" is RFA, "Pending" an empty
    outcome), \\[defaults] from its dates (dayfirst when a date such as 25/12/2023 proves it).
    Every guess is marked '# review:'; words it cannot place are listed as comments. The
    \\[columns] and \\[values] of a coopstats.toml in use are not read: the mapping is made from
    the export alone.

    \b
    Examples:
      coopstats init export.xlsx > coopstats.toml
      coopstats init export.xlsx -o coopstats.toml
      coopstats init export.csv --encoding cp1252 --dayfirst
    """
    import shlex

    from coopstats.exports import config_text, survey_log

    s = settle(read, log)
    # Only what this command line says: an existing config is for another export, maybe.
    columns: dict[str, str] = {}
    for item in read.column or ():
        canonical, _, header = item.partition("=")
        columns[canonical.strip().lower()] = header.strip()
    options = s.read._replace(columns=columns, values={})
    if output is not None and os.fspath(output) != "-":  # checked against the inputs by settle
        refuse_existing(output, force)
    with s.source() as source:
        found = survey_log(source, options)
    sheet = options.sheet
    if sheet is None and found.sheet_rows == "row" and _no_log(found):
        sheet, found = _sheet_with_a_log(log, options, found)
    write_output(output, config_text(found, shlex.quote(log), _given(options, sheet)))


def _no_log(found: Survey) -> bool:
    """Whether a survey found none of the columns a log's header must name (a summary sheet)."""
    from coopstats.read.header import HEADER_COLUMNS

    return all(name in found.missing for name in HEADER_COLUMNS)


def _sheet_with_a_log(log: str, options: Any, first: Survey) -> tuple[str | None, Survey]:
    """The workbook's first other sheet whose header a log's is, surveyed, with a note naming
    it; the first sheet as it was when none is."""
    from coopstats import feedback
    from coopstats.exports import survey_log
    from coopstats.read import Source

    names = _sheet_names(log)
    for name in names[1:]:
        with Source(log) as source:
            try:
                found = survey_log(source, options._replace(sheet=name))
            except Exception:  # noqa: BLE001 - a sheet that cannot be read is passed over
                continue
        if not _no_log(found):
            feedback.note(
                f"{first.source}: no header of a log on the first sheet; init read the sheet "
                f"{name!r}, and writes sheet = {name!r} under [defaults]"
            )
            return name, found
    if len(names) > 1:
        feedback.note(
            f"{first.source}: no header of a log on the first sheet; the other sheets are "
            + ", ".join(repr(n) for n in names[1:]) + ": pass --sheet NAME"
        )
    return None, first


def _sheet_names(log: str) -> list[str]:
    try:
        import python_calamine

        return list(python_calamine.CalamineWorkbook.from_path(log).sheet_names)
    except Exception:  # noqa: BLE001 - not a workbook calamine reads: no sheets to offer
        return []


def _given(options: Any, sheet: str | None) -> dict[str, object]:
    """The reading options init was given (or found a sheet by), for its [defaults]."""
    given: dict[str, object] = {}
    if options.encoding is not None:
        given["encoding"] = options.encoding
    if options.delimiter is not None:
        given["delimiter"] = options.delimiter
    if sheet is not None:
        given["sheet"] = sheet
    if options.date_order is not None:
        given["dayfirst" if options.date_order == "day" else "monthfirst"] = True
    if options.header_row is not None:
        given["header-row"] = options.header_row
    return given


def refuse_existing(target: Path, force: bool) -> None:
    """An existing config (a user's edits, maybe) is never replaced without --force."""
    if not force and (target.exists() or target.is_symlink()):
        raise UsageError(
            f"--output {target}: the file exists; pass --force to replace it, or leave out "
            "--output to print the config"
        )


# --- rendering -------------------------------------------------------------------------------


def _status(column: ColumnSurvey, word: Word) -> str:
    if column.role == "extra":
        return ""
    return "yes" if word.understood else "no"


def _means(word: Word) -> str:
    if word.understood:
        if word.means is None:
            return ""
        return "(empty)" if word.means == "" else word.means
    if word.closest is None:
        return ""
    closest = "(empty)" if word.closest == "" else word.closest
    return f"{closest}? ({word.how})"


def _blank_understood(column: ColumnSurvey) -> bool:
    return column.canonical not in ("organ", "kind")


def _title(column: ColumnSurvey) -> str:
    header = column.header or f"(column {column.position + 1}, no title)"
    if column.canonical is None:
        return f"{header}: an extra column"
    if column.found_by == "its name":
        return f"{header}"
    return f"{header} → {column.canonical} ({column.found_by})"


def date_summary(column: ColumnSurvey) -> str:
    d = column.dates
    assert d is not None
    parts = [f"{d.parsed:,} of {column.cells:,} cells read as dates"]
    if d.order is not None and d.proof is not None:
        parts.append(f"numeric dates {d.order}-first ({d.proof} proves it)")
    if d.open_order:
        parts.append(
            f"{d.open_order:,} numeric dates whose day/month order nothing proves "
            "(--dayfirst or --monthfirst)"
        )
    if d.no_date:
        parts.append(f"{d.no_date:,} mapped onto an empty cell")
    if d.failed:
        shown = ", ".join(f"{text!r} ({n:,})" for text, n in d.examples[:5])
        if len(d.examples) > 5:
            shown += ", …"
        parts.append(f"{d.failed:,} not dates: {shown}")
    if column.blank:
        parts.append(f"{column.blank:,} blank")
    return "; ".join(parts)


def _caption(found: Survey) -> str:
    where = f"header on {found.sheet_rows} {found.header_line}"
    missing = f"; no column found for {', '.join(found.missing)}" if found.missing else ""
    return f"{found.source}: {found.rows:,} rows, {where}{missing}"


def survey_table(found: Survey) -> RenderableType:
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from coopstats.render.inspect import shown

    parts: list[RenderableType] = [Text(_caption(found), style="bold")]
    for column in found.columns:
        title = _title(column)
        if column.role in ("id", "date") or column.free_text:
            if column.free_text:
                detail = f"more than {column.distinct:,} distinct values (free text?)"
            elif column.role == "id":
                detail = f"{column.cells:,} ids, {column.blank:,} blank"
            else:
                detail = date_summary(column)
            parts.append(Text(f"\n{shown(title, 200)}: {shown(detail, 10**6)}"))
            continue
        table = Table(
            title=shown(title, 200), title_justify="left", title_style="bold", box=box.SIMPLE,
        )
        table.add_column("value", overflow="fold")
        table.add_column("rows", justify="right", no_wrap=True)
        if column.role == "vocabulary":
            table.add_column("understood", no_wrap=True)
            table.add_column("SPEC word", overflow="fold")
        for word in column.words:
            cells: list[Any] = [Text(shown(word.value)), f"{word.rows:,}"]
            if column.role == "vocabulary":
                cells += [_status(column, word), Text(_means(word))]
            table.add_row(*cells)
        if column.blank:
            blank: list[Any] = [Text("(blank)", style="dim"), f"{column.blank:,}"]
            if column.role == "vocabulary":
                blank += ["yes" if _blank_understood(column) else "no", ""]
            table.add_row(*blank)
        if column.more_values:
            more: list[Any] = [f"and {column.more_values:,} more values", f"{column.more_rows:,}"]
            table.add_row(*more)
        parts.append(table)
    return Group(*parts)


def _word_dict(word: Word) -> dict[str, object]:
    return {
        "value": word.value,
        "count": word.rows,
        "understood": word.understood,
        "means": word.means,
        "how": word.how or None,
        "closest": word.closest,
    }


def survey_json(found: Survey) -> str:
    import json

    columns = []
    for c in found.columns:
        d = c.dates
        columns.append(
            {
                "header": c.header,
                "position": c.position + 1,
                "canonical": c.canonical,
                "found_by": c.found_by or None,
                "role": c.role,
                "cells": c.cells,
                "blank": c.blank,
                "distinct": c.distinct,
                "free_text": c.free_text,
                "values": [_word_dict(w) for w in c.words],
                "more_values": c.more_values,
                "more_rows": c.more_rows,
                "dates": None if d is None else {
                    "parsed": d.parsed,
                    "mapped_empty": d.no_date,
                    "not_dates": d.failed,
                    "examples": [{"value": t, "count": n} for t, n in d.examples],
                    "order": d.order,
                    "proof": d.proof,
                    "order_open": d.open_order,
                },
            }
        )
    document = {
        "source": found.source,
        "header_line": found.header_line,
        "rows": found.rows,
        "missing": list(found.missing),
        "columns": columns,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


SURVEY_HEADER = ("column", "canonical", "role", "value", "count", "understood", "spec_word",
                 "closest")  # fmt: skip


def _csv_rows(found: Survey) -> list[list[object]]:
    rows: list[list[object]] = []
    for c in found.columns:
        base: list[object] = [c.header, c.canonical, c.role]
        for w in c.words:
            understood = w.understood if c.role == "vocabulary" else None
            rows.append([*base, w.value, w.rows, understood, w.means, w.closest])
        if c.role == "vocabulary" and c.blank:
            rows.append([*base, "", c.blank, _blank_understood(c), None, None])
        if c.more_values:
            rows.append([*base, f"({c.more_values} more values)", c.more_rows, None, None, None])
        if c.dates is not None:
            rows.append([*base, "(dates)", c.dates.parsed, True, None, None])
            rows += [[*base, text, n, False, None, None] for text, n in c.dates.examples]
    return rows


def survey_csv(found: Survey) -> str:
    from coopstats.render.machine import to_csv

    def cell(value: object) -> object:
        return "" if value is None else str(value).lower() if isinstance(value, bool) else value

    return to_csv(SURVEY_HEADER, ([cell(v) for v in row] for row in _csv_rows(found)))


def survey_document(found: Survey) -> Document:
    """The survey as a document (HTML page, SVG picture): a table per column."""
    from coopstats.render.document import Document, Grid, Paragraph, Part

    parts: list[Part] = []
    for c in found.columns:
        title = _title(c)
        if c.role in ("id", "date") or c.free_text:
            if c.free_text:
                detail = f"more than {c.distinct:,} distinct values (free text?)"
            elif c.role == "id":
                detail = f"{c.cells:,} ids, {c.blank:,} blank"
            else:
                detail = date_summary(c)
            parts.append(Paragraph(f"{title}: {detail}"))
            continue
        vocabulary = c.role == "vocabulary"
        header = ("value", "rows", "understood", "SPEC word") if vocabulary else ("value", "rows")
        rows: list[tuple[str, ...]] = []
        for w in c.words:
            cells = (w.value, f"{w.rows:,}")
            rows.append((*cells, _status(c, w), _means(w)) if vocabulary else cells)
        if c.blank:
            blank = ("(blank)", f"{c.blank:,}")
            rows.append((*blank, "yes" if _blank_understood(c) else "no", "") if vocabulary
                        else blank)  # fmt: skip
        if c.more_values:
            rows.append((f"and {c.more_values:,} more values", f"{c.more_rows:,}"))
        figures = (False, True, False, False) if vocabulary else (False, True)
        parts.append(Grid(title, header, tuple(rows), figures=figures, row_header=0,
                          compact=True))  # fmt: skip
    return Document(f"{found.source}: the values of each column", _caption(found), tuple(parts))


def survey_markdown(found: Survey) -> str:
    from coopstats.render import markdown

    rows = [["" if v is None else str(v) for v in row] for row in _csv_rows(found)]
    return f"# {markdown.escape(_caption(found))}\n\n" + markdown.table(SURVEY_HEADER, rows) + "\n"
