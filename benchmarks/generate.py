"""Write a valid, realistic request log of N rows for the benchmarks.

    python benchmarks/generate.py 1000000 benchmarks/data/log-1M.csv [--seed 1] [--states]

The mix follows the 2024 report's proportions roughly: ~40% OTP RFAs, 15% mission notifications,
3% RFIs, 35% Registry RFCs (HQ and country offices, with categories, some with two) and 5%
decision notifications; sent dates spread over six court years (2019-09-16..2025-09-15); ~60%
executed 0-400 days after sending, with a positive, negative or empty outcome. A fixed seed makes
every file of a given size the same, so timings compare across runs and machines.

With --states, two more columns follow, as the case databases' exports carry them: `state`, the
requested State (40 of them, a few much more often than the rest, 2% blank and 1% padded with
spaces) and `situation` (12 situations); they are drawn from their own random stream, so the
first eight columns are those of the file without them.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import accumulate, islice
from pathlib import Path
from typing import TypeVar
from xml.sax.saxutils import escape

T = TypeVar("T")

HEADER = ("id", "organ", "kind", "origin", "categories", "sent", "executed", "outcome")
FIRST_SENT = date(2019, 9, 16)
LAST_SENT = date(2025, 9, 15)
MAX_DELAY = 400
EXECUTED_SHARE = 0.6
CHUNK = 100_000  # rows drawn at once: bulk random.choices is much faster than one call per row

# (organ, kind), weight in percent
KINDS: tuple[tuple[tuple[str, str], int], ...] = (
    (("OTP", "RFA"), 40),
    (("OTP", "mission-notification"), 15),
    (("OTP", "RFI"), 3),
    (("Registry", "RFC"), 35),
    (("Registry", "decision-notification"), 5),
)
# (origin, categories) of an RFC, weight: near the report's 412 HQ / 381 country-office split and
# its HQ breakdown (44 defence, 2 victims, 10 witness protection, 111 judicial support, 261 arrest
# and surrender over both origins, some requests carrying two categories).
RFC_PROFILES: tuple[tuple[tuple[str, str], int], ...] = (
    (("HQ", ""), 125),
    (("HQ", "defence"), 38),
    (("HQ", "victims"), 2),
    (("HQ", "witness-protection"), 10),
    (("HQ", "judicial-support"), 100),
    (("HQ", "arrest-surrender"), 120),
    (("HQ", "defence;arrest-surrender"), 6),
    (("HQ", "judicial-support;arrest-surrender"), 11),
    (("country-office", ""), 255),
    (("country-office", "arrest-surrender"), 120),
    (("country-office", "arrest-surrender;victims"), 6),
)
OUTCOMES: tuple[tuple[str, int], ...] = (("positive", 55), ("negative", 25), ("", 20))
STATES: tuple[str, ...] = (
    "Uganda", "Democratic Republic of the Congo", "Sudan", "Central African Republic", "Kenya",
    "Libya", "Côte d'Ivoire", "Mali", "Georgia", "Burundi", "Bangladesh", "Myanmar",
    "Afghanistan", "Palestine", "Ukraine", "Venezuela", "Philippines", "France", "Germany",
    "Netherlands", "Belgium", "United Kingdom", "Italy", "Spain", "Switzerland", "Norway",
    "Canada", "Argentina", "Colombia", "South Africa", "Nigeria", "Senegal", "Tanzania",
    "Rwanda", "Chad", "Niger", "Jordan", "Japan", "Australia", "Poland",
)  # fmt: skip
SITUATIONS: tuple[str, ...] = (
    "Uganda", "DRC", "Darfur", "CAR I", "CAR II", "Kenya", "Libya", "Côte d'Ivoire", "Mali",
    "Georgia", "Bangladesh/Myanmar", "Ukraine",
)  # fmt: skip


def _split(table: tuple[tuple[T, int], ...]) -> tuple[list[T], list[int]]:
    # random.choices with cumulative weights skips re-summing the weights on every call.
    return [value for value, _ in table], list(accumulate(weight for _, weight in table))


def rows(n: int, seed: int = 1) -> Iterator[tuple[str, ...]]:
    """Yield `n` log rows in HEADER order, the same ones for the same seed."""
    rng = random.Random(seed)
    span = (LAST_SENT - FIRST_SENT).days + 1
    # Every date a row can hold, formatted once: isoformat per row would dominate the run time.
    days = [(FIRST_SENT + timedelta(days=i)).isoformat() for i in range(span + MAX_DELAY)]
    kinds, kind_weights = _split(KINDS)
    profiles, profile_weights = _split(RFC_PROFILES)
    outcomes, outcome_weights = _split(OUTCOMES)
    randrange, random_ = rng.randrange, rng.random
    for base in range(0, n, CHUNK):
        size = min(CHUNK, n - base)
        drawn_kinds = rng.choices(kinds, cum_weights=kind_weights, k=size)
        drawn_profiles = rng.choices(profiles, cum_weights=profile_weights, k=size)
        drawn_outcomes = rng.choices(outcomes, cum_weights=outcome_weights, k=size)
        for i in range(size):
            organ, kind = drawn_kinds[i]
            origin, categories = drawn_profiles[i] if kind == "RFC" else ("", "")
            sent = randrange(span)
            if random_() < EXECUTED_SHARE:
                executed = days[sent + randrange(MAX_DELAY + 1)]
                outcome = drawn_outcomes[i]
            else:
                executed = outcome = ""  # pending: no outcome yet (SPEC section 1)
            yield (
                f"R{base + i + 1:07d}",
                organ,
                kind,
                origin,
                categories,
                days[sent],
                executed,
                outcome,
            )


def with_states(base: Iterator[tuple[str, ...]], seed: int) -> Iterator[tuple[str, ...]]:
    """The rows of `base` with a `state` and a `situation` cell, from their own stream."""
    rng = random.Random(seed + 1_000_003)
    # Zipf-like: the k-th State is drawn about 1/k as often as the first.
    states = [*STATES, "", " France ", "Uganda "]
    weights = list(accumulate([*(1000 / k for k in range(1, len(STATES) + 1)), 90, 25, 20]))
    for chunk_rows in iter(lambda: list(islice(base, CHUNK)), []):
        drawn = rng.choices(states, cum_weights=weights, k=len(chunk_rows))
        situations = rng.choices(SITUATIONS, k=len(chunk_rows))
        for row, state, situation in zip(chunk_rows, drawn, situations, strict=True):
            yield (*row, state, situation)


def write_log(n: int, path: Path, seed: int = 1, states: bool = False) -> None:
    """Write an `n`-row log to `path`, through a temporary file so no half-written log remains."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        if states:
            writer.writerow((*HEADER, "state", "situation"))
            writer.writerows(with_states(rows(n, seed), seed))
        else:
            writer.writerow(HEADER)
            writer.writerows(rows(n, seed))
    partial.replace(path)


