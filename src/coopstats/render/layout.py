"""The report's section II as data: sections, their tables, and each row's words and value.

Every human format (Rich table, Markdown, HTML, SVG) draws this same structure, so they cannot
drift.
"""

from __future__ import annotations

from dataclasses import dataclass

from coopstats.catalogue import notifications_note
from coopstats.render import numbers as fmt
from coopstats.render.document import Document, Grid, Heading, Part
from coopstats.summary import Summary, where_note

SECTION_TITLES = (
    "1. General overview of data collected for requests for cooperation and assistance sent and "
    "received by the OTP and the Registry during the reporting period",
    "2. Priority area 2: Cooperation in support of preliminary examinations, investigations, "
    "prosecutions and judicial proceedings (including with the Defence)",
    "3. Priority area 3: Arrest and surrender",
)


# The figures the report's tables do not print: the machine formats carry them. A figure of the
# catalogue must be in the layout below or here (tests/test_catalogue.py checks it).
NOT_IN_LAYOUT = {
    # The report prints the RFAs with their notifications, and the evolution without them.
    "otp.rfa.sent_without_notifications",
}


@dataclass(frozen=True)
class Block:
    """One two-column table of the report: a title (the organ) and (words, value) rows."""

    title: str
    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class Section:
    title: str
    blocks: list[Block]


def caption(summary: Summary) -> str:
    """What a reader must know to reproduce the figures: period, as-of, prior, the toggle."""
    p, prior = summary.period, summary.prior
    notes = [
        f"Period {fmt.day(p.start)} to {fmt.day(p.end)}, executions as of {fmt.day(summary.as_of)}",
        f"prior period {fmt.day(prior.start)} to {fmt.day(prior.end)}",
        notifications_note(summary.notifications),
    ]
    if summary.days != "calendar":
        notes.append(f"days counted as {summary.days} days")
    return "; ".join(notes) + "." + where_note(summary.counted)


def sections(summary: Summary, decimals: int = 2) -> list[Section]:
    """The report's section II for one summary, values written as the report writes them."""
    v = summary.values
    p, prior = summary.period, summary.prior
    span = f"({fmt.day(p.start)} to {fmt.day(p.end)})"
    prior_span = f"({fmt.day(prior.start)} to {fmt.day(prior.end)})"
    unit = "days" if summary.days == "calendar" else f"{summary.days} days"

    def days(metric: str) -> str:
        text = fmt.days(v[metric], decimals)
        return text if text == fmt.NA else text.replace(" days", f" {unit}")

    def pct(metric: str) -> str:
        return fmt.pct(v[metric], decimals)

    def evo(metric: str) -> str:
        return fmt.signed_pct(v[metric], decimals)

    if summary.notifications:
        rfas = (
            f"{v['otp.rfa.sent']} RFAs (including {v['otp.rfa.mission_notifications']} "
            "notifications of missions)"
        )
        evolution = (
            f"{evo('otp.rfa.evolution_pct')} (with notifications) and "
            f"{evo('otp.rfa.evolution_pct_without_notifications')} (without notifications)"
        )
    else:
        rfas = f"{v['otp.rfa.sent']} RFAs (notifications of missions left out)"
        evolution = f"{evo('otp.rfa.evolution_pct_without_notifications')} (without notifications)"
    between = f"between {fmt.day(p.start)} and {fmt.day(p.end)}"
    if summary.as_of != p.end:
        between = f"sent {between}, as of {fmt.day(summary.as_of)}"
    replies = (
        f"{pct('otp.rfa.executed_pct')} (a total of {v['otp.rfa.executed']} RFAs executed out "
        f"of the {v['otp.rfa.sent']}, {between})"
    )
    rfcs = (
        f"{v['registry.rfc.sent']} RFCs (including {v['registry.rfc.hq']} RFCs sent by the "
        f"relevant sections in HQ and {v['registry.rfc.country_office']} operational requests "
        "sent by the Country Offices)"
    )
    rfc_evolution = (
        f"{evo('registry.rfc.evolution_pct')} for RFCs in total and "
        f"{evo('registry.rfc.hq_evolution_pct')} for RFCs sent by the HQ"
    )
    otp, registry = "Office of the Prosecutor", "Registry"
    overview_otp = Block(otp, [
        ("Total number of Requests for Assistance (“RFAs”) sent during the reporting period "
         + span, rfas),
        (f"Evolution based on the last reporting period {prior_span}", evolution),
        ("Average time needed to execute an RFA", days("otp.rfa.avg_days_to_execute")),
    ])
    overview_registry = Block(registry, [
        ("Total number of Requests for Cooperation (“RFCs”) sent during the reporting period "
         + span, rfcs),
        (f"Evolution based on the last reporting period {prior_span}", rfc_evolution),
        ("Average time needed for reply to requests sent by the HQ",
         days("registry.rfc.hq_avg_days_to_reply")),
        ("% of positive replies to RFCs sent by the HQ during the reporting period",
         pct("registry.rfc.hq_positive_pct")),
        ("Number of notifications of decisions/orders sent during the reporting period",
         str(v["registry.decision_notifications"])),
    ])
    area2_otp = Block(otp, [
        ("Total number of RFAs sent during the reporting period", rfas),
        ("Total number of Requests for Information (“RFIs”) concerning preliminary examinations "
         "for the reporting period", f"{v['otp.rfi.sent']} RFIs"),
        ("% of replies for the RFAs during the reporting period", replies),
        ("Average time needed to execute an RFA", days("otp.rfa.avg_days_to_execute")),
    ])
    specific = f"{registry}: RFCs sent during the reporting period for specific requests"
    area2_registry = Block(specific, [
        ("Number of requests for cooperation", str(v["registry.rfc.hq"])),
        ("Defence teams’ requests transmitted by the Registry", str(v["registry.hq.defence"])),
        ("Legal Representatives for Victims teams’ requests transmitted by the Registry",
         str(v["registry.hq.victims"])),
        ("Witness protection requests", str(v["registry.hq.witness_protection"])),
        ("Support to judicial proceedings’ requests", str(v["registry.hq.judicial_support"])),
        ("Average time needed for reply to request from defence teams",
         days("registry.hq.defence_avg_days_to_reply")),
    ])
    area3 = Block(registry, [
        ("Total number of RFCs sent during the reporting period for arrest and surrender",
         str(v["registry.arrest.sent"])),
        ("Average time needed for reply", days("registry.arrest.avg_days_to_reply")),
        ("% of positive replies to RFCs during the reporting period",
         pct("registry.arrest.positive_pct")),
    ])
    return [
        Section(SECTION_TITLES[0], [overview_otp, overview_registry]),
        Section(SECTION_TITLES[1], [area2_otp, area2_registry]),
        Section(SECTION_TITLES[2], [area3]),
    ]


def section_parts(sections: list[Section]) -> list[Part]:
    """The report's section II as document parts: a heading per section, a table per block."""
    parts: list[Part] = []
    for section in sections:
        parts.append(Heading(section.title, 2))
        for block in section.blocks:
            parts.append(
                Grid(caption=block.title, header=("Indicator", "Value"), rows=tuple(block.rows))
            )
    return parts


def summary_document(title: str, summary: Summary, decimals: int = 2) -> Document:
    return Document(
        title,
        caption(summary),
        tuple(section_parts(sections(summary, decimals))),
        tuple(summary.warnings),
    )
