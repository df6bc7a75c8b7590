"""Reading an export the way a case database writes it: its words, and a survey of its columns.

A database never writes the SPEC's words: its kinds are "Request for Assistance", its outcomes
"Executed – positive". This module knows the usual words (tables below), guesses the SPEC's word
behind one (by the tables, then by the initials of a phrase, by a telling word in it, and by
spelling), and surveys a log's columns for `coopstats values` and `coopstats init`. The usual
names of columns, and the header below title rows, are read/header.py's. Nothing here prints.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from itertools import compress, islice
from operator import itemgetter
from typing import Literal, NamedTuple

from coopstats.dates import DateOrder, DateProblem, NeedDateOrder, OrderEvidence, parse_date
from coopstats.model import CATEGORIES, COLUMNS, KINDS, ORGANS, ORIGINS, OUTCOMES
from coopstats.read import ReadOptions, Source, Table, open_table
from coopstats.read.header import Guess, column_rivals, fold, guess_columns, normal

# --- words -----------------------------------------------------------------------------------

# The SPEC's words of each vocabulary column: case-folded -> as the SPEC writes them.
SPEC_WORDS: dict[str, dict[str, str]] = {
    "organ": dict(ORGANS),
    "kind": dict(KINDS),
    "origin": dict(ORIGINS),
    "categories": {c: c for c in CATEGORIES},
    "outcome": {o: o for o in OUTCOMES},
}
VOCABULARY_COLUMNS = tuple(SPEC_WORDS)
DATE_COLUMNS = ("sent", "executed")

# Usual words of databases, in English and French, as `normal` writes them (accents and
# punctuation left out) -> the SPEC's word ("" for an empty cell).
WORD_NAMES: dict[str, dict[str, str]] = {
    "organ": {
        "office of the prosecutor": "OTP", "the prosecutor": "OTP", "prosecutor": "OTP",
        "prosecution": "OTP", "the registry": "Registry", "registrar": "Registry",
        "reg": "Registry", "bureau du procureur": "OTP", "bdp": "OTP", "procureur": "OTP",
        "greffe": "Registry", "le greffe": "Registry", "greffier": "Registry",
    },
    "kind": {
        "request for assistance": "RFA", "request for assistance rfa": "RFA",
        "assistance request": "RFA", "notification of mission": "mission-notification",
        "notification of a mission": "mission-notification",
        "mission notification": "mission-notification", "mn": "mission-notification",
        "request for information": "RFI", "information request": "RFI",
        "request for cooperation": "RFC", "cooperation request": "RFC",
        "notification of decision": "decision-notification",
        "notification of a decision": "decision-notification",
        "notification of order": "decision-notification",
        "notification of an order": "decision-notification",
        "notification of decision or order": "decision-notification",
        "decision notification": "decision-notification", "dn": "decision-notification",
        "demande d assistance": "RFA", "demande d assistance judiciaire": "RFA",
        "demande d entraide": "RFA", "demande de cooperation": "RFC",
        "demande d information": "RFI", "demande d informations": "RFI",
        "demande de renseignements": "RFI", "notification de mission": "mission-notification",
        "notification de decision": "decision-notification",
        "notification d ordonnance": "decision-notification",
    },
    "origin": {
        "headquarters": "HQ", "headquarter": "HQ", "head office": "HQ", "seat": "HQ",
        "the hague": "HQ", "country office": "country-office", "country offices":
        "country-office", "field office": "country-office", "field": "country-office",
        "co": "country-office", "siege": "HQ", "la haye": "HQ", "bureau de pays":
        "country-office", "bureaux de pays": "country-office", "bureau exterieur":
        "country-office", "terrain": "country-office",
    },
    "categories": {
        "defense": "defence", "defence team": "defence", "defense team": "defence",
        "defence teams": "defence", "lrv": "victims", "victim": "victims",
        "legal representatives of victims": "victims",
        "legal representative of victims": "victims", "witness protection":
        "witness-protection", "judicial support": "judicial-support",
        "support to judicial proceedings": "judicial-support", "arrest and surrender":
        "arrest-surrender", "arrest": "arrest-surrender", "surrender": "arrest-surrender",
        "arrest surrender": "arrest-surrender", "def": "defence", "wp": "witness-protection",
        "js": "judicial-support", "a s": "arrest-surrender", "victimes": "victims",
        "protection des temoins": "witness-protection", "soutien judiciaire":
        "judicial-support", "arrestation et remise": "arrest-surrender", "arrestation":
        "arrest-surrender", "remise": "arrest-surrender",
    },
    "outcome": {
        "executed positive": "positive", "positive": "positive", "granted": "positive",
        "complied": "positive", "complied with": "positive", "executed": "positive",
        "accepted": "positive", "fulfilled": "positive", "executed negative": "negative",
        "negative": "negative", "refused": "negative", "denied": "negative",
        "rejected": "negative", "not complied": "negative", "not granted": "negative",
        "pending": "", "open": "", "ongoing": "", "in progress": "", "not executed": "",
        "awaiting reply": "", "awaiting": "", "pos": "positive", "neg": "negative",
        "executee positive": "positive", "executee negative": "negative",
        "executee": "positive", "accordee": "positive", "refusee": "negative",
        "rejetee": "negative", "en cours": "", "en attente": "", "non executee": "",
    },
}
# Telling words inside a longer phrase, matched as the start of a whole word ("border" is not
# "order"). A word after "not" or "non" ("Not yet executed", "Non-defence") is negated.
KEYWORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "organ": (("prosecut", "OTP"), ("procureur", "OTP"), ("regist", "Registry"),
              ("greff", "Registry")),  # fmt: skip
    "kind": (  # a request's words first: "Request for cooperation re decision" is an RFC
        ("cooperation", "RFC"), ("assistance", "RFA"), ("entraide", "RFA"),
        ("information", "RFI"), ("renseignement", "RFI"), ("mission", "mission-notification"),
        ("decision", "decision-notification"), ("order", "decision-notification"),
        ("ordonnance", "decision-notification"),
    ),
    "origin": (("headquarter", "HQ"), ("siege", "HQ"), ("country", "country-office"),
               ("pays", "country-office"), ("field", "country-office")),  # fmt: skip
    "categories": (
        ("defen", "defence"), ("victim", "victims"), ("witness", "witness-protection"),
        ("temoin", "witness-protection"),
        ("judicial", "judicial-support"),
        ("judiciaire", "judicial-support"), ("arrest", "arrest-surrender"),
        ("surrender", "arrest-surrender"), ("remise", "arrest-surrender"),
    ),
    "outcome": (
        ("negati", "negative"), ("refus", "negative"), ("denied", "negative"),
        ("reject", "negative"), ("rejet", "negative"), ("positi", "positive"),
        ("grant", "positive"), ("complied", "positive"), ("accord", "positive"),
        ("pending", ""), ("progress", ""), ("ongoing", ""), ("await", ""), ("attente", ""),
        ("execut", "positive"),
    ),
}
# Words that make a notification of a kind ("Notification of mission") rather than a request.
_NOTIFICATION = frozenset({"notification", "notifications", "notice"})
_NEGATIONS = frozenset({"not", "non", "no", "pas", "sans", "un"})
_FILLERS = frozenset({"yet", "been", "be", "encore", "ete", "fully", "entirely"})
# An outcome word after "not": a reply not given yet (no outcome), or one refused.
_NOT_GIVEN = ("execut", "repl", "receiv", "applic", "answer", "process", "done",
              "treat", "trait", "recu", "repon")  # fmt: skip
# Words of a date column that mean "no date" (a pending request's executed cell).
NO_DATE = ("pending", "not executed", "none", "n a", "na", "tbd", "open", "ongoing", "in progress",
           "en cours", "en attente", "sans objet")  # fmt: skip
_SMALL = frozenset({"of", "the", "a", "an", "and", "for", "to", "in", "on", "by"})


def _marked(name: str) -> list[tuple[str, bool]]:
    """The words of a name, each with whether a "not" or "non" before it negates it
    (`nonpositive` is `non positive`)."""
    words: list[str] = []
    for word in name.split():
        if word.startswith("non") and len(word) > 5 and word not in ("none",):
            words += ["non", word[3:]]
        else:
            words.append(word)
    marked = []
    negated = False
    for word in words:
        if word in _NEGATIONS:
            negated = True
            continue
        marked.append((word, negated))
        if word not in _FILLERS:
            negated = False
    return marked


def guess_word(column: str, word: str) -> Guess | None:
    """The SPEC word (or "" for an empty cell) a database's word most likely means; None when
    nothing tells, or when its words tell two things ("OTP/Registry")."""
    import difflib

    spec = SPEC_WORDS[column]
    folded = word.strip().casefold()
    if folded in spec:
        return Guess(spec[folded], "the SPEC's word", 1.0)
    name = normal(word)
    usual = WORD_NAMES[column]
    if name in usual:
        return Guess(usual[name], "a usual name", 0.9)
    if name.replace(" ", "-") in spec:
        return Guess(spec[name.replace(" ", "-")], "the SPEC's word, spelled with spaces", 0.9)
    if column == "categories" and len(_several(word)) > 1:
        return None  # "DEF/A&S": two categories, which init maps onto both (config_text)
    inner = re.search(r"\(([^()]+)\)", word)
    if inner is not None:
        within = guess_word(column, inner[1])
        if within is not None and within.score >= 0.9:
            return Guess(within.name, f"says {inner[1].strip()!r} in brackets", 0.85)
    marked = _marked(name)
    said = _said(column, marked, spec, usual)
    if said is not None and said.name != "?" and column != "kind":
        told = _told(column, marked)  # "Victims and Witnesses Section": two things
        if told is not None and told.name != said.name:
            return None
    if said is not None:
        return said if said.name != "?" else None
    for initials in _initials(name):
        if initials in spec:
            return Guess(spec[initials], f"its initials are {spec[initials]}", 0.8)
    told = _told(column, marked)
    if told is not None:
        return told if told.name != "?" else None
    choices = {**spec, **usual}
    naming = {choices[c] for c in choices if f" {name} " in f" {c.replace('-', ' ')} "}
    if len(naming) > 1:
        return None  # "Notification": of a mission or of a decision?
    close = difflib.get_close_matches(name, list(choices), n=3, cutoff=0.75)
    if close:
        best = difflib.SequenceMatcher(None, name, close[0]).ratio()
        rivals = {
            choices[c] for c in close
            if difflib.SequenceMatcher(None, name, c).ratio() > best - 0.05
        }
        if len(rivals) > 1:
            return None  # "Notification": of a mission or of a decision?
        return Guess(choices[close[0]], f"spelled like {close[0]!r}", 0.6)
    return None


def _several(word: str) -> list[str]:
    """The categories a cell names with another separator than ';' (`DEF/A&S`), when each
    piece is one."""
    pieces = [piece for piece in re.split(r"[/,+|]", word) if piece.strip()]
    if len(pieces) < 2:
        return []
    guesses = [guess_word("categories", piece) for piece in pieces]
    if any(g is None or not g.name for g in guesses):
        return []
    return list(dict.fromkeys(g.name for g in guesses if g is not None))


_AMBIGUOUS = Guess("?", "", 0.0)  # the words tell two things: no guess


def _said(
    column: str, marked: list[tuple[str, bool]], spec: Mapping[str, str],
    usual: Mapping[str, str],
) -> Guess | None:
    """A SPEC word (or a one-word usual name) among the words: `RFC – transfer order`."""
    meant: dict[str, str] = {}
    denied = False
    for token, negated in marked:
        meaning = spec.get(token, usual.get(token) if len(token) > 2 else None)
        if meaning is None or meaning == "":
            continue
        if negated:
            denied = True
        else:
            meant.setdefault(meaning, token)
    if denied:  # an outcome's "not" is read by _told; elsewhere nothing is guessed
        return None if column == "outcome" else _AMBIGUOUS
    if len(meant) == 1:
        meaning, token = next(iter(meant.items()))
        return Guess(meaning, f"it says {token!r}", 0.8)
    return _AMBIGUOUS if meant else None


def _told(column: str, marked: list[tuple[str, bool]]) -> Guess | None:
    """A telling word at the start of one of the words, a negated one read as such."""
    keywords = KEYWORDS[column]
    if column == "kind" and any(token in _NOTIFICATION for token, _ in marked):
        keywords = tuple(k for k in keywords if k[1].endswith("notification")) + keywords
    found: list[tuple[str, str, bool]] = []  # (keyword, meaning, negated) in keyword order
    for keyword, meaning in keywords:
        for token, negated in marked:
            if token.startswith(keyword):
                found.append((keyword, meaning, negated))
                break
    if column == "outcome":
        for token, negated in marked:
            if negated and token.startswith(_NOT_GIVEN):  # "Not yet replied", "Not received"
                return Guess("", f"it says not {token!r}: no reply yet", 0.7)
    if not found:
        return None
    if column == "kind":
        keyword, meaning, negated = found[0]
        return _AMBIGUOUS if negated else Guess(meaning, f"it says {keyword!r}", 0.7)
    if column == "outcome":
        for keyword, meaning, negated in found:
            if not negated:
                continue
            if meaning == "positive":
                return Guess("negative", f"it says not {keyword!r}", 0.7)
            return _AMBIGUOUS
        meanings = {meaning for _, meaning, _ in found}
        if len(meanings) > 1 and "positive" in meanings and meanings - {"positive"} == {""}:
            return _AMBIGUOUS
        keyword, meaning, _ = found[0]
        return Guess(meaning, f"it says {keyword!r}", 0.7)
    if any(negated for _, _, negated in found):
        return _AMBIGUOUS  # "Non-defence", "Not arrest-related"
    meanings = {meaning for _, meaning, _ in found}
    if len(meanings) > 1:
        return _AMBIGUOUS  # "Victims and Witnesses Section"
    keyword, meaning, _ = found[0]
    return Guess(meaning, f"it says {keyword!r}", 0.7)


def _initials(name: str) -> list[str]:
    """`request for assistance` → rfa; `office of the prosecutor` → ootp, otp, op."""
    words = name.split()
    if len(words) < 2:
        return []
    every = "".join(w[0] for w in words)
    not_of = "".join(w[0] for w in words if w != "of")
    big = "".join(w[0] for w in words if w not in _SMALL)
    return list(dict.fromkeys([every, not_of, big]))


def no_date_word(cell: str) -> bool:
    """Whether a date column's word means "no date yet" (`Pending`, `n/a`, `-`)."""
    name = normal(cell)
    return name in NO_DATE or not name


