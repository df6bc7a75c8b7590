"""A log's header: which row it is (title rows above it are common in exports, SPEC §8), which
canonical column each title names, and the usual names of columns in exports.

A database never writes the SPEC's names: its headers are "Date of transmission" or "Request
No.". The tables below hold the usual names; a title is matched by them, then by spelling
(`guess_column`). Nothing here prints, except the note naming a header found below the first
row (feedback.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

from coopstats.errors import UsageError
from coopstats.model import COLUMNS, REQUIRED_COLUMNS, listed, shown
from coopstats.read.options import ReadOptions
from coopstats.read.source import file_problem

DELIMITERS = (",", ";", "\t")
BOM = "\ufeff"
HEADER_ROWS = 20  # rows after the first in which the header is looked for (SPEC §8)
# The columns a header must name. Each kind is one organ's (SPEC §1), so a log without an organ
# column is read with each request's organ its kind's: a departure from SPEC §1, where the
# organ column is required (README); an organ column named by [columns] must still be there.
HEADER_COLUMNS = tuple(name for name in REQUIRED_COLUMNS if name != "organ")
_NOT_WORD = re.compile(r"[\W_]+")

# --- names -----------------------------------------------------------------------------------

# The usual names of each column in exports, as `normal` writes them (accents and punctuation
# left out), in English and French (the Court's two working languages), the better name of a
# column first: when two titles fit one column, the one listed first is taken ("Date of
# transmission" before "Date of request", "Result" before "Status").
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "id": (
        "request no", "request number", "reference", "ref", "ref no", "reference no",
        "reference number", "request id", "request ref", "request reference", "req no", "req",
        "req id", "req ref", "no", "number", "request", "identifier", "n de demande",
        "numero de demande", "numero", "n", "no de demande", "reference de la demande",
    ),
    "organ": (
        "requesting organ", "organ of the court", "sending organ", "organe", "organe requerant",
        "office", "bureau",
    ),
    "kind": (
        "type of request", "request type", "req type", "type", "kind of request",
        "nature of request", "request kind", "type de demande", "nature de la demande",
    ),
    "origin": (
        "origin of request", "orig", "origine", "sent by", "section", "originating office",
        "requesting section", "sender", "requesting office", "origin section",
        "origine de la demande",
    ),
    "categories": (
        "category", "category ies", "categorie", "categories de la demande", "categorie s",
        "cat", "categories of request", "purpose", "area", "subject",
    ),
    "sent": (
        "date of transmission", "date sent", "transmitted on", "sent on", "transmission date",
        "sent date", "date transmitted", "date of sending", "dt sent", "date d envoi",
        "date de transmission", "date d expedition", "envoyee le", "envoye le",
        "date of request", "request date", "date de la demande",
    ),
    "executed": (
        "date of execution", "date of reply", "executed on", "date executed", "execution date",
        "reply date", "date of response", "response date", "date replied", "replied on",
        "dt exec", "date exec", "dt executed", "date d execution", "date de reponse",
        "executee le", "execute le", "date de cloture", "closed", "date closed", "closed on",
        "date of closure",
    ),
    "outcome": (
        "result", "result of execution", "resultat", "reply", "response", "answer", "status",
        "statut",
    ),
}

# The SPEC's words of each vocabulary column: case-folded -> as the SPEC writes them.


def normal(text: str) -> str:
    """A name as the tables write it: case-folded, accents left out, punctuation and spacing as
    single spaces (`Executed – positive` → `executed positive`, `Request No.` → `request no`,
    `Date d'exécution` → `date d execution`)."""
    folded = text.casefold()
    if not folded.isascii():
        import unicodedata

        folded = "".join(
            c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
        )
    return _NOT_WORD.sub(" ", folded).strip()


def fold(cell: str) -> str:
    """A header cell as names are matched (SPEC §1): case-folded, surrounding spaces and a
    byte-order mark left out."""
    return cell.strip().lstrip("\ufeff").strip().casefold()


class Guess(NamedTuple):
    """A guessed SPEC name (a column, or a word; "" for an empty cell) and why."""

    name: str
    why: str
    score: float


def guess_column(title: str) -> Guess | None:
    """The canonical column a header title most likely names, if any."""
    best: Guess | None = None
    for guess in _column_guesses(title):
        if best is None or guess.score > best.score:
            best = guess
    return best


def _column_guesses(title: str) -> tuple[Guess, ...]:
    """Every canonical column a title may name (cached: the header is looked for among the
    first rows, whose cells repeat)."""
    return _guesses_of(normal(title)) if len(title) <= 100 else ()


@lru_cache(maxsize=4096)
def _guesses_of(name: str) -> tuple[Guess, ...]:
    return tuple(_guessed(name))


def _guessed(name: str) -> Iterable[Guess]:
    import difflib

    if not name or not any(c.isalpha() for c in name):
        return
    for canonical in COLUMNS:
        if name == canonical:
            yield Guess(canonical, "its name", 1.0)
            continue
        usual = COLUMN_NAMES[canonical]
        if name in usual:
            # The better names first: a title further down the list yields to another.
            rank = usual.index(name) / 1000
            yield Guess(canonical, f"a usual name of the {canonical} column", 0.9 - rank)
            continue
        start = next((u for u in (canonical, *usual) if name.startswith(f"{u} ")), None)
        if start is not None:  # `DATE SENT (DD/MM/YYYY)`, `ORIGIN / SECTION`
            yield Guess(canonical, f"it starts with {start!r}", 0.7)
            continue
        close = difflib.get_close_matches(name, [canonical, *usual], n=1, cutoff=0.85)
        if close:
            ratio = difflib.SequenceMatcher(None, name, close[0]).ratio()
            yield Guess(canonical, f"spelled like {close[0]!r}", 0.8 * ratio)
    words = set(name.split())
    if "date" in words or name.endswith(" on"):
        if words & {"sent", "sending", "transmission", "transmitted", "request", "dispatch",
                    "envoi", "expedition"}:  # fmt: skip
            yield Guess("sent", "a date of sending", 0.6)
        if {w[:5] for w in words} & {"execu", "repli", "reply", "close", "closu", "respo",
                                     "repon", "clotu"}:  # fmt: skip
            yield Guess("executed", "a date of execution", 0.6)


def guess_columns(header: Sequence[str]) -> dict[str, tuple[int, Guess]]:
    """canonical column -> (position in the header, guess): each column and each position
    taken once, the surest guesses first."""
    candidates: list[tuple[float, int, str, Guess]] = []
    for position, title in enumerate(header):
        for guess in _column_guesses(title):
            candidates.append((guess.score, -position, guess.name, guess))
    candidates.sort(reverse=True)
    chosen: dict[str, tuple[int, Guess]] = {}
    taken: set[int] = set()
    for _, negative, canonical, guess in candidates:
        if canonical not in chosen and -negative not in taken:
            chosen[canonical] = (-negative, guess)
            taken.add(-negative)
    return chosen


def column_rivals(
    header: Sequence[str], chosen: Mapping[str, int]
) -> dict[str, tuple[int, ...]]:
    """canonical column -> the positions of the other titles that fit it too (by a usual name
    or by spelling), left unmapped: `Date of request` beside `Date of transmission`."""
    taken = set(chosen.values())
    rivals: dict[str, list[int]] = {}
    for position, title in enumerate(header):
        if position in taken:
            continue
        best = guess_column(title)
        if best is not None and best.name in chosen and best.score >= 0.6:
            rivals.setdefault(best.name, []).append(position)
    return {name: tuple(dict.fromkeys(positions)) for name, positions in rivals.items()}


# --- the header ------------------------------------------------------------------------------


def find_header(
    rows: Sequence[Sequence[str]], required: Iterable[str], columns: Mapping[str, str]
) -> int | None:
    """The index of the header among a log's first rows (blank rows aside): the first of the
    first 21 that names every required column, `columns` mapping a canonical name onto the
    file's own (SPEC §8); None when none does."""
    wanted = [fold(columns.get(name, name)) for name in required]
    for index, row in enumerate(islice(rows, HEADER_ROWS + 1)):
        titles = {fold(cell) for cell in row}
        if all(title in titles for title in wanted):
            return index
    return None


