"""A second, deliberately simple implementation of SPEC §2–3, for tests only.

Written from /work/shared/SPEC.md alone, without looking at the engine in src/coopstats/.
Clarity over speed: every metric is a plain filter-and-count over the rows, and every
non-count is an exact ``Fraction`` so tests can check the report's rounding themselves.

Input rows are dicts keyed by the SPEC's canonical column names (id, organ, kind, origin,
categories, sent, executed, outcome) holding strings exactly as they would appear in a CSV cell,
with ISO dates. Rows are assumed valid (SPEC §1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from dateutil.relativedelta import relativedelta

Value = int | Fraction | None

# The 25 metric ids of SPEC §3, in the SPEC's order.
METRIC_IDS: tuple[str, ...] = (
    "otp.rfa.sent",
    "otp.rfa.mission_notifications",
    "otp.rfa.sent_without_notifications",
    "otp.rfa.evolution_pct",
    "otp.rfa.evolution_pct_without_notifications",
    "otp.rfa.executed",
    "otp.rfa.executed_pct",
    "otp.rfa.avg_days_to_execute",
    "otp.rfi.sent",
    "registry.rfc.sent",
    "registry.rfc.hq",
    "registry.rfc.country_office",
    "registry.rfc.evolution_pct",
    "registry.rfc.hq_evolution_pct",
    "registry.rfc.hq_avg_days_to_reply",
    "registry.rfc.hq_positive_pct",
    "registry.decision_notifications",
    "registry.hq.defence",
    "registry.hq.victims",
    "registry.hq.witness_protection",
    "registry.hq.judicial_support",
    "registry.hq.defence_avg_days_to_reply",
    "registry.arrest.sent",
    "registry.arrest.avg_days_to_reply",
    "registry.arrest.positive_pct",
)


@dataclass(frozen=True)
class Req:
    """One request, with vocabulary lower-cased and stripped and dates parsed."""

    organ: str
    kind: str
    origin: str
    categories: frozenset[str]
    sent: date
    executed: date | None
    outcome: str


def _word(cell: str | None) -> str:
    """SPEC §1: vocabulary is matched case-insensitively, ignoring surrounding spaces."""
    return (cell or "").strip().lower()


def _iso(cell: str | None) -> date | None:
    """ISO `YYYY-MM-DD`; a time part is ignored; an empty cell is no date."""
    text = (cell or "").strip()
    if not text:
        return None
    return date.fromisoformat(text[:10])


def parse_row(row: dict[str, str]) -> Req:
    sent = _iso(row["sent"])
    assert sent is not None, f"row {row.get('id')!r} has no sent date"
    categories = frozenset(
        _word(part) for part in (row.get("categories") or "").split(";") if _word(part)
    )
    return Req(
        organ=_word(row["organ"]),
        kind=_word(row["kind"]),
        origin=_word(row.get("origin")),
        categories=categories,
        sent=sent,
        executed=_iso(row.get("executed")),
        outcome=_word(row.get("outcome")),
    )


# --- the building blocks of SPEC §2 -------------------------------------------------------


def sent_in(reqs: Iterable[Req], start: date, end: date) -> list[Req]:
    """S: `START <= sent <= END`, both ends inclusive."""
    return [r for r in reqs if start <= r.sent <= end]


def executed_as_of(reqs: Iterable[Req], as_of: date) -> list[Req]:
    """E: executed only if `executed <= as-of`; a later date means still pending then."""
    return [r for r in reqs if r.executed is not None and r.executed <= as_of]


def is_positive(req: Req) -> bool:
    """An executed request with an empty outcome is positive."""
    return req.outcome in ("", "positive")


def days_to_execute(req: Req) -> int:
    assert req.executed is not None
    return (req.executed - req.sent).days


def mean_days(executed: list[Req]) -> Fraction | None:
    """Averages are over E only; no request in E gives no average."""
    if not executed:
        return None
    return Fraction(sum(days_to_execute(r) for r in executed), len(executed))


def rate(part: int, whole: int) -> Fraction | None:
    """`100 * part / whole`; a zero whole gives N/A."""
    if whole == 0:
        return None
    return Fraction(100 * part, whole)


def evolution(current: int, prior: int) -> Fraction | None:
    """`100 * (current - prior) / prior`; a prior of zero gives N/A."""
    if prior == 0:
        return None
    return Fraction(100 * (current - prior), prior)


def oracle_prior_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same calendar length that ends the day before START (SPEC §2)."""
    return oracle_period_before(start, end, 1)


def oracle_period_before(start: date, end: date, k: int) -> tuple[date, date]:
    """The k-th consecutive period before START:END, counted from START, never chained (SPEC §2).

    When END + 1 day lies a whole number n of months after START (by relativedelta's month
    arithmetic, which clamps to the month's last day), it is START - k*n months to
    START - (k-1)*n months - 1 day; otherwise the k-th block of the period's number of days.
    """
    after_end = end + timedelta(days=1)
    # start + n months always lands in the month start.month + n, so the month distance between
    # START and END + 1 is the only candidate n.
    months = (after_end.year - start.year) * 12 + (after_end.month - start.month)
    one = timedelta(days=1)
    if months >= 1 and start + relativedelta(months=months) == after_end:
        return (
            start - relativedelta(months=k * months),
            start - relativedelta(months=(k - 1) * months) - one,
        )
    length = timedelta(days=(end - start).days + 1)
    return start - k * length, start - (k - 1) * length - one


