"""Pictures drawn by hand in SVG: a document's tables, and the report's charts.

No plotting library and nothing external: system fonts named in the picture itself, no
@font-face, no link, no image. Text is laid out with the widths of Arial's glyphs (Helvetica
and Liberation Sans share them), with a margin for a wider fallback font; every coordinate is
written with fixed decimals, so the same input gives the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from coopstats.render.document import Document, Grid, Heading, Multiples, Paragraph, Picture

FONT = "Arial, Helvetica, &quot;Liberation Sans&quot;, &quot;DejaVu Sans&quot;, sans-serif"
INK, GREY, RULE, LIGHT = "#111111", "#555555", "#999999", "#dddddd"
BAR, OTHER = "#2f5f8f", "#b06a2c"  # executed, pending
WARN_FILL, WARN_EDGE = "#fdf6e3", "#b58900"

# Advance widths of Arial in 1/1000 em, by character class; anything else counts as wide.
_NARROW = set("iljtfrI.,;:!|'`()[]/ ")
_DIGITS = set("0123456789$#_-+=<>~^*")
_WIDE = set("mwMW@%")


def text_width(text: str, size: float) -> float:
    """The width of `text` at `size` px, a little more than Arial's, never less."""
    total = 0
    for char in text:
        if char in _NARROW:
            total += 300
        elif char in _DIGITS or char.islower():
            total += 560
        elif char in _WIDE:
            total += 890
        elif char.isupper():
            total += 700
        else:
            total += 640
    return total / 1000 * size * 1.08


def wrap(text: str, width: float, size: float) -> list[str]:
    """Greedy word wrap at `width` px; a word longer than the line stays whole on its own."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and text_width(candidate, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line or not lines:
        lines.append(line)
    return lines


def n(value: float) -> str:
    """A coordinate with one decimal, no trailing zero: deterministic and short."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def t(value: object) -> str:
    return escape(str(value), quote=True)


def label(x: float, y: float, text: str, size: float = 12, anchor: str = "start",
          weight: str = "normal", fill: str = INK) -> str:  # fmt: skip
    extra = f' text-anchor="{anchor}"' if anchor != "start" else ""
    extra += ' font-weight="bold"' if weight == "bold" else ""
    extra += f' fill="{fill}"' if fill != INK else ""
    return f'<text x="{n(x)}" y="{n(y)}" font-size="{n(size)}"{extra}>{t(text)}</text>'


SVG_NAMESPACE = "http://www.w3.org/2000/svg"  # a name, never fetched; needed in an .svg file


def svg_open(width: float, height: float, title: str, standalone: bool = False) -> str:
    """The opening tag; inline in HTML the namespace goes without saying, so the page holds no
    address at all."""
    namespace = f' xmlns="{SVG_NAMESPACE}"' if standalone else ""
    return (
        f'<svg{namespace} width="{n(width)}" height="{n(height)}" '
        f'viewBox="0 0 {n(width)} {n(height)}" role="img" font-family="{FONT}">'
        f"<title>{t(title)}</title>"
    )


# --- the picture of a document's tables ----------------------------------------------------

SIZE = 13  # px, body text
LINE = 17  # px between lines
PAD = 8  # px each side of a cell
WORDS_MAX = 430  # px: the widest a column of words gets before it wraps


class _Canvas:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.y = 0.0
        self.width = 0.0

    def paragraph(self, text: str, width: float, size: float = SIZE, weight: str = "normal",
                  fill: str = INK, x: float = 0) -> None:  # fmt: skip
        for line in wrap(text, width, size):
            self.y += size * 1.3
            self.items.append(label(x, self.y, line, size, weight=weight, fill=fill))
        self.width = max(self.width, width + x)


def _column_widths(grid: Grid) -> list[float]:
    widths = []
    for i, name in enumerate(grid.header):
        cells = [name if grid.show_header else "", *(row[i] for row in grid.rows)]
        natural = max(text_width(c, SIZE) for c in cells)
        figure = grid.figures[i] if grid.figures is not None else False
        if figure:
            widths.append(natural + 2 * PAD)
        else:
            longest_word = max((text_width(w, SIZE) for c in cells for w in c.split()), default=0)
            widths.append(max(min(natural, WORDS_MAX), longest_word) + 2 * PAD)
    return widths