def guess_header(rows: Sequence[Sequence[str]], columns: Mapping[str, str]) -> int:
    """The index of the header among a log's first rows when nothing need be mapped yet: the
    first row in which the required columns are all found, by `columns` or by their usual names
    (guess_columns); else the first row with the most titles that look like a column's; else
    the first of the widest rows (a title row has one cell filled, the header all)."""
    exact = find_header(rows, HEADER_COLUMNS, columns)
    if exact is not None:
        return exact
    first = list(islice(rows, HEADER_ROWS + 1))
    if not first:
        return 0
    named = [
        sum(1 for position, _ in guess_columns(row).values() if position >= 0) for row in first
    ]
    for index, row in enumerate(first):
        guessed = guess_columns(row)
        titles = {fold(cell) for cell in row}
        if all(name in guessed or fold(columns.get(name, name)) in titles
               for name in HEADER_COLUMNS):  # fmt: skip
            return index
    if max(named) >= 2:
        return named.index(max(named))
    filled = [sum(1 for cell in row if cell.strip()) for row in first]
    return filled.index(max(filled))



# --- the header's columns --------------------------------------------------------------------


def map_header(
    name: str,
    header: list[str],
    line: int,
    options: ReadOptions,
    below: Callable[[], int | None] = lambda: None,
) -> dict[str, int]:
    """canonical column -> its position in `header` (the row on `line` of the log `name`);
    absent optional columns point past the end (`len(header)`), where every record has an ''
    appended. A byte-order mark left on the first title (by an explicit --encoding) is taken
    off `header` itself. `below` gives the line of a later row that looks like the header, for
    the hint when a required column is missing."""
    if header and header[0].startswith(BOM):
        header[0] = header[0].lstrip(BOM)  # a mark left by an explicit --encoding
    width = len(header)
    folded: dict[str, list[int]] = {}
    for position, title in enumerate(header):
        folded.setdefault(title.strip().casefold(), []).append(position)
    wanted = {column: column for column in COLUMNS}
    for canonical, title in options.columns.items():
        if canonical not in COLUMNS:
            raise UsageError(
                f"{_given(options, canonical, title)}: {canonical!r} is not a column "
                f"coopstats reads; the columns are {', '.join(COLUMNS)}"
            )
        wanted[canonical] = title
    _check_one_reader(wanted, options)
    index: dict[str, int] = {}
    found = _titles(header)
    for canonical, title in wanted.items():
        positions = folded.get(title.strip().casefold(), [])
        if len(positions) > 1:
            raise file_problem(
                name,
                f"the header names column {shown(title)!r} {len(positions)} times "
                f"(positions {listed([str(p + 1) for p in positions])})",
                "duplicate-label",
                line=line,
                column=title,
                hint="rename all but one",
            )
        if positions:
            index[canonical] = positions[0]
        elif canonical in options.columns:
            raise file_problem(
                name,
                f"no column {shown(title)!r} (given for {canonical} by "
                f"{_given(options, canonical, title)}); the header has: {found}",
                "missing-label",
                line=line,
                column=title,
                hint=_suggest_title(title, header),
            )
    missing = [column for column in HEADER_COLUMNS if column not in index]
    if missing and not options.survey:
        raise file_problem(
            name,
            f"missing required column(s) {', '.join(missing)}; the header has: {found}",
            "missing-label",
            line=line,
            column=missing[0],
            hint=_missing_hint(header, missing, below),
        )
    for canonical in COLUMNS:
        index.setdefault(canonical, width)  # reads the '' appended to every record
    return index


