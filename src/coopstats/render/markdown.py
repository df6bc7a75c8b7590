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


def warnings(messages: Sequence[str]) -> list[str]:
    """Each warning as a quoted paragraph, so that it travels with the tables."""
    return [f"> **Warning:** {escape(message)}" for message in messages]


def sections_markdown(
    title: str, caption: str, sections: Sequence[Section], notes: Sequence[str] = ()
) -> str:
    parts = [f"# {escape(title)}", f"_{escape(caption)}_", *warnings(notes)]
    for section in sections:
        parts.append(f"## {escape(section.title)}")
        for block in section.blocks:
            parts.append(f"### {escape(block.title)}")
            parts.append(table(("Indicator", "Value"), block.rows))
    return "\n\n".join(parts) + "\n"
