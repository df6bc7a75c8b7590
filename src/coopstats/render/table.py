"""Rich tables for people: the report's two-column layout, and the width every table is drawn at.

No table ever loses a value (SPEC §9). Figure and id columns never wrap; word columns wrap
between words, never inside one. On a terminal a table fits the terminal's width when it can,
and is drawn as wide as its longest figures and words when it cannot (the terminal then wraps
the lines, nothing is cut); piped or redirected it is as wide as it needs, with no trailing
blanks. COLUMNS=N asks for N columns either way.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from coopstats.render.layout import Section

HUGE = 10_000  # wide enough to measure a table's natural width


def sections_table(title: str, caption: str, sections: Sequence[Section]) -> RenderableType:
    parts: list[RenderableType] = [Text(title, style="bold")]
    for section in sections:
        parts.append(Text(""))
        parts.append(Text(section.title, style="bold cyan"))
        for block in section.blocks:
            table = Table(
                title=block.title,
                title_justify="left",
                title_style="italic",
                box=box.SIMPLE_HEAVY,
                show_header=False,
                expand=True,
            )
            table.add_column("Indicator", ratio=3)
            table.add_column("Value", ratio=2, style="bold")
            for label, value in block.rows:
                table.add_row(label, value)
            parts.append(table)
    parts.append(Text(caption, style="dim"))
    return Group(*parts)


# --- the width of the output ----------------------------------------------------------------


def _tables(renderable: object) -> Iterator[Table]:
    if isinstance(renderable, Table):
        yield renderable
    elif isinstance(renderable, Group):
        for part in renderable.renderables:
            yield from _tables(part)


def _parts(renderable: object) -> Iterator[object]:
    if isinstance(renderable, Group):
        for part in renderable.renderables:
            yield from _parts(part)
    else:
        yield renderable


def keep_every_value(renderable: RenderableType, console: Console) -> None:
    """Give each column of every table a minimum width that holds its values whole.

    A column that does not wrap (figures, ids, dates, sparklines) is at least as wide as its
    widest cell; any other column at least as wide as its longest word. Rich never narrows a
    column below its minimum, and a ratio column (which Rich sizes by its ratio alone) is
    turned into an ordinary one when the table would otherwise cut one of its words.
    """
    options = console.options.update_width(HUGE)
    for table in _tables(renderable):
        for column in table.columns:
            cells = [column.header, *column.cells]
            sizes = [Measurement.get(console, options, cell) for cell in cells]
            need = max(s.maximum if column.no_wrap else s.minimum for s in sizes)
            column.min_width = max(column.min_width or 0, need)


def widths(renderable: RenderableType, console: Console) -> tuple[int, int]:
    """(the narrowest width that keeps every value, the width at which nothing wraps).

    Paragraphs (titles, captions, notes) wrap at any width, so only their longest word counts.
    """
    options = console.options.update_width(HUGE)
    narrowest, natural = 1, 1
    for part in _parts(renderable):
        size = Measurement.get(console, options, part)  # type: ignore[arg-type]
        narrowest = max(narrowest, size.minimum)
        natural = max(natural, size.maximum if isinstance(part, Table) else size.minimum)
    return narrowest, natural


def _ratio_cuts_a_word(table: Table, width: int, console: Console) -> bool:
    """Whether Rich, sharing `width` among ratio columns by their ratios alone, would give a
    column less than its minimum (and so cut a word)."""
    if not table.expand or not any(c.ratio for c in table.columns):
        return False
    extra = table._extra_width
    given = table._calculate_column_widths(console, console.options.update_width(width - extra))
    return any(
        size < (column.min_width or 0) + table._get_padding_width(column._index)
        for size, column in zip(given, table.columns, strict=True)
    )


def _capped(room: int, lows: list[int], highs: list[int]) -> list[int]:
    """Widths between `lows` and `highs` that add up to `room` (when the lows leave room), the
    widest cut first: every column narrower than some cap keeps its width, the others get the
    cap, and what is left over goes one column each, from the left."""
    def total(cap: int) -> int:
        return sum(max(low, min(high, cap)) for low, high in zip(lows, highs, strict=True))

    cap, top = 0, max(highs, default=0)
    while cap < top:  # the largest cap whose widths fit
        middle = (cap + top + 1) // 2
        if total(middle) <= room:
            cap = middle
        else:
            top = middle - 1
    widths = [max(low, min(high, cap)) for low, high in zip(lows, highs, strict=True)]
    spare = room - sum(widths)
    for i, (width, high) in enumerate(zip(widths, highs, strict=True)):
        if spare > 0 and width < high:
            widths[i] += 1
            spare -= 1
    return widths


def fit(table: Table, width: int, console: Console) -> None:
    """Lay out `table` in `width` columns without cutting a value.

    Rich shrinks the widest columns first and, when that is not enough, every column evenly,
    below the minimum of some; a ratio column it sizes by its ratio alone. So when the table
    must wrap, the widths are set here the way Rich would set them, but never below a column's
    minimum: the widest columns are cut first, down to the next widest, and no further than
    their longest word. A table that fits, or whose ratios cut no word, is left to Rich.
    """
    options = console.options.update_width(HUGE)
    sizes = [table._measure_column(console, options, column) for column in table.columns]
    extra = table._extra_width
    ratios = table.expand and any(c.ratio for c in table.columns)
    if ratios and not _ratio_cuts_a_word(table, width, console):
        return
    if not ratios and sum(s.maximum for s in sizes) + extra <= width:
        return
    lows = [s.minimum for s in sizes]
    highs = [s.minimum if c.no_wrap else s.maximum for c, s in zip(table.columns, sizes,
                                                                     strict=True)]
    for column, size in zip(table.columns, _capped(width - extra, lows, highs), strict=True):
        column.width = size - table._get_padding_width(column._index)
        column.ratio = None


def screen_text(renderable: RenderableType, width: int | None = None) -> str:
    """The renderable as standard output shows it, every value whole.

    `width` is the width asked for (COLUMNS); without it, the terminal's width, and piped or
    redirected, the table's natural width. A table never gets less than it needs to keep its
    values whole. Without colour, trailing blanks are removed, so the bytes do not depend on
    how wide a line was padded.
    """
    # It sees standard output: a terminal or not, its colours. Titles name the user's files:
    # no markup or emoji codes are read in them (`OTP:x:[bold]log.csv` is printed as typed).
    console = Console(highlight=False, markup=False, emoji=False)
    chosen = width or (console.width if console.is_terminal else None)
    return render_text(renderable, console, chosen)


def render_text(renderable: RenderableType, console: Console, width: int | None) -> str:
    """Draw `renderable` on `console` at `width` (None: its natural width), values whole."""
    keep_every_value(renderable, console)
    narrowest, natural = widths(renderable, console)
    console.width = max(width or natural, narrowest)
    for table in _tables(renderable):
        fit(table, console.width, console)
    console.begin_capture()
    console.print(renderable)
    # Quiet before the capture ends: Rich would otherwise flush standard output itself, and a
    # failed write there (a full disk) would not reach the caller's message.
    console.quiet = True
    text = console.end_capture()
    if console.color_system is None:
        text = "\n".join(line.rstrip(" ") for line in text.split("\n"))
    return text


def plain_text(renderable: Any, width: int | None = None) -> str:
    """The renderable without colour, as a file holds it: at `width`, else as wide as it needs."""
    from io import StringIO

    console = Console(
        highlight=False, markup=False, emoji=False, color_system=None, file=StringIO(),
        force_terminal=False, legacy_windows=False,
    )  # fmt: skip
    return render_text(renderable, console, width)
