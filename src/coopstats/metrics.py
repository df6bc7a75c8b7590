"""The 25 metrics of SPEC §3: their ids, the report's words, and the rules that compute them.

Values are exact: counts are ints, rates, averages and evolutions are Fractions (so rounding
half-up at print time is exact too), and a figure the rules leave undefined is None.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import NamedTuple

from coopstats.engine import Window
from coopstats.groups import (
    ARREST,
    DECISION,
    HQ_DEFENCE,
    HQ_JUDICIAL,
    HQ_VICTIMS,
    HQ_WITNESS,
    MISSION,
    RFA,
    RFC_CO,
    RFC_HQ,
    RFI,
)

Value = int | Fraction | None

SECTION_1 = "1. General overview"
SECTION_2 = "2. Priority area 2"
SECTION_3 = "3. Priority area 3: Arrest and surrender"


class Metric(NamedTuple):
    id: str
    section: str
    label: str  # the report's own words
    kind: str  # "count", "pct" (a rate or an evolution, in %) or "days"


METRICS: tuple[Metric, ...] = tuple(
    Metric(*fields)
    for fields in (
        (
            "otp.rfa.sent",
            SECTION_1,
            "Total number of RFAs sent during the reporting period",
            "count",
        ),
        (
            "otp.rfa.mission_notifications",
            SECTION_1,
            "Notifications of missions included in the RFAs",
            "count",
        ),
        (
            "otp.rfa.sent_without_notifications",
            SECTION_1,
            "RFAs sent during the reporting period (without notifications)",
            "count",
        ),
        (
            "otp.rfa.evolution_pct",
            SECTION_1,
            "Evolution based on the last reporting period (with notifications)",
            "pct",
        ),
        (
            "otp.rfa.evolution_pct_without_notifications",
            SECTION_1,
            "Evolution based on the last reporting period (without notifications)",
            "pct",
        ),
        (
            "otp.rfa.executed",
            SECTION_2,
            "RFAs executed out of those sent during the reporting period",
            "count",
        ),
        (
            "otp.rfa.executed_pct",
            SECTION_2,
            "% of replies for the RFAs during the reporting period",
            "pct",
        ),
        ("otp.rfa.avg_days_to_execute", SECTION_1, "Average time needed to execute an RFA", "days"),
        (
            "otp.rfi.sent",
            SECTION_2,
            "Total number of Requests for Information (RFIs) concerning preliminary examinations",
            "count",
        ),
        (
            "registry.rfc.sent",
            SECTION_1,
            "Total number of Requests for Cooperation (RFCs) sent during the reporting period",
            "count",
        ),
        ("registry.rfc.hq", SECTION_1, "RFCs sent by the relevant sections in HQ", "count"),
        (
            "registry.rfc.country_office",
            SECTION_1,
            "Operational requests sent by the Country Offices",
            "count",
        ),
        (
            "registry.rfc.evolution_pct",
            SECTION_1,
            "Evolution based on the last reporting period for RFCs in total",
            "pct",
        ),
        (
            "registry.rfc.hq_evolution_pct",
            SECTION_1,
            "Evolution based on the last reporting period for RFCs sent by the HQ",
            "pct",
        ),
        (
            "registry.rfc.hq_avg_days_to_reply",
            SECTION_1,
            "Average time needed for reply to requests sent by the HQ",
            "days",
        ),
        (
            "registry.rfc.hq_positive_pct",
            SECTION_1,
            "% of positive replies to RFCs sent by the HQ during the reporting period",
            "pct",
        ),
        (
            "registry.decision_notifications",
            SECTION_1,
            "Number of notifications of decisions/orders sent during the reporting period",
            "count",
        ),
        (
            "registry.hq.defence",
            SECTION_2,
            "Defence teams' requests transmitted by the Registry",
            "count",
        ),
        (
            "registry.hq.victims",
            SECTION_2,
            "Legal Representatives for Victims teams' requests transmitted by the Registry",
            "count",
        ),
        ("registry.hq.witness_protection", SECTION_2, "Witness protection requests", "count"),
        (
            "registry.hq.judicial_support",
            SECTION_2,
            "Support to judicial proceedings' requests",
            "count",
        ),
        (
            "registry.hq.defence_avg_days_to_reply",
            SECTION_2,
            "Average time needed for reply to request from defence teams",
            "days",
        ),
        (
            "registry.arrest.sent",
            SECTION_3,
            "Total number of RFCs sent during the reporting period for arrest and surrender",
            "count",
        ),
        ("registry.arrest.avg_days_to_reply", SECTION_3, "Average time needed for reply", "days"),
        (
            "registry.arrest.positive_pct",
            SECTION_3,
            "% of positive replies to RFCs during the reporting period",
            "pct",
        ),
    )
)
METRIC_IDS = tuple(m.id for m in METRICS)
BY_ID = {m.id: m for m in METRICS}


def rate(part: int, whole: int) -> Fraction | None:
    """`100 * part / whole`; a zero whole gives no rate (SPEC §2)."""
    return Fraction(100 * part, whole) if whole else None


def evolution(current: int, prior: int) -> Fraction | None:
    """`100 * (current - prior) / prior`; a prior of zero gives no evolution (SPEC §2)."""
    return Fraction(100 * (current - prior), prior) if prior else None


def mean_days(window: Window, groups: Iterable[int]) -> Fraction | None:
    """Mean days to execute over E only: pending requests are excluded (footnote 8)."""
    total = count = 0
    for g in groups:
        for days, n in window.days[g].items():
            total += days * n
            count += n
    return Fraction(total, count) if count else None


def otp_rfa_groups(notifications: bool) -> tuple[int, ...]:
    """The OTP's RFAs: mission notifications are counted among them unless left out."""
    return (RFA, MISSION) if notifications else (RFA,)


