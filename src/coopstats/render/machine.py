"""JSON and CSV for scripts (SPEC §4): every metric once, values unrounded, missing as null."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

from coopstats import catalogue
from coopstats.catalogue import Value
from coopstats.summary import Summary

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def plain(value: Value | float) -> int | float | None:
    """A JSON-ready number: counts stay ints, exact fractions become floats."""
    if value is None or isinstance(value, int):
        return value
    return float(value) if isinstance(value, Fraction) else value


def metric_rows(summary: Summary) -> list[dict[str, Any]]:
    return [
        {"id": m.id, "section": m.section, "label": m.label, "value": plain(summary.values[m.id])}
        for m in catalogue.FIGURES
    ]


def dumps(document: object) -> str:
    """Deterministic JSON: keys in the order built, no NaN, UTF-8 text kept readable."""
    return json.dumps(document, ensure_ascii=False, allow_nan=False, indent=2) + "\n"


def summary_json(summary: Summary) -> str:
    return dumps(
        {
            "period": summary.period.as_dict(),
            "prior_period": summary.prior.as_dict(),
            "as_of": summary.as_of.isoformat(),
            "notifications": summary.notifications,
            "days": summary.days,
            "config": summary.config,
            "metrics": metric_rows(summary),
            "warnings": summary.warnings,
        }
    )


def safe_cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (ids and text come from users' files)."""
    if value is None:
        return ""
    text = repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def summary_csv(summary: Summary) -> str:
    rows = metric_rows(summary)
    return to_csv(("id", "section", "label", "value"), ([r[k] for k in r] for r in rows))