def _grid(canvas: _Canvas, grid: Grid, page_width: float) -> None:
    widths = _column_widths(grid)
    total = sum(widths)
    canvas.y += 8
    canvas.paragraph(grid.caption, page_width, SIZE, weight="bold")
    canvas.y += 6
    rows: list[tuple[tuple[str, ...], bool]] = [(row, False) for row in grid.rows]
    if grid.show_header:
        rows.insert(0, (grid.header, True))
    for row, head in rows:
        cells = []
        for i, cell in enumerate(row):
            figure = not head and grid.is_figure(i, cell)
            lines = [cell] if figure else wrap(cell, widths[i] - 2 * PAD, SIZE)
            cells.append((lines, figure))
        height = max(len(lines) for lines, _ in cells) * LINE + 6
        x = 0.0
        for i, (lines, figure) in enumerate(cells):
            for k, line in enumerate(lines):
                y = canvas.y + (k + 1) * LINE - 1
                if figure or (head and grid.figures is not None and grid.figures[i]):
                    canvas.items.append(label(x + widths[i] - PAD, y, line, SIZE, "end",
                                              "bold" if head else "normal"))  # fmt: skip
                else:
                    canvas.items.append(label(x + PAD, y, line, SIZE,
                                              weight="bold" if head else "normal"))  # fmt: skip
            x += widths[i]
        canvas.y += height
        stroke = (INK, 1.5) if head else (LIGHT, 1)
        canvas.items.append(
            f'<line x1="0" y1="{n(canvas.y)}" x2="{n(total)}" y2="{n(canvas.y)}" '
            f'stroke="{stroke[0]}" stroke-width="{n(stroke[1])}"/>'
        )
    canvas.width = max(canvas.width, total)
    if grid.note:
        canvas.paragraph(grid.note, page_width, SIZE - 2, fill=GREY)
    canvas.y += 10


def _warnings(canvas: _Canvas, messages: Sequence[str], width: float) -> None:
    top = canvas.y + 6
    canvas.y = top + 4
    start = len(canvas.items)
    canvas.paragraph("Warning" + ("s" if len(messages) > 1 else ""), width - 24, SIZE,
                     weight="bold", x=12)  # fmt: skip
    for message in messages:
        canvas.paragraph(f"• {message}", width - 24, SIZE, x=12)
    canvas.y += 8
    box = (
        f'<rect x="0.5" y="{n(top)}" width="{n(width - 1)}" height="{n(canvas.y - top)}" '
        f'fill="{WARN_FILL}" stroke="{WARN_EDGE}"/>'
    )
    canvas.items.insert(start, box)
    canvas.y += 6


def document_picture(document: Document) -> str:
    """The document's title, caption, warnings and tables as one SVG picture, on white."""
    widths = [sum(_column_widths(p)) for p in document.parts if isinstance(p, Grid)]
    width = max([640.0, *widths])
    canvas = _Canvas()
    canvas.paragraph(document.title, width, 17, weight="bold")
    canvas.y += 4
    canvas.paragraph(document.caption, width, SIZE - 1, fill=GREY)
    canvas.y += 4
    if document.warnings:
        _warnings(canvas, document.warnings, width)
    for part in document.parts:
        if isinstance(part, Heading):
            canvas.y += 6
            canvas.paragraph(part.text, width, 15 if part.level <= 2 else SIZE + 1, "bold")
        elif isinstance(part, Paragraph):
            if part.kind == "warning":
                _warnings(canvas, [part.text], width)
            else:
                canvas.paragraph(part.text, width, SIZE - 1, fill=GREY)
        elif isinstance(part, Grid):
            _grid(canvas, part, width)
        elif isinstance(part, (Picture, Multiples)):
            continue  # charts belong to the HTML page
    margin = 16
    full_width, full_height = canvas.width + 2 * margin, canvas.y + 2 * margin
    return (
        svg_open(full_width, full_height, document.title, standalone=True)
        + '<rect width="100%" height="100%" fill="#ffffff"/>'
        + f'<g transform="translate({margin},{margin})">'
        + "".join(canvas.items)
        + "</g></svg>\n"
    )


# --- charts --------------------------------------------------------------------------------


