"""A command's output as a document: headings, paragraphs, tables and pictures, with its warnings.

Each command builds one `Document` from the same rows its Rich and Markdown renderers draw
(render/layout.py, compare.py, times.py, inspect.py); render/html.py writes it as a page and
render/svg.py as a picture. Cells are plain text: each writer escapes them its own way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A cell that is a figure: 519, -4.64%, +41, 53.95 days, ▲ +2.50 pp, N/A, 3 + 4 − 2 = 5 ...
FIGURE = re.compile(
    r"[▲▼=]?\s*[+\-−]?\d[\d.,]*(%| pp| days| working days)?|N/A|not reached|none"
)


def is_figure(text: str) -> bool:
    return FIGURE.fullmatch(text.strip()) is not None


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2  # 1 is the document's title


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: str = "note"  # "note" (small print), "warning"


@dataclass(frozen=True)
class Grid:
    """A table: its caption in the report's words, column names, rows of text.

    `figures` says which columns hold figures (right-aligned, never wrapped); None decides
    cell by cell (a column of the report's phrases holds both). Column `row_header` names
    the row (a row header); None: no column does.
    """

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    figures: tuple[bool, ...] | None = None
    row_header: int | None = 0
    show_header: bool = True
    note: str | None = None
    compact: bool = False  # a short table: as wide as its cells, not the page

    def is_figure(self, column: int, text: str) -> bool:
        if self.figures is not None:
            return self.figures[column]
        return column != self.row_header and is_figure(text)


@dataclass(frozen=True)
class Picture:
    """An inline SVG chart (built by render/svg.py) and the words that say what it shows."""

    svg: str
    caption: str


@dataclass(frozen=True)
class Multiples:
    """Small charts side by side, one per figure, under one heading."""

    pictures: tuple[Picture, ...]


Part = Heading | Paragraph | Grid | Picture | Multiples


@dataclass(frozen=True)
class Document:
    title: str
    caption: str
    parts: tuple[Part, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)


def grid(
    caption: str,
    header: tuple[str, ...],
    rows: list[tuple[str, ...]] | list[tuple[str, str]] | list[list[str]],
    **options: object,
) -> Grid:
    return Grid(caption, header, tuple(tuple(r) for r in rows), **options)  # type: ignore[arg-type]
