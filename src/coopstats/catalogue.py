"""The figures of SPEC §3 as data: one catalogue that every part of coopstats iterates.

Each figure is one row: its id, section, the report's words, its *shape* (how it follows from
counts) and the base groups of requests it sums. The groups are data too: the kind, origin and
category a request must have to count in one. From these two tables alone come

- the figures' values (`evaluate`, over any window of counts),
- the requests behind a figure (`explain --metric` lists the same groups),
- the SQL query (sql.py compiles each shape over each group's predicate),
- the unit and the change of a figure in `compare`, and its value on screen.

So a figure is added by adding one row to FIGURES (and, to show it in the human table, one row
to render/layout.py: a test fails when a figure is in neither the layout nor its exceptions).
Read FIGURES at call time (`catalogue.FIGURES`), not by copying it at import, so that the one
table stays the one truth.

Values are exact: counts are ints, rates, averages and evolutions are Fractions (so rounding
half-up at print time is exact too), and a figure the rules leave undefined is None.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple, Protocol

Value = int | Fraction | None


class Shape(StrEnum):
    """How a figure follows from the counts of its groups (SPEC §2)."""

    SENT = "sent"  # requests sent in the period (S)
    EXECUTED = "executed"  # those of S executed as of the as-of date (E)
    RATE = "rate"  # 100 * E / S
    POSITIVE = "positive"  # 100 * E with a positive reply / S
    DAYS = "days"  # mean days to execute over E (footnote 8)
    EVOLUTION = "evolution"  # 100 * (S - S of the prior period) / S of the prior period


UNITS: dict[Shape, str] = {
    Shape.SENT: "count",
    Shape.EXECUTED: "count",
    Shape.RATE: "pct",
    Shape.POSITIVE: "pct",
    Shape.DAYS: "days",
    Shape.EVOLUTION: "pct",
}


class Group(NamedTuple):
    """A base group of requests: every figure sums some. A request is in a group when it has
    the group's kind, and its origin and category when the group names one."""

    index: int  # type: ignore[assignment]  # its place in a window's count lists (shadows tuple.index)
    name: str
    words: str  # what `explain` calls its requests
    kind: str  # a SPEC §1 kind word
    origin: str | None = None  # None: any origin
    category: str | None = None  # None: no category required

    def holds(self, kind: str, origin: str | None, categories: Iterable[str]) -> bool:
        return (
            kind == self.kind
            and (self.origin is None or origin == self.origin)
            and (self.category is None or self.category in categories)
        )


GROUPS: tuple[Group, ...] = tuple(
    Group(index, *row)  # type: ignore[arg-type]
    for index, row in enumerate(
        (
            ("rfa", "OTP RFAs", "RFA"),
            ("mission", "OTP notifications of missions", "mission-notification"),
            ("rfi", "OTP RFIs", "RFI"),
            ("rfc_hq", "Registry RFCs sent by HQ", "RFC", "HQ"),
            ("rfc_co", "Registry RFCs sent by country offices", "RFC", "country-office"),
            # Only RFCs are broken down by category (SPEC §1); a request carrying several
            # categories counts under each. The HQ breakdown counts HQ RFCs only.
            ("hq_defence", "HQ RFCs for defence teams", "RFC", "HQ", "defence"),
            ("hq_victims", "HQ RFCs for victims' legal representatives", "RFC", "HQ", "victims"),
            ("hq_witness", "HQ RFCs for witness protection", "RFC", "HQ", "witness-protection"),
            (
                "hq_judicial",
                "HQ RFCs in support of judicial proceedings",
                "RFC",
                "HQ",
                "judicial-support",
            ),
            # Arrest and surrender counts RFCs of any origin (SPEC §3).
            ("arrest", "RFCs for arrest and surrender", "RFC", None, "arrest-surrender"),
            ("decision", "Registry notifications of decisions/orders", "decision-notification"),
        )
    )
)
GROUP = {g.name: g for g in GROUPS}
MISSION = GROUP["mission"]  # the group the notifications toggle leaves out


