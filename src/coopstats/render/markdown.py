"""Markdown for documents: the report's tables, a heading per section."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from coopstats.render.layout import Section


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = [
        "| " + " | ".join(escape(h) for h in header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(escape(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def sections_markdown(title: str, caption: str, sections: Sequence[Section]) -> str:
    parts = [f"# {escape(title)}", f"_{escape(caption)}_"]
    for section in sections:
        parts.append(f"## {escape(section.title)}")
        for block in section.blocks:
            parts.append(f"### {escape(block.title)}")
            parts.append(table(("Indicator", "Value"), block.rows))
    return "\n\n".join(parts) + "\n"