def header_among(
    name: str, rows: Iterable[tuple[int, list[str]]], options: ReadOptions, noun: str = "row"
) -> tuple[int, list[str]] | None:
    """The header row (number, cells) among a sheet's rows, blank rows passed over: the
    first, unless --header-row or title rows above it say otherwise (`choose_header`);
    None when every row is blank."""
    first: list[tuple[int, list[str]]] = []
    for number, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        first.append((number, row))
        if options.header_row is not None:
            if number >= options.header_row:
                break
        elif len(first) == 1 and not options.survey and has_columns(row, options):
            return number, row  # the usual case: the first row is the header
        elif len(first) > HEADER_ROWS:
            break
    if not first:
        return None
    chosen = choose_header(name, first, options, noun) or first[0]
    note_header(name, chosen[0], first[0][0], options, noun)
    return chosen


def choose_header(
    name: str, rows: list[tuple[int, list[str]]], options: ReadOptions, noun: str = "line"
) -> tuple[int, list[str]] | None:
    """The header among the first rows of a log, (line, cells), by --header-row, else the
    first row naming every required column (SPEC §8: title rows above the header are
    common in exports); None when no row does, and the first row is taken as it is."""
    wanted = options.header_row
    if wanted is not None:
        for line, row in rows:
            if line == wanted:
                return line, row
        last = f" (the last row read is on {noun} {rows[-1][0]})" if rows else ""
        raise file_problem(
            name,
            f"--header-row {wanted}: no row starts on {noun} {wanted}{last}",
            "missing-label",
            line=wanted,
            hint="give the line an editor shows the header on",
        )
    cells = [row for _, row in rows]
    index: int | None
    if options.survey:
        index = guess_header(cells, options.columns)
    else:
        index = find_header(cells, HEADER_COLUMNS, options.columns)
        if index is None:
            index = _most_named(cells, options.columns)
    if index is None:
        return None
    return rows[index]