# The seven groups of the time measures (SPEC §7, `coopstats times`): id, label, base groups
# (by their names above). Unions are of disjoint base groups, except the category groups (a
# request may carry several categories), which stand alone. The notifications toggle leaves
# the mission group out, as in every figure.
TIMES_GROUPS: tuple[tuple[str, str, tuple[int, ...]], ...] = tuple(
    (gid, label, tuple(GROUP[name].index for name in names.split()))
    for gid, label, names in (
        ("otp.rfa", "OTP: requests for assistance (RFAs)", "rfa mission"),
        ("otp.rfi", "OTP: requests for information on preliminary examinations (RFIs)", "rfi"),
        ("registry.rfc", "Registry: requests for cooperation (RFCs)", "rfc_hq rfc_co"),
        ("registry.rfc.hq", "Registry: RFCs sent by the sections in HQ", "rfc_hq"),
        (
            "registry.rfc.country_office",
            "Registry: operational requests sent by the Country Offices",
            "rfc_co",
        ),
        ("registry.hq.defence", "Registry: defence teams' requests (HQ RFCs)", "hq_defence"),
        ("registry.arrest", "Registry: RFCs for arrest and surrender", "arrest"),
    )
)


def groups_of(kind: str, origin: str | None, categories: Sequence[str]) -> tuple[int, ...]:
    """The indexes of the groups one request counts in."""
    return tuple(g.index for g in GROUPS if g.holds(kind, origin, categories))


def notifications_note(notifications: bool) -> str:
    """The words every caption uses for the notifications toggle."""
    return (
        "mission notifications counted among RFAs"
        if notifications
        else "mission notifications left out"
    )


SECTION_1 = "1. General overview"
SECTION_2 = "2. Priority area 2"
SECTION_3 = "3. Priority area 3: Arrest and surrender"


class Figure(NamedTuple):
    """One figure of SPEC §3."""

    id: str
    section: str
    label: str  # the report's own words
    shape: Shape
    groups: tuple[Group, ...]

    @property
    def unit(self) -> str:
        """"count", "pct" (a rate or an evolution, in %) or "days"."""
        return UNITS[self.shape]


def _figures(*rows: tuple[str, str, str, Shape, str]) -> tuple[Figure, ...]:
    return tuple(
        Figure(fid, section, label, shape, tuple(GROUP[name] for name in names.split()))
        for fid, section, label, shape, names in rows
    )


S, E, RATE, POS, DAYS, EVO = Shape
RFA, RFC = "rfa mission", "rfc_hq rfc_co"
FIGURES: tuple[Figure, ...] = _figures(  # SPEC §3, in its order
    ("otp.rfa.sent", SECTION_1,
     "Total number of RFAs sent during the reporting period", S, RFA),
    ("otp.rfa.mission_notifications", SECTION_1,
     "Notifications of missions included in the RFAs", S, "mission"),
    ("otp.rfa.sent_without_notifications", SECTION_1,
     "RFAs sent during the reporting period (without notifications)", S, "rfa"),
    ("otp.rfa.evolution_pct", SECTION_1,
     "Evolution based on the last reporting period (with notifications)", EVO, RFA),
    ("otp.rfa.evolution_pct_without_notifications", SECTION_1,
     "Evolution based on the last reporting period (without notifications)", EVO, "rfa"),
    ("otp.rfa.executed", SECTION_2,
     "RFAs executed out of those sent during the reporting period", E, RFA),
    ("otp.rfa.executed_pct", SECTION_2,
     "% of replies for the RFAs during the reporting period", RATE, RFA),
    ("otp.rfa.avg_days_to_execute", SECTION_1,
     "Average time needed to execute an RFA", DAYS, RFA),
    ("otp.rfi.sent", SECTION_2,
     "Total number of Requests for Information (RFIs) concerning preliminary examinations",
     S, "rfi"),
    ("registry.rfc.sent", SECTION_1,
     "Total number of Requests for Cooperation (RFCs) sent during the reporting period", S, RFC),
    ("registry.rfc.hq", SECTION_1,
     "RFCs sent by the relevant sections in HQ", S, "rfc_hq"),
    ("registry.rfc.country_office", SECTION_1,
     "Operational requests sent by the Country Offices", S, "rfc_co"),
    ("registry.rfc.evolution_pct", SECTION_1,
     "Evolution based on the last reporting period for RFCs in total", EVO, RFC),
    ("registry.rfc.hq_evolution_pct", SECTION_1,
     "Evolution based on the last reporting period for RFCs sent by the HQ", EVO, "rfc_hq"),
    ("registry.rfc.hq_avg_days_to_reply", SECTION_1,
     "Average time needed for reply to requests sent by the HQ", DAYS, "rfc_hq"),
    ("registry.rfc.hq_positive_pct", SECTION_1,
     "% of positive replies to RFCs sent by the HQ during the reporting period", POS, "rfc_hq"),
    ("registry.decision_notifications", SECTION_1,
     "Number of notifications of decisions/orders sent during the reporting period",
     S, "decision"),
    ("registry.hq.defence", SECTION_2,
     "Defence teams' requests transmitted by the Registry", S, "hq_defence"),
    ("registry.hq.victims", SECTION_2,
     "Legal Representatives for Victims teams' requests transmitted by the Registry",
     S, "hq_victims"),
    ("registry.hq.witness_protection", SECTION_2,
     "Witness protection requests", S, "hq_witness"),
    ("registry.hq.judicial_support", SECTION_2,
     "Support to judicial proceedings' requests", S, "hq_judicial"),
    ("registry.hq.defence_avg_days_to_reply", SECTION_2,
     "Average time needed for reply to request from defence teams", DAYS, "hq_defence"),
    ("registry.arrest.sent", SECTION_3,
     "Total number of RFCs sent during the reporting period for arrest and surrender",
     S, "arrest"),
    ("registry.arrest.avg_days_to_reply", SECTION_3,
     "Average time needed for reply", DAYS, "arrest"),
    ("registry.arrest.positive_pct", SECTION_3,
     "% of positive replies to RFCs during the reporting period", POS, "arrest"),
)  # fmt: skip
del S, E, RATE, POS, DAYS, EVO, RFA, RFC