# --- selections by kind -----------------------------------------------------------------


def _otp_rfa_kinds(notifications: bool) -> set[str]:
    return {"rfa", "mission-notification"} if notifications else {"rfa"}


def _is(organ: str, kinds: set[str]) -> Callable[[Req], bool]:
    return lambda r: r.organ == organ and r.kind in kinds


def _count(reqs: Iterable[Req], keep: Callable[[Req], bool]) -> int:
    return sum(1 for r in reqs if keep(r))


def _is_rfc(r: Req) -> bool:
    return r.organ == "registry" and r.kind == "rfc"


def _is_hq_rfc(r: Req) -> bool:
    return _is_rfc(r) and r.origin == "hq"


def oracle_metrics(
    rows: list[dict[str, str]],
    start: date,
    end: date,
    *,
    as_of: date | None = None,
    notifications: bool = True,
    prior: tuple[date, date] | None = None,
) -> dict[str, Value]:
    """All 25 metrics of SPEC §3 for the period [start, end]."""
    if as_of is None:
        as_of = end
    assert start <= end, "period ends before it starts"
    assert as_of >= start, "--as-of may not be before the period's start"
    if prior is None:
        prior = oracle_prior_period(start, end)

    reqs = [parse_row(row) for row in rows]
    s = sent_in(reqs, start, end)
    s_prior = sent_in(reqs, *prior)

    is_otp_rfa = _is("otp", _otp_rfa_kinds(notifications))
    is_plain_rfa = _is("otp", {"rfa"})
    # With --no-notifications no mission notification is included, so the count is 0.
    is_mission = _is("otp", {"mission-notification"} if notifications else set())

    otp_rfa = [r for r in s if is_otp_rfa(r)]
    otp_rfa_done = executed_as_of(otp_rfa, as_of)

    rfc = [r for r in s if _is_rfc(r)]
    hq = [r for r in rfc if r.origin == "hq"]
    hq_done = executed_as_of(hq, as_of)
    defence = [r for r in hq if "defence" in r.categories]
    arrest = [r for r in rfc if "arrest-surrender" in r.categories]
    arrest_done = executed_as_of(arrest, as_of)

    def hq_with(category: str) -> int:
        return sum(1 for r in hq if category in r.categories)

    return {
        "otp.rfa.sent": len(otp_rfa),
        "otp.rfa.mission_notifications": _count(s, is_mission),
        "otp.rfa.sent_without_notifications": _count(s, is_plain_rfa),
        "otp.rfa.evolution_pct": evolution(len(otp_rfa), _count(s_prior, is_otp_rfa)),
        "otp.rfa.evolution_pct_without_notifications": evolution(
            _count(s, is_plain_rfa), _count(s_prior, is_plain_rfa)
        ),
        "otp.rfa.executed": len(otp_rfa_done),
        "otp.rfa.executed_pct": rate(len(otp_rfa_done), len(otp_rfa)),
        "otp.rfa.avg_days_to_execute": mean_days(otp_rfa_done),
        "otp.rfi.sent": _count(s, _is("otp", {"rfi"})),
        "registry.rfc.sent": len(rfc),
        "registry.rfc.hq": len(hq),
        "registry.rfc.country_office": sum(1 for r in rfc if r.origin == "country-office"),
        "registry.rfc.evolution_pct": evolution(len(rfc), _count(s_prior, _is_rfc)),
        "registry.rfc.hq_evolution_pct": evolution(len(hq), _count(s_prior, _is_hq_rfc)),
        "registry.rfc.hq_avg_days_to_reply": mean_days(hq_done),
        "registry.rfc.hq_positive_pct": rate(sum(1 for r in hq_done if is_positive(r)), len(hq)),
        "registry.decision_notifications": _count(s, _is("registry", {"decision-notification"})),
        "registry.hq.defence": len(defence),
        "registry.hq.victims": hq_with("victims"),
        "registry.hq.witness_protection": hq_with("witness-protection"),
        "registry.hq.judicial_support": hq_with("judicial-support"),
        "registry.hq.defence_avg_days_to_reply": mean_days(executed_as_of(defence, as_of)),
        "registry.arrest.sent": len(arrest),
        "registry.arrest.avg_days_to_reply": mean_days(arrest_done),
        "registry.arrest.positive_pct": rate(
            sum(1 for r in arrest_done if is_positive(r)), len(arrest)
        ),
    }


def prior_is_incomplete(rows: list[dict[str, str]], prior_start: date) -> bool:
    """SPEC §2: when the log's earliest sent date is after the prior start, say so."""
    sents = [parse_row(row).sent for row in rows]
    return bool(sents) and min(sents) > prior_start
