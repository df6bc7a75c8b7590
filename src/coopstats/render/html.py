"""A document as one self-contained HTML page (SPEC §9): real tables, the warnings, print CSS.

Nothing in the page refers to anything outside it: system fonts, no script, no link, no image
that is not inline SVG. Tables are `<table>`s with a `<caption>`, a `<thead>` and `<th scope>`
cells, so that a word processor pasted into keeps their rows and columns. Every value is
escaped. Same document, same bytes.
"""

from __future__ import annotations

import re
from html import escape

from coopstats.render.document import (
    Document,
    Grid,
    Heading,
    Multiples,
    Paragraph,
    Part,
    Picture,
)

CSS = """\
:root { color-scheme: light; }
body {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Liberation Sans", sans-serif;
  font-size: 11pt; line-height: 1.4; color: #111; background: #fff;
  max-width: 62rem; margin: 1.5rem auto; padding: 0 1rem;
}
h1 { font-size: 1.45em; margin: 0 0 .3em; }
h2 { font-size: 1.2em; margin: 1.6em 0 .4em; border-bottom: 1px solid #999; }
h3 { font-size: 1.05em; margin: 1.2em 0 .3em; }
p.caption, p.note { color: #444; font-size: .92em; }
section.warnings, p.warning {
  border: 1px solid #b58900; border-left-width: 6px; background: #fdf6e3;
  padding: .4em 1em; margin: 1em 0;
}
section.warnings h2 { border: 0; margin: .2em 0; font-size: 1.05em; }
section.warnings ul { margin: .2em 0 .4em; padding-left: 1.2em; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1.4em; }
table.compact { width: auto; min-width: 22em; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: .3em 0; }
th, td {
  text-align: left; vertical-align: top; padding: .22em .5em;
  border-bottom: 1px solid #d0d0d0; overflow-wrap: break-word; word-wrap: break-word;
}
thead th { border-bottom: 2px solid #555; font-weight: 600; }
tbody th { font-weight: normal; }
th.num, td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
thead th.num { white-space: normal; }
td.id { white-space: nowrap; }
tr.total th, tr.total td { font-weight: 600; border-top: 1px solid #555; }
figure.chart { margin: .6em 0 1.2em; }
figure.chart figcaption { color: #444; font-size: .85em; max-width: 30em; }
div.multiples { display: flex; flex-wrap: wrap; gap: .6em 1.2em; align-items: flex-start; }
div.multiples figure { margin: 0; flex: 0 1 calc(50% - .6em); }
div.multiples figure.wide { flex-basis: 100%; }
div.multiples svg { width: 100%; height: auto; }
svg { max-width: 100%; height: auto; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9.5pt; }
  table { width: 100%; }
  table.compact { width: auto; }
  tr, figure, section.warnings { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  h1, h2, h3, caption { break-after: avoid; page-break-after: avoid; }
}
"""


WIDTH = re.compile(r'<svg[^>]* width="([\d.]+)"')
WIDE = 520  # px: a chart wider than this gets a row of its own, not half of one


def text(value: object) -> str:
    """A value from the user's file or our own words, safe inside an element or attribute."""
    return escape("" if value is None else str(value), quote=True)


def _cell(grid: Grid, column: int, value: str, head: bool) -> str:
    classes = "num" if grid.is_figure(column, value) else ""
    if not classes and grid.header[column] in ("id", "request id"):
        classes = "id"
    attribute = f' class="{classes}"' if classes else ""
    if head:
        return f'<th scope="row"{attribute}>{text(value)}</th>'
    return f"<td{attribute}>{text(value)}</td>"


def table(grid: Grid) -> str:
    opening = '<table class="compact">' if grid.compact else "<table>"
    lines = [opening, f"<caption>{text(grid.caption)}</caption>"]
    if grid.show_header:
        cells = []
        for i, name in enumerate(grid.header):
            figure = grid.figures[i] if grid.figures is not None else False
            attribute = ' class="num"' if figure else ""
            cells.append(f'<th scope="col"{attribute}>{text(name)}</th>')
        lines.append("<thead><tr>" + "".join(cells) + "</tr></thead>")
    lines.append("<tbody>")
    head = grid.row_header
    for row in grid.rows:
        cells = [_cell(grid, i, value, i == head) for i, value in enumerate(row)]
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</tbody>")
    lines.append("</table>")
    out = "\n".join(lines)
    if grid.note:
        out += f'\n<p class="note">{text(grid.note)}</p>'
    return out


def warnings(messages: tuple[str, ...]) -> str:
    if not messages:
        return ""
    items = "\n".join(f"<li>{text(m)}</li>" for m in messages)
    return (
        '<section class="warnings" role="note" aria-label="Warnings">\n'
        f"<h2>Warning{'s' if len(messages) > 1 else ''}</h2>\n<ul>\n{items}\n</ul>\n</section>"
    )


def part(item: Part) -> str:
    if isinstance(item, Heading):
        level = min(max(item.level, 1), 6)
        return f"<h{level}>{text(item.text)}</h{level}>"
    if isinstance(item, Paragraph):
        return f'<p class="{text(item.kind)}">{text(item.text)}</p>'
    if isinstance(item, Grid):
        return table(item)
    if isinstance(item, Picture):
        found = WIDTH.search(item.svg)
        wide = " wide" if found and float(found.group(1)) > WIDE else ""
        return (
            f'<figure class="chart{wide}">\n{item.svg}\n'
            f"<figcaption>{text(item.caption)}</figcaption>\n</figure>"
        )
    assert isinstance(item, Multiples)
    inner = "\n".join(part(p) for p in item.pictures)
    return f'<div class="multiples">\n{inner}\n</div>'


def body(document: Document) -> str:
    pieces = [
        f"<h1>{text(document.title)}</h1>",
        f'<p class="caption">{text(document.caption)}</p>',
    ]
    if document.warnings:
        pieces.append(warnings(document.warnings))
    pieces += [part(p) for p in document.parts]
    return "\n".join(pieces)


def page(document: Document) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{text(document.title)}</title>\n"
        f"<style>\n{CSS}</style>\n</head>\n<body>\n{body(document)}\n</body>\n</html>\n"
    )