def figure_ids() -> tuple[str, ...]:
    return tuple(f.id for f in FIGURES)


def figure(figure_id: str) -> Figure | None:
    """The figure with this id, or None."""
    return next((f for f in FIGURES if f.id == figure_id), None)


def figure_groups(figure: Figure, notifications: bool) -> tuple[Group, ...]:
    """The groups a figure sums under the notifications toggle (SPEC §2): with notifications
    left out, the mission group is dropped from every figure, so that none is included
    anywhere (and `otp.rfa.mission_notifications`, which sums that group alone, is 0)."""
    if notifications:
        return figure.groups
    return tuple(g for g in figure.groups if g is not MISSION)


class Counts(Protocol):
    """What a figure is computed from: a window's counts per base group."""

    @property
    def sent(self) -> Sequence[int]: ...
    @property
    def executed(self) -> Sequence[int]: ...
    @property
    def positive(self) -> Sequence[int]: ...
    @property
    def days(self) -> Sequence[dict[int, int]]: ...


def rate(part: int, whole: int) -> Fraction | None:
    """`100 * part / whole`; a zero whole gives no rate (SPEC §2)."""
    return Fraction(100 * part, whole) if whole else None


def evolution(current: int, prior: int) -> Fraction | None:
    """`100 * (current - prior) / prior`; a prior of zero gives no evolution (SPEC §2)."""
    return Fraction(100 * (current - prior), prior) if prior else None


def mean_days(counts: Counts, groups: Iterable[int]) -> Fraction | None:
    """Mean days to execute over E only: pending requests are excluded (footnote 8)."""
    total = n = 0
    for g in groups:
        for days, k in counts.days[g].items():
            total += days * k
            n += k
    return Fraction(total, n) if n else None


def evaluate(
    figure: Figure, current: Counts, prior: Counts | None, notifications: bool = True
) -> Value:
    """One figure's value from the counts of the current window (and the prior's, for an
    evolution; without a prior window an evolution is None)."""
    groups = [g.index for g in figure_groups(figure, notifications)]
    sent = sum(current.sent[g] for g in groups)
    shape = figure.shape
    if shape is Shape.SENT:
        return sent
    if shape is Shape.EXECUTED:
        return sum(current.executed[g] for g in groups)
    if shape is Shape.RATE:
        return rate(sum(current.executed[g] for g in groups), sent)
    if shape is Shape.POSITIVE:
        return rate(sum(current.positive[g] for g in groups), sent)
    if shape is Shape.DAYS:
        return mean_days(current, groups)
    if prior is None:
        return None
    return evolution(sent, sum(prior.sent[g] for g in groups))


def compute(current: Counts, prior: Counts | None, notifications: bool = True) -> dict[str, Value]:
    """Every figure of the catalogue, in its order."""
    return {f.id: evaluate(f, current, prior, notifications) for f in FIGURES}