def compute(current: Window, prior: Window | None, notifications: bool = True) -> dict[str, Value]:
    """Every metric of SPEC §3 for the current window; evolutions need the prior window."""
    sent, executed, positive = current.sent, current.executed, current.positive
    rfa = otp_rfa_groups(notifications)
    rfa_sent = sum(sent[g] for g in rfa)
    rfa_executed = sum(executed[g] for g in rfa)
    rfc_sent = sent[RFC_HQ] + sent[RFC_CO]

    def evolve(groups: tuple[int, ...], now: int) -> Fraction | None:
        return evolution(now, sum(prior.sent[g] for g in groups)) if prior is not None else None

    values: dict[str, Value] = {
        "otp.rfa.sent": rfa_sent,
        "otp.rfa.mission_notifications": sent[MISSION] if notifications else 0,
        "otp.rfa.sent_without_notifications": sent[RFA],
        "otp.rfa.evolution_pct": evolve(rfa, rfa_sent),
        "otp.rfa.evolution_pct_without_notifications": evolve((RFA,), sent[RFA]),
        "otp.rfa.executed": rfa_executed,
        "otp.rfa.executed_pct": rate(rfa_executed, rfa_sent),
        "otp.rfa.avg_days_to_execute": mean_days(current, rfa),
        "otp.rfi.sent": sent[RFI],
        "registry.rfc.sent": rfc_sent,
        "registry.rfc.hq": sent[RFC_HQ],
        "registry.rfc.country_office": sent[RFC_CO],
        "registry.rfc.evolution_pct": evolve((RFC_HQ, RFC_CO), rfc_sent),
        "registry.rfc.hq_evolution_pct": evolve((RFC_HQ,), sent[RFC_HQ]),
        "registry.rfc.hq_avg_days_to_reply": mean_days(current, (RFC_HQ,)),
        "registry.rfc.hq_positive_pct": rate(positive[RFC_HQ], sent[RFC_HQ]),
        "registry.decision_notifications": sent[DECISION],
        "registry.hq.defence": sent[HQ_DEFENCE],
        "registry.hq.victims": sent[HQ_VICTIMS],
        "registry.hq.witness_protection": sent[HQ_WITNESS],
        "registry.hq.judicial_support": sent[HQ_JUDICIAL],
        "registry.hq.defence_avg_days_to_reply": mean_days(current, (HQ_DEFENCE,)),
        "registry.arrest.sent": sent[ARREST],
        "registry.arrest.avg_days_to_reply": mean_days(current, (ARREST,)),
        "registry.arrest.positive_pct": rate(positive[ARREST], sent[ARREST]),
    }
    assert tuple(values) == METRIC_IDS
    return values