# --- the survey ------------------------------------------------------------------------------

Role = Literal["id", "vocabulary", "date", "extra"]
SHOWN = 20  # distinct values of an extra column shown
KEPT = 2_000  # distinct values of an extra column counted before it counts as free text
DATE_EXAMPLES = 50  # distinct cells of a date column that are no date, kept for init
CHUNK = 1 << 16  # records counted at once, a column at a time


class Word(NamedTuple):
    """One distinct word of a vocabulary column, or value of an extra column."""

    value: str  # as written (spaces around it trimmed), the most frequent spelling
    rows: int
    understood: bool  # a SPEC word, or mapped by the config's [values.*] (or extra: always)
    means: str | None  # the SPEC word it is or is mapped onto ("" = an empty cell)
    how: str  # "the SPEC's word", "mapped in [values.kind]", or why it was guessed
    closest: str | None  # not understood: the SPEC word it most likely means
    dated: int | None = None  # outcome: rows with an executed date (None: no executed column)
    suggested: str | None = None  # not understood, not guessed: a SPEC word the rows suggest


class DateCells(NamedTuple):
    parsed: int  # cells read as dates
    no_date: int  # cells mapped onto an empty cell by the config ("Pending" = "")
    failed: int  # cells that are no date
    examples: tuple[tuple[str, int], ...]  # the cells that are no date, most frequent first
    order: DateOrder | None  # the day/month order of numeric dates, when settled
    proof: str | None  # a cell that proves it, e.g. "25/12/2023"
    open_order: int  # numeric dates left unread because the order is not settled


