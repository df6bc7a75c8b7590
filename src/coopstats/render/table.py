"""Rich tables for people: the report's two-column layout, one table per organ and section."""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from coopstats.render.layout import Section


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