def _most_named(rows: Sequence[Sequence[str]], columns: Mapping[str, str]) -> int | None:
    """The row below the first that names the most of the columns a header needs (and those
    [columns] maps), when no row names them all: the header, whose missing column is then the
    one blamed, not the title row's. None when no later row names two, or more than the
    first."""
    wanted = {fold(columns.get(name, name)) for name in (*HEADER_COLUMNS, *columns)}
    named = [len(wanted & {fold(cell) for cell in row}) for row in islice(rows, HEADER_ROWS + 1)]
    if not named:
        return None
    best = max(named)
    if best < 2 or best <= named[0]:
        return None
    return named.index(best)


def note_header(name: str, line: int, first: int, options: ReadOptions, noun: str) -> None:
    """SPEC §8: a header found below the first row is named in a note (not one that
    --header-row named)."""
    if line <= first or options.header_row is not None:
        return
    from coopstats import feedback

    above = f"{noun} 1" if line == 2 else f"{noun}s 1-{line - 1}"
    feedback.note(
        f"{name}: the header is on {noun} {line}; {above} "
        f"{'is' if line == 2 else 'are'} left out"
    )


def _missing_hint(
    header: list[str], missing: list[str], below: Callable[[], int | None]
) -> str:
    later = below()
    if later is not None:
        return f"line {later} looks like the header: delete the lines above it"
    if len(header) == 1 and any(d in header[0] for d in DELIMITERS):
        return "the header was read as one column: check --delimiter"
    close = _close_title(missing[0], header)
    if close is not None:
        return f"is {close!r} the {missing[0]} column? pass --column '{missing[0]}={close}'"
    return f"map a column of yours with --column '{missing[0]}=HEADER'"


def has_columns(row: list[str], options: ReadOptions) -> bool:
    """Whether a row names every required column, as `_map_header` matches names."""
    titles = {cell.strip().lstrip(BOM).strip().casefold() for cell in row}
    return all(
        options.columns.get(name, name).strip().casefold() in titles for name in HEADER_COLUMNS
    )


def _given(options: ReadOptions, canonical: str, title: str) -> str:
    """Where the mapping of `canonical` was given: `--column sent=Date`, or a config file."""
    return options.origins.get(canonical) or f"--column {canonical}={title}"


def _check_one_reader(wanted: Mapping[str, str], options: ReadOptions) -> None:
    """Two canonical columns read from one header would make one a copy of the other (every
    request executed on its sent day, with `--column executed=sent`): refused, naming both."""
    readers: dict[str, list[str]] = {}
    for canonical, title in wanted.items():
        readers.setdefault(title.strip().casefold(), []).append(canonical)
    for names in readers.values():
        if len(names) > 1:
            title = wanted[names[0]] if names[0] in options.columns else wanted[names[-1]]
            how = [
                f"{name} (by {_given(options, name, wanted[name])})"
                if name in options.columns else f"{name} (by its own name)"
                for name in names
            ]
            raise UsageError(
                f"{' and '.join(how)} would both be read from the column {title.strip()!r}: "
                "map each onto a column of its own"
            )


def _titles(header: list[str]) -> str:
    """The header's titles for a message: `'id', 'organ', ... and 99,990 more`."""
    return listed([repr(shown(title)) for title in header]) or "nothing"


def _close_title(title: str, header: list[str]) -> str | None:
    """The header's title nearest to `title`, by spelling or as a word in it (`Date sent`).
    Titles far longer than any column name are not compared (difflib is slow on them)."""
    import difflib

    titles = {h.strip().casefold(): h.strip() for h in header if 0 < len(h.strip()) <= 100}
    wanted = title.strip().casefold()
    close = difflib.get_close_matches(wanted, list(titles), n=1, cutoff=0.6)
    if close:
        return titles[close[0]]
    containing = [t for folded, t in titles.items() if wanted in folded.replace("_", " ").split()]
    return containing[0] if len(containing) == 1 else None


def _suggest_title(title: str, header: list[str]) -> str | None:
    close = _close_title(title, header)
    return f"did you mean {close!r}?" if close else None