# An export as a spreadsheet saves it: another column order, a free-text column, `;`, a
# byte-order mark, CRLF line ends, day-first dates; one note in NOTE_EVERY is quoted free text
# with a line break, a `;` and quotes in it.
EXPORT_HEADER = ("Notes", "sent", "kind", "id", "organ", "executed", "categories", "origin",
                 "outcome")  # fmt: skip
NOTE_EVERY = 20
NOTES = ("", "urgent", "see file", "", "reply partial", "", "", "follow-up sent")
QUOTED_NOTE = 'Two parts:\n1) "records"; 2) witnesses'


def export_rows(n: int, seed: int = 1) -> Iterator[tuple[str, ...]]:
    """The rows of `rows(n, seed)` as EXPORT_HEADER orders and writes them."""
    day_first: dict[str, str] = {}

    def dmy(iso: str) -> str:
        if not iso:
            return ""
        text = day_first.get(iso)
        if text is None:
            text = day_first[iso] = f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"
        return text

    for i, (rid, organ, kind, origin, categories, sent, executed, outcome) in enumerate(
        rows(n, seed)
    ):
        note = QUOTED_NOTE if i % NOTE_EVERY == 7 else NOTES[i % len(NOTES)]
        yield (note, dmy(sent), kind, rid, organ, dmy(executed), categories, origin, outcome)


def write_export(n: int, path: Path, seed: int = 1) -> None:
    """The export-shaped log of the same requests as `write_log(n, ...)`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(EXPORT_HEADER)
        writer.writerows(export_rows(n, seed))
    partial.replace(path)


def write_workbook(n: int, path: Path, seed: int = 1) -> None:
    """The same requests as `write_log(n, ...)` as an .xlsx workbook written by openpyxl (which
    must be installed), dates as date cells: every text cell an inline string, and every empty
    cell written, as scripts write workbooks (the sheet's XML is 38 MB at 100k rows)."""
    import openpyxl

    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Requests")
    sheet.append(list(HEADER))
    cells: dict[str, date] = {}
    for row in rows(n, seed):
        values: list[object] = list(row)
        for k in (5, 6):
            if row[k]:
                values[k] = cells.get(row[k]) or cells.setdefault(
                    row[k], date.fromisoformat(row[k])
                )
        sheet.append(values)
    partial = path.with_name(path.name + ".partial.xlsx")
    book.save(partial)
    partial.replace(path)


_EXCEL_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Requests" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/styles" Target="styles.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    ),
    # Style 1 is Excel's built-in date format 14 (m/d/yyyy): what a date cell carries.
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" '
        'borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" '
        'xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>'
    ),
}


def write_excel_workbook(n: int, path: Path, seed: int = 1) -> None:
    """The same requests as `write_log(n, ...)` as an .xlsx workbook laid out as Excel saves
    one: text cells in the shared-strings table, dates as date cells, empty cells left out.
    Written here, with no library, so that the benchmark needs none."""
    import zipfile

    columns = "ABCDEFGH"
    strings: dict[str, int] = {}
    epoch = date(1899, 12, 30)  # Excel's day 0, for days after February 1900
    serials: dict[str, int] = {}
    body: list[str] = []
    for number, row in enumerate([HEADER, *rows(n, seed)], start=1):
        cells = []
        for column, value in zip(columns, row, strict=True):
            if not value:
                continue
            if number > 1 and column in "FG":
                serial = serials.get(value)
                if serial is None:
                    serial = serials[value] = (date.fromisoformat(value) - epoch).days
                cells.append(f'<c r="{column}{number}" s="1"><v>{serial}</v></c>')
            else:
                index = strings.setdefault(value, len(strings))
                cells.append(f'<c r="{column}{number}" t="s"><v>{index}</v></c>')
        body.append(f'<row r="{number}" spans="1:8">{"".join(cells)}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:H{n + 1}"/><sheetData>{"".join(body)}</sheetData></worksheet>'
    )
    shared = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
    shared_part = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>'
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial.xlsx")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _EXCEL_PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/sharedStrings.xml", shared_part)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    partial.replace(path)


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a random valid request log.")
    parser.add_argument("rows", type=int, help="number of requests")
    parser.add_argument("path", type=Path, help="CSV file to write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--states", action="store_true", help="add a state and a situation column"
    )
    args = parser.parse_args()
    write_log(args.rows, args.path, args.seed, args.states)


if __name__ == "__main__":
    main()