def nice_ceiling(value: float) -> float:
    """The smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten) at
    least `value`: the top of an axis, with little room wasted above the highest bar."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * power >= value * (1 - 1e-12):
            return step * power
    return 10 * power


def bar_chart(
    title: str,
    labels: Sequence[tuple[str, str]],
    values: Sequence[float | None],
    texts: Sequence[str],
    unit: str = "",
) -> str:
    """Vertical bars from a zero baseline, one per period, each labelled with its value and
    its period (two lines: start, end); a missing value is written N/A at the baseline.
    Negative values hang below the baseline."""
    slot = 64.0
    left, right, top, bottom = 46.0, 8.0, 40.0, 36.0
    plot_w = slot * len(values)
    plot_h = 110.0
    width = left + plot_w + right
    height = top + plot_h + bottom
    present = [v for v in values if v is not None]
    high = nice_ceiling(max([v for v in present if v > 0], default=0))
    low = -nice_ceiling(-min(present)) if present and min(present) < 0 else 0.0
    if low and not any(v > 0 for v in present):
        high = 0.0
    span = high - low

    def y_of(v: float) -> float:
        return top + (high - v) / span * plot_h

    zero = y_of(0)
    items = [svg_open(width, height, title)]
    for line_no, line in enumerate(wrap(title, width - 8, 12)[:2]):
        items.append(label(4, 14 + line_no * 15, line, 12, weight="bold"))
    # the axis: zero, and the scale's ends
    items.append(f'<line x1="{n(left)}" y1="{n(top)}" x2="{n(left)}" y2="{n(top + plot_h)}" '
                 f'stroke="{RULE}"/>')  # fmt: skip
    for tick in sorted({low, 0.0, high}):
        y = y_of(tick)
        if tick == 0 or abs(y - zero) >= 12:  # a label too close to zero's would overwrite it
            items.append(label(left - 4, y + 3.5, _tick(tick) + unit, 10, "end", fill=GREY))
        if tick != 0:
            items.append(f'<line x1="{n(left)}" y1="{n(y)}" x2="{n(left + plot_w)}" y2="{n(y)}" '
                         f'stroke="{LIGHT}" stroke-dasharray="2 3"/>')  # fmt: skip
    for i, (value, text) in enumerate(zip(values, texts, strict=True)):
        x = left + i * slot
        centre = x + slot / 2
        if value is None:
            items.append(label(centre, zero - 4, "N/A", 10, "middle", fill=GREY))
        else:
            y = y_of(value)
            y0, y1 = min(y, zero), max(y, zero)
            items.append(f'<rect x="{n(x + 10)}" y="{n(y0)}" width="{n(slot - 20)}" '
                         f'height="{n(max(y1 - y0, 0.6))}" fill="{BAR}"/>')  # fmt: skip
            # above its bar, or above the baseline for a bar that hangs below it
            items.append(label(centre, (y0 if value >= 0 else zero) - 4, text, 10, "middle"))
        start, end = labels[i]
        items.append(label(centre, top + plot_h + 14, start, 9.5, "middle", fill=GREY))
        items.append(label(centre, top + plot_h + 26, end, 9.5, "middle", fill=GREY))
    items.append(f'<line x1="{n(left)}" y1="{n(zero)}" x2="{n(left + plot_w)}" y2="{n(zero)}" '
                 f'stroke="{INK}"/>')  # fmt: skip
    items.append("</svg>")
    return "".join(items)


def _tick(value: float) -> str:
    if value == int(value):
        return f"{int(value)}"
    return f"{value:g}"


def histogram_chart(
    title: str, bands: Sequence[str], counts: Sequence[int], pending: int, unit: str
) -> str:
    """Executed requests per band of days (each band named under its bar), then the pending
    requests in a bar of another colour on the same scale. The scale is set by the executed
    bands alone: a pending bar taller than it is cut, marked by a break, and labelled."""
    slot = 56.0
    left, right, top, bottom = 42.0, 10.0, 24.0, 42.0
    plot_w = slot * (len(bands) + 1) + 14
    plot_h = 120.0
    width, height = left + plot_w + right, top + plot_h + bottom
    high = nice_ceiling(max([*counts, 1]) if any(counts) else max(pending, 1))
    items = [svg_open(width, height, title)]

    def y_of(v: float) -> float:
        return top + (high - min(v, high)) / high * plot_h

    items.append(f'<line x1="{n(left)}" y1="{n(top)}" x2="{n(left)}" y2="{n(top + plot_h)}" '
                 f'stroke="{RULE}"/>')  # fmt: skip
    for tick in (0.0, high / 2, high):
        y = y_of(tick)
        items.append(label(left - 4, y + 3.5, _tick(tick), 10, "end", fill=GREY))
        if tick:
            items.append(f'<line x1="{n(left)}" y1="{n(y)}" x2="{n(left + plot_w)}" y2="{n(y)}" '
                         f'stroke="{LIGHT}" stroke-dasharray="2 3"/>')  # fmt: skip
    columns = [(b, c, BAR) for b, c in zip(bands, counts, strict=True)]
    columns.append(("pending", pending, OTHER))
    for i, (band, count, colour) in enumerate(columns):
        x = left + i * slot + (14 if colour == OTHER else 0)
        centre = x + slot / 2
        y = y_of(count)
        if count:
            items.append(f'<rect x="{n(x + 7)}" y="{n(y)}" width="{n(slot - 14)}" '
                         f'height="{n(top + plot_h - y)}" fill="{colour}"/>')  # fmt: skip
        if count > high:  # cut: a white break across the bar, the count above it
            mid = top + 14
            items.append(f'<path d="M{n(x + 4)},{n(mid + 4)} L{n(x + slot - 4)},{n(mid - 4)} '
                         f'M{n(x + 4)},{n(mid + 10)} L{n(x + slot - 4)},{n(mid + 2)}" '
                         f'stroke="#ffffff" stroke-width="3"/>')  # fmt: skip
        items.append(label(centre, y - 4, str(count), 10, "middle"))
        items.append(label(centre, top + plot_h + 14, band, 10, "middle", fill=GREY))
    items.append(label(left + slot * len(bands) / 2, top + plot_h + 32, f"{unit} to execute",
                       10, "middle", fill=GREY))  # fmt: skip
    items.append(label(4, 13, "requests", 10, fill=GREY))
    items.append(f'<line x1="{n(left)}" y1="{n(top + plot_h)}" x2="{n(left + plot_w)}" '
                 f'y2="{n(top + plot_h)}" stroke="{INK}"/>')  # fmt: skip
    items.append("</svg>")
    return "".join(items)


def survival_chart(title: str, steps: Sequence[tuple[int, float]], last_day: int,
                   unit: str) -> str:  # fmt: skip
    """The Kaplan–Meier curve: the share of requests still pending after each number of days,
    from 100% at day 0, as a step line to the last day observed; 50% is marked (the median)."""
    left, right, top, bottom = 40.0, 14.0, 22.0, 36.0
    plot_w, plot_h = 330.0, 110.0
    width, height = left + plot_w + right, top + plot_h + bottom
    x_max = nice_ceiling(max(last_day, 1))
    items = [svg_open(width, height, title)]

    def x_of(day: float) -> float:
        return left + day / x_max * plot_w

    def y_of(share: float) -> float:
        return top + (1 - share) * plot_h

    for share in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = y_of(share)
        items.append(label(left - 4, y + 3.5, f"{int(share * 100)}%", 10, "end", fill=GREY))
        dash = ' stroke-dasharray="4 3"' if share == 0.5 else ' stroke-dasharray="2 3"'
        colour = RULE if share == 0.5 else LIGHT
        if share:
            items.append(f'<line x1="{n(left)}" y1="{n(y)}" x2="{n(left + plot_w)}" '
                         f'y2="{n(y)}" stroke="{colour}"{dash}/>')  # fmt: skip
    for k in range(5):
        day = x_max * k / 4
        items.append(label(x_of(day), top + plot_h + 13, _tick(day), 10, "middle", fill=GREY))
    items.append(label(left + plot_w / 2, top + plot_h + 28, f"{unit} since sent", 10, "middle",
                       fill=GREY))  # fmt: skip
    items.append(label(4, 12, "share still pending", 10, fill=GREY))
    points = [(0.0, 1.0)]
    share = 1.0
    for day, after in steps:
        points.append((float(day), share))
        points.append((float(day), after))
        share = after
    points.append((float(last_day), share))
    path = " ".join(f"{n(x_of(d))},{n(y_of(s))}" for d, s in points)
    items.append(f'<polyline points="{path}" fill="none" stroke="{BAR}" stroke-width="2"/>')
    items.append(f'<line x1="{n(left)}" y1="{n(top)}" x2="{n(left)}" y2="{n(top + plot_h)}" '
                 f'stroke="{INK}"/>')  # fmt: skip
    items.append(f'<line x1="{n(left)}" y1="{n(top + plot_h)}" x2="{n(left + plot_w)}" '
                 f'y2="{n(top + plot_h)}" stroke="{INK}"/>')  # fmt: skip
    items.append("</svg>")
    return "".join(items)