class ColumnSurvey(NamedTuple):
    header: str
    position: int
    canonical: str | None
    found_by: str  # "its name", "[columns] / --column", or how it was guessed
    role: Role
    cells: int  # cells with something in them
    blank: int
    distinct: int  # distinct values (vocabulary: words); at least KEPT when `free_text`
    words: tuple[Word, ...]  # vocabulary: every word; extra: the SHOWN most frequent
    more_values: int  # distinct values beyond those shown
    more_rows: int  # rows holding them
    free_text: bool  # more than KEPT distinct values: not a breakdown candidate
    dates: DateCells | None


class Survey(NamedTuple):
    source: str
    header_line: int
    sheet_rows: str  # "line" or "row"
    rows: int  # records after the header, blank ones aside
    columns: tuple[ColumnSurvey, ...]  # in the file's order
    missing: tuple[str, ...]  # canonical columns not found
    # canonical column -> the titles of the other columns that fit it too, left unmapped
    rivals: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _mapped(values: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    return {
        column: {k.strip().casefold(): v.strip() for k, v in mapping.items()}
        for column, mapping in values.items()
    }


def assign_columns(
    header: Sequence[str], options: ReadOptions
) -> dict[int, tuple[str, str]]:
    """position -> (canonical column, how it was found): by `options.columns` (the config's
    [columns] and --column), by its own name, else guessed from its usual names."""
    folded = [fold(title) for title in header]
    found: dict[int, tuple[str, str]] = {}
    for canonical in COLUMNS:
        title = options.columns.get(canonical)
        if title is not None and fold(title) in folded:
            found[folded.index(fold(title))] = (canonical, "[columns] or --column")
    placed = {canonical for canonical, _ in found.values()}
    for canonical in COLUMNS:
        if canonical not in placed and canonical not in options.columns and canonical in folded:
            position = folded.index(canonical)
            if position not in found:
                found[position] = (canonical, "its name")
                placed.add(canonical)
    free = [title if position not in found else "" for position, title in enumerate(header)]
    for canonical, (position, guess) in guess_columns(free).items():
        if canonical not in placed and canonical not in options.columns and position not in found:
            found[position] = (canonical, f"guessed: {guess.why}")
    return found


def survey_log(source: Source, options: ReadOptions, cap: int = SHOWN) -> Survey:
    """Open a log for a survey (no column required, the header found by its usual names) and
    survey it."""
    return survey(open_table(source, options._replace(survey=True)), options, cap)


def survey(table: Table, options: ReadOptions, cap: int = SHOWN) -> Survey:
    """Every column's distinct values with their counts (SPEC §8 `values`): the vocabulary
    columns' words, whether each is understood and the SPEC word closest to the rest; the
    extra columns' values (the candidates for --by), the SHOWN most frequent; the date
    columns' cells that read as dates and those that do not. No row is checked: this reads a
    log that nothing maps yet."""
    header = table.header
    roles = assign_columns(header, options)
    rivals = column_rivals(header, {canonical: p for p, (canonical, _) in roles.items()})
    width = len(header)
    counters = [Counter[str]() for _ in range(width)]
    # Outcome candidates: their cells on the rows with an executed date (see _outcome_lines).
    dated = [Counter[str]() for _ in range(width)]
    executed = next((p for p, (canonical, _) in roles.items() if canonical == "executed"), -1)
    outcome = next((p for p, (canonical, _) in roles.items() if canonical == "outcome"), -1)
    candidates = {outcome, *rivals.get("outcome", ())} - {-1} if executed >= 0 else set()
    is_dated = _Dated()
    kind = next((p for p, (canonical, _) in roles.items() if canonical == "kind"), -1)
    organ = next((p for p, (canonical, _) in roles.items() if canonical == "organ"), -1)
    organs_of_kinds: Counter[tuple[str, str]] = Counter()  # (kind cell, organ cell) -> rows
    free = [False] * width
    rows = 0
    ids = next((p for p, (canonical, _) in roles.items() if canonical == "id"), -1)
    records = (row for _, row in table.records())
    while chunk := list(islice(records, CHUNK)):
        rows += len(chunk)
        fitted = [
            row if len(row) == width else (row + [""] * width)[:width] for row in chunk
        ]
        with_date: list[list[str]] = []
        if candidates:
            flags = map(is_dated.__getitem__, map(itemgetter(executed), fitted))
            with_date = list(compress(fitted, flags))
        if kind >= 0 and organ >= 0:
            organs_of_kinds.update(
                zip(map(itemgetter(kind), fitted), map(itemgetter(organ), fitted), strict=True)
            )
        for position in range(width):  # a column at a time, each counted in C
            cells = map(itemgetter(position), fitted)
            if position == ids:  # every id is its own value: only blanks are worth counting
                filled = sum(map(bool, map(str.strip, cells)))
                counters[position][""] += len(fitted) - filled
                counters[position]["\x00"] += filled
                continue
            if free[position]:
                continue
            counter = counters[position]
            counter.update(cells)
            if position in candidates and with_date:
                dated[position].update(map(itemgetter(position), with_date))
            if position not in roles and len(counter) > KEPT:
                free[position] = True
                dated[position].clear()
    _by_content(roles, rivals, counters, free)
    mapped = _mapped(options.values)
    order = options.date_order
    columns = []
    for position, title in enumerate(header):
        canonical, how = roles.get(position, (None, ""))
        counter = counters[position]
        joint = dated[position] if canonical == "outcome" and executed >= 0 else None
        columns.append(
            _column(title, position, canonical, how, counter, free[position], mapped, order,
                    rows, cap, joint)  # fmt: skip
        )
    if organs_of_kinds:
        columns[kind] = _notifications(columns[kind], organs_of_kinds, mapped.get("organ", {}))
    placed = {c.canonical for c in columns}
    return Survey(
        source=table.name,
        header_line=table.header_line,
        sheet_rows="row" if table.is_sheet else "line",
        rows=rows,
        columns=tuple(columns),
        missing=tuple(name for name in COLUMNS if name not in placed),
        rivals=tuple(
            (name, tuple(header[p] for p in positions))
            for name, positions in sorted(rivals.items(), key=lambda item: COLUMNS.index(item[0]))
            if positions and name in placed
        ),
    )


_NOTIFICATION_OF = {"OTP": "mission-notification", "Registry": "decision-notification"}


def _notifications(
    column: ColumnSurvey, pairs: Counter[tuple[str, str]], organ_words: Mapping[str, str]
) -> ColumnSurvey:
    """A kind word that says "notification" and no more is left for review, with the kind its
    rows' organ suggests: the OTP's notifications are of missions, the Registry's of
    decisions (SPEC §1)."""
    organs: dict[str, set[str | None]] = {}
    for kind_cell, organ_cell in pairs:
        folded = organ_cell.strip().casefold()
        meant = organ_words.get(folded)
        if meant is None and organ_cell.strip():
            guess = guess_word("organ", organ_cell)
            meant = guess.name if guess is not None else None
        organs.setdefault(kind_cell.strip().casefold(), set()).add(
            ORGANS.get(meant.casefold()) if meant else None
        )
    words = []
    for word in column.words:
        told = organs.get(word.value.casefold(), set())
        if (not word.understood and word.closest is None and len(told) == 1
                and None not in told
                and set(normal(word.value).split()) & _NOTIFICATION):  # fmt: skip
            (organ,) = told
            assert organ is not None
            word = word._replace(suggested=_NOTIFICATION_OF[organ], how=(
                f"its rows are all the {organ}'s, whose notifications are "
                f"{_NOTIFICATION_OF[organ]}s"
            ))
        words.append(word)
    return column._replace(words=tuple(words))


class _Dated(dict[str, bool]):
    """Whether an executed cell holds a date (not blank, not a word such as "Pending")."""

    def __missing__(self, cell: str) -> bool:
        value = self[cell] = not no_date_word(cell)
        return value


CONTENT_DISTINCT = 200  # a column with more distinct values is not judged by its words
CONTENT_FIT = 0.9  # the share of rows whose words are a column's for it to be guessed so


def _fit(canonical: str, counter: Counter[str]) -> float:
    """The share of a column's filled rows whose words are (or are guessed as) a vocabulary
    column's SPEC words: 1.0 for `RFA, RFC, RFI`, 0 for free text."""
    total = good = 0
    for cell, n in counter.items():
        pieces = [p for p in (cell.split(";") if canonical == "categories" else [cell])
                  if p.strip()]  # fmt: skip
        if not pieces:
            continue
        total += n
        guesses = [guess_word(canonical, piece) for piece in pieces]
        if all(g is not None and (g.name or canonical == "outcome") for g in guesses):
            good += n
    return good / total if total else 0.0


def _by_content(
    roles: dict[int, tuple[str, str]],
    rivals: dict[str, tuple[int, ...]],
    counters: Sequence[Counter[str]],
    free: Sequence[bool],
) -> None:
    """What the columns hold settles what their titles leave open: of two titles that fit one
    vocabulary column, the one whose words are that column's ("CATEGORY(IES)" before a free
    text "SUBJECT"); and a vocabulary column no title names is the column whose words are
    all its ("Bureau" holding "Siège", "Bureau de pays" is the origin)."""
    def judged(position: int) -> bool:
        return not free[position] and len(counters[position]) <= CONTENT_DISTINCT

    for position, (canonical, how) in list(roles.items()):
        if canonical not in VOCABULARY_COLUMNS or not how.startswith("guessed"):
            continue
        others = [p for p in rivals.get(canonical, ()) if judged(p)]
        if not others:
            continue
        mine = _fit(canonical, counters[position]) if judged(position) else 0.0
        best = max(others, key=lambda p: _fit(canonical, counters[p]))
        fit = _fit(canonical, counters[best])
        if fit > mine + 0.2:
            del roles[position]
            roles[best] = (canonical, f"guessed: its words are the {canonical} column's "
                           f"({fit:.0%} of its rows)")  # fmt: skip
            rivals[canonical] = tuple(p for p in rivals[canonical] if p != best) + (position,)
    placed = {canonical for canonical, _ in roles.values()}
    for canonical in VOCABULARY_COLUMNS:
        if canonical in placed:
            continue
        fits = [
            (_fit(canonical, counters[p]), -p) for p in range(len(counters))
            if p not in roles and judged(p) and any(c.strip() for c in counters[p])
        ]
        if not fits:
            continue
        fit, negative = max(fits)
        if fit >= CONTENT_FIT:
            roles[-negative] = (canonical, f"guessed: its words are the {canonical} column's "
                                f"({fit:.0%} of its rows)")  # fmt: skip
            placed.add(canonical)
            for name, positions in rivals.items():
                rivals[name] = tuple(p for p in positions if p != -negative)


def _column(
    title: str,
    position: int,
    canonical: str | None,
    how: str,
    counter: Counter[str],
    free: bool,
    mapped: dict[str, dict[str, str]],
    order: DateOrder | None,
    rows: int,
    cap: int,
    dated: Counter[str] | None = None,
) -> ColumnSurvey:
    blank = sum(n for cell, n in counter.items() if not cell.strip())
    cells = sum(counter.values()) - blank
    role: Role = (
        "extra" if canonical is None else "id" if canonical == "id"
        else "date" if canonical in DATE_COLUMNS else "vocabulary"
    )
    words: tuple[Word, ...] = ()
    distinct = more_values = more_rows = 0
    dates = None
    if free:
        cells = blank = 0  # counting stopped: only that it is free text is known
        distinct = KEPT
    elif role == "vocabulary":
        assert canonical is not None
        words = _words(canonical, counter, mapped.get(canonical, {}), dated)
        distinct = len(words)
    elif role == "extra":
        grouped = _spellings(counter, str.strip)
        grouped.pop("", None)  # blank cells are counted apart
        distinct = len(grouped)
        ranked = sorted(grouped.items(), key=lambda item: (-item[1][1], item[1][0]))
        words = tuple(
            Word(spelling, n, True, None, "", None) for _, (spelling, n) in ranked[:cap]
        )
        more_values = max(0, len(ranked) - cap)
        more_rows = sum(n for _, (_, n) in ranked[cap:])
    elif role == "date":
        assert canonical is not None
        dates = _dates(counter, order, mapped.get(canonical, {}))
        distinct = sum(1 for cell in counter if cell.strip())
    else:
        blank = counter[""]  # the id column: only blanks were counted (see survey)
        cells = counter["\x00"]
    return ColumnSurvey(
        title, position, canonical, how, role, cells, blank, distinct, words, more_values,
        more_rows, free, dates,
    )


def _spellings(counter: Counter[str], key: object) -> dict[str, tuple[str, int]]:
    """Cells grouped by `key` (a function): key -> (the most frequent spelling, count)."""
    assert callable(key)
    groups: dict[str, tuple[str, int, int]] = {}  # key -> spelling, its count, total
    for cell, n in counter.items():
        spelling = cell.strip()
        k = key(cell)
        if k not in groups:
            groups[k] = (spelling, n, n)
        else:
            best, best_n, total = groups[k]
            better = n > best_n or (n == best_n and spelling < best)
            groups[k] = (spelling, n, total + n) if better else (best, best_n, total + n)
    return {k: (spelling, total) for k, (spelling, _, total) in groups.items()}


def _words(
    column: str, counter: Counter[str], mapping: dict[str, str], dated: Counter[str] | None = None
) -> tuple[Word, ...]:
    """The distinct words of a vocabulary column, most frequent first (categories: each
    `;`-separated item); `dated`: the outcome's cells on rows with an executed date."""
    with_date: Counter[str] | None = None
    if dated is not None:
        with_date = Counter()
        for cell, n in dated.items():
            with_date[cell.strip().casefold()] += n
    if column == "categories":
        items: Counter[str] = Counter()
        for cell, n in counter.items():
            pieces = [piece for piece in cell.split(";") if piece.strip()]
            for piece in pieces or [""]:
                items[piece] += n
        counter = items
    grouped = _spellings(counter, lambda cell: cell.strip().casefold())
    spec = SPEC_WORDS[column]
    words = []
    for folded, (spelling, n) in grouped.items():
        if not folded:
            continue  # blank cells are counted apart
        rows_dated = None if with_date is None else with_date[folded]
        if folded in mapping:
            means = mapping[folded]
            words.append(
                Word(spelling, n, True, means, f"mapped in [values.{column}]", None, rows_dated)
            )
        elif folded in spec:
            words.append(Word(spelling, n, True, spec[folded], "the SPEC's word", None,
                              rows_dated))  # fmt: skip
        else:
            guess = guess_word(column, spelling)
            words.append(
                Word(spelling, n, False, None, guess.why if guess else "",
                     guess.name if guess else None, rows_dated)  # fmt: skip
            )
    return tuple(sorted(words, key=lambda w: (-w.rows, w.value)))


def _dates(counter: Counter[str], order: DateOrder | None, mapping: dict[str, str]) -> DateCells:
    """How many cells of a date column read as dates, and which do not."""
    proof = None
    if order is None:
        evidence = OrderEvidence()
        for cell in counter:
            evidence.add(0, cell)
        order = evidence.order()
        if order is not None and (evidence.day_first or evidence.month_first):
            for cell in counter:
                probe = OrderEvidence()
                probe.add(0, cell)
                if probe.order() == order and (probe.day_first or probe.month_first):
                    proof = cell.strip()
                    break
    parsed = no_date = failed = open_order = 0
    not_dates: Counter[str] = Counter()
    for cell, n in counter.items():
        text = mapping.get(cell.strip().casefold(), cell)
        if not text.strip():
            if cell.strip():
                no_date += n  # mapped onto empty
            continue
        try:
            parse_date(text, order)
            parsed += n
        except NeedDateOrder:
            open_order += n
        except DateProblem:
            failed += n
            not_dates[cell] += n
    # One entry per word whatever its letter case, as the config's [values.*] matches words.
    grouped = _spellings(not_dates, lambda cell: cell.strip().casefold())
    examples = sorted(grouped.values(), key=lambda item: (-item[1], item[0]))
    return DateCells(parsed, no_date, failed, tuple(examples[:DATE_EXAMPLES]), order, proof,
                     open_order)  # fmt: skip


# --- init ------------------------------------------------------------------------------------

_WORDS_OF = {
    "organ": "OTP, Registry",
    "kind": "RFA, mission-notification, RFI, RFC, decision-notification",
    "origin": "HQ, country-office",
    "categories": ", ".join(CATEGORIES),
    "outcome": 'positive, negative, "" (none yet)',
}
_DERIVED_ORGAN = (
    "each request's organ is then its kind's (SPEC §1: RFA, mission-notification and RFI are the "
    "OTP's, RFC and decision-notification the Registry's)"
)
_WITHOUT = {
    "organ": "coopstats needs it (OTP or Registry on every row): map the file's column here",
    "kind": "coopstats needs it: map the file's column here",
    "id": "coopstats needs it: map the file's column of request numbers here",
    "sent": "coopstats needs it: map the file's column of sending dates here",
    "origin": "without it no RFC can be read (each needs HQ or country-office)",
    "categories": "without it the breakdown and arrest figures are 0",
    "executed": "without it every request counts as pending",
    "outcome": "without it every executed request counts as a positive reply",
}


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    import json

    return json.dumps(text, ensure_ascii=False)


def _rows(n: int) -> str:
    return f"{n:,} row" + ("" if n == 1 else "s")


def config_text(found: Survey, command: str, given: Mapping[str, object] | None = None) -> str:
    """A `coopstats.toml` for the surveyed export (SPEC §8 `init`): [columns] and [values.*]
    from its headers and words, [defaults] from its dates, every guess marked `# review:` and
    every word it cannot place listed as a comment. `command` is the log as the user named it,
    for the example at the top; `given`, the reading options init was given ([defaults]
    names, e.g. encoding, sheet, dayfirst), written into [defaults] as they are."""
    out = [
        f"# coopstats.toml for {found.source}, written by 'coopstats init'.",
        "# Every guess is marked '# review:'. Check each, then run for example",
        f"#   coopstats summarize {command} --period 2024",
        "# coopstats reads ./coopstats.toml by itself; elsewhere pass --config FILE.",
        "",
        "[columns]  # the SPEC's name = the export's header",
    ]
    by_name = {c.canonical: c for c in found.columns if c.canonical is not None}
    rivals = dict(found.rivals)
    for canonical in COLUMNS:
        column = by_name.get(canonical)
        if column is None:
            without = _WITHOUT[canonical]
            if canonical == "organ" and "kind" in by_name:
                without = _DERIVED_ORGAN
            out.append(f"# {canonical}: no column found; {without}")
            continue
        others = rivals.get(canonical, ())
        also = ""
        if others:
            named = " and ".join(toml_string(title) for title in others)
            also = (f"; {named} {'fits' if len(others) == 1 else 'fit'} {canonical} too "
                    f"(left for --by): check which is the {canonical} column")  # fmt: skip
        if column.found_by != "its name":
            why = column.found_by.removeprefix("guessed: ")
            line = f"{canonical} = {toml_string(column.header)}"
            out.append(f"{line}  # review: {why}{also}" if column.found_by.startswith("guessed")
                       else f"{line}  # as given{also}")  # fmt: skip
        elif also:
            out.append(f"# review: {canonical} is read from its own column{also}")
    extras = [c for c in found.columns if c.role == "extra" and c.header.strip()]
    if extras:
        out.append("# other columns, for --by: " + ", ".join(toml_string(c.header) for c in extras))
    for canonical in VOCABULARY_COLUMNS:
        column = by_name.get(canonical)
        if column is not None:
            out += _value_lines(canonical, column)
    for canonical in DATE_COLUMNS:
        column = by_name.get(canonical)
        if column is not None and column.dates is not None:
            out += _date_lines(canonical, column)
    out += _defaults(found, by_name, given or {})
    return "\n".join(out) + "\n"


def _value_lines(canonical: str, column: ColumnSurvey) -> list[str]:
    lines: list[str] = []
    unplaced: list[tuple[Word, str]] = []  # a word left for review, and why
    for word in column.words:
        if word.understood and word.how == "the SPEC's word":
            continue
        if word.understood:
            lines.append(
                f"{toml_string(word.value)} = {toml_string(word.means or '')}  # from the "
                f"config in use ({_rows(word.rows)})"
            )
        elif canonical == "outcome" and word.closest == "" and word.dated:
            # An empty outcome on a row with an executed date is a positive reply (SPEC §1).
            unplaced.append((word, (
                f"REVIEW: {_rows(word.dated)} of it {'has' if word.dated == 1 else 'have'} an "
                "executed date, and an empty outcome there counts as a positive reply; map it "
                "onto negative, or onto \"\" once those dates are cleared"
            )))
        elif word.closest is not None:
            meaning = "an empty cell" if word.closest == "" else word.closest
            lines.append(
                f"{toml_string(word.value)} = {toml_string(word.closest)}  # review: "
                f"{word.how}, so {meaning} ({_rows(word.rows)})"
            )
        elif canonical == "outcome" and word.dated == 0:
            lines.append(
                f"{toml_string(word.value)} = \"\"  # review: none of its rows has an executed "
                f"date, so no outcome yet ({_rows(word.rows)})"
            )
        elif canonical == "categories" and len(several := _several(word.value)) > 1:
            lines.append(
                f"{toml_string(word.value)} = {toml_string(';'.join(several))}  # review: "
                f"names {' and '.join(several)}, so each of them ({_rows(word.rows)})"
            )
        elif word.suggested is not None:
            unplaced.append((word, (
                f"REVIEW: it does not say of what; {word.how}: if so, write "
                f"{toml_string(word.value)} = {toml_string(word.suggested)}"
            )))
        else:
            unplaced.append((word, f"not placed; map it onto one of {_WORDS_OF[canonical]}"))
    notes = []
    if canonical == "outcome" and column.words and not any(
        (w.means if w.understood else w.closest) == "negative" for w in column.words
    ) and not any(why.startswith("REVIEW") for _, why in unplaced):
        notes.append(
            f"# review: no word of {toml_string(column.header)} means negative, so every "
            "executed request counts as a positive reply: is another column the result?"
        )
    if not lines and not unplaced and not notes:
        return []
    head = ["", f"[values.{canonical}]  # the export's word = the SPEC's word"]
    tail = [f"# {toml_string(word.value)} ({_rows(word.rows)}): {why}" for word, why in unplaced]
    return head + notes + lines + tail


def _date_lines(canonical: str, column: ColumnSurvey) -> list[str]:
    dates = column.dates
    assert dates is not None
    lines = []
    unplaced = []
    for text, n in dates.examples:
        if canonical == "executed" and no_date_word(text):
            lines.append(
                f"{toml_string(text)} = \"\"  # review: no date yet, so pending ({_rows(n)})"
            )
        else:
            unplaced.append((text, n))
    more = dates.failed - sum(n for _, n in dates.examples)
    serials = [(text, n) for text, n in unplaced if _day_number(text)]
    tail = []
    if serials and len(serials) * 2 >= len(unplaced):
        # A column of Excel's day numbers: one note, not a line per number (nor a conversion).
        unplaced = [item for item in unplaced if item not in serials]
        text = serials[0][0].strip()
        day = EXCEL_EPOCH + timedelta(days=int(text))
        tail.append(
            f"# review: {_rows(sum(n for _, n in serials) + more)} hold whole numbers such as "
            f"{text!r}, Excel's day numbers ({text} is {day.isoformat()}): coopstats does not "
            "read them as dates; format the column as dates in the workbook, or export the "
            "dates as text"
        )
        more = 0
    tail += [f"# {toml_string(text)} ({_rows(n)}): not a date" for text, n in unplaced]
    if more:
        tail.append(f"# and {_rows(more)} more that are not dates ('coopstats values' lists them)")
    if not lines and not tail:
        return []
    return ["", f"[values.{canonical}]  # a word of the date column = \"\" (no date)", *lines,
            *tail]  # fmt: skip


EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (day 1 is 1900-01-01, with its 29 February)


def _day_number(text: str) -> bool:
    """Whether a cell is a whole number in the range of Excel's day numbers for 1955-2118."""
    text = text.strip()
    return text.isdigit() and 20_000 <= int(text) <= 80_000


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return toml_string(str(value))


def _defaults(
    found: Survey, by_name: Mapping[str, ColumnSurvey], given: Mapping[str, object]
) -> list[str]:
    lines = [f"{key} = {_toml_value(value)}  # as given to init" for key, value in given.items()]
    orders = {
        c.dates.order: c.dates.proof
        for c in (by_name.get(name) for name in DATE_COLUMNS)
        if c is not None and c.dates is not None and c.dates.proof is not None
    }
    if len(orders) == 1 and not {"dayfirst", "monthfirst"} & set(given):
        order, proof = next(iter(orders.items()))
        flag = "dayfirst" if order == "day" else "monthfirst"
        lines.append(f"{flag} = true  # review: {proof} proves the {order}-first order")
    if found.header_line > 1 and "header-row" not in given:
        noun = found.sheet_rows
        lines.append(
            f"# header-row = {found.header_line}  # the header is on {noun} {found.header_line}; "
            "coopstats finds it there by itself"
        )
    return ["", "[defaults]", *lines] if lines else []
