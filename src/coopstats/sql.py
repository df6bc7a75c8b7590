"""One SQL query that computes the metrics of SPEC §3 where the data lives.

`build_query` writes a single statement for DuckDB, PostgreSQL or SQL Server over a table with the
SPEC's columns (`sent` and `executed` as DATE, the rest as text). It reads the table once,
normalises each row into 0/1 flags, sums the flags in one pass of conditional aggregation and then
turns the one row of sums into one row per metric by joining a VALUES list of the metric ids, so the
same shape runs unchanged on all three engines and the table is scanned only once (SQL Server
inlines a CTE at every reference, so a UNION ALL of 25 SELECTs over it would scan 25 times).

The result has the columns `id` and `value` (double precision, counts too; NULL for N/A), one row
per metric in SPEC §3's order.

This module is pure and uses only the standard library, so importing it costs the CLI's start-up
nothing worth measuring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = ["DIALECTS", "METRIC_IDS", "build_query"]

DIALECTS: tuple[str, ...] = ("duckdb", "postgres", "sqlserver")

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class _Dialect:
    double: str  # the 8-byte float type, so rates and averages divide in floating point
    quote_open: str
    quote_close: str
    date_literal: str  # a str.format template taking the ISO date as {0}
    days: str  # calendar days from `sent` to `executed`


_DIALECTS: dict[str, _Dialect] = {
    "duckdb": _Dialect("DOUBLE", '"', '"', "DATE '{0}'", "executed - sent"),
    "postgres": _Dialect("DOUBLE PRECISION", '"', '"', "DATE '{0}'", "executed - sent"),
    # SQL Server has no DATE '...' literal and no date subtraction; an ISO 'YYYY-MM-DD' string
    # casts to DATE the same way whatever the session's language or DATEFORMAT.
    "sqlserver": _Dialect(
        "FLOAT", "[", "]", "CAST('{0}' AS DATE)", "DATEDIFF(day, sent, executed)"
    ),
}

# SPEC §3, in its order: (metric id, expression over the sums of the `totals` CTE). The `{d}`
# placeholder is the dialect's double type. Counts are cast to double too, so every branch of the
# final CASE has one type.
_COUNT = "CAST({n} AS {{d}})"
# 100 * part / whole: the numerator is multiplied while still an exact integer, then one floating
# division, which is what Python's `100 * part / whole` does; NULLIF turns a zero whole into NULL
# (N/A) without relying on CASE short-circuiting, which SQL Server does not promise around
# aggregates.
_RATE = "CAST(100 * {part} AS {{d}}) / CAST(NULLIF({whole}, 0) AS {{d}})"
_EVOLUTION = "CAST(100 * ({cur} - {prior}) AS {{d}}) / CAST(NULLIF({prior}, 0) AS {{d}})"
_MEAN = "CAST({total} AS {{d}}) / CAST(NULLIF({n}, 0) AS {{d}})"

_METRICS: tuple[tuple[str, str], ...] = (
    ("otp.rfa.sent", _COUNT.format(n="rfa_n")),
    ("otp.rfa.mission_notifications", _COUNT.format(n="mission_n")),
    ("otp.rfa.sent_without_notifications", _COUNT.format(n="rfa_only_n")),
    ("otp.rfa.evolution_pct", _EVOLUTION.format(cur="rfa_n", prior="rfa_prior")),
    (
        "otp.rfa.evolution_pct_without_notifications",
        _EVOLUTION.format(cur="rfa_only_n", prior="rfa_only_prior"),
    ),
    ("otp.rfa.executed", _COUNT.format(n="rfa_done")),
    ("otp.rfa.executed_pct", _RATE.format(part="rfa_done", whole="rfa_n")),
    ("otp.rfa.avg_days_to_execute", _MEAN.format(total="rfa_days", n="rfa_done")),
    ("otp.rfi.sent", _COUNT.format(n="rfi_n")),
    ("registry.rfc.sent", _COUNT.format(n="rfc_n")),
    ("registry.rfc.hq", _COUNT.format(n="hq_n")),
    ("registry.rfc.country_office", _COUNT.format(n="office_n")),
    ("registry.rfc.evolution_pct", _EVOLUTION.format(cur="rfc_n", prior="rfc_prior")),
    ("registry.rfc.hq_evolution_pct", _EVOLUTION.format(cur="hq_n", prior="hq_prior")),
    ("registry.rfc.hq_avg_days_to_reply", _MEAN.format(total="hq_days", n="hq_done")),
    ("registry.rfc.hq_positive_pct", _RATE.format(part="hq_positive", whole="hq_n")),
    ("registry.decision_notifications", _COUNT.format(n="decision_n")),
    ("registry.hq.defence", _COUNT.format(n="defence_n")),
    ("registry.hq.victims", _COUNT.format(n="victims_n")),
    ("registry.hq.witness_protection", _COUNT.format(n="witness_n")),
    ("registry.hq.judicial_support", _COUNT.format(n="judicial_n")),
    ("registry.hq.defence_avg_days_to_reply", _MEAN.format(total="defence_days", n="defence_done")),
    ("registry.arrest.sent", _COUNT.format(n="arrest_n")),
    ("registry.arrest.avg_days_to_reply", _MEAN.format(total="arrest_days", n="arrest_done")),
    ("registry.arrest.positive_pct", _RATE.format(part="arrest_positive", whole="arrest_n")),
)

METRIC_IDS: tuple[str, ...] = tuple(metric_id for metric_id, _ in _METRICS)

# The sums of the `totals` CTE: name -> product of 0/1 flags of the `flags` CTE. A product of flags
# is 1 exactly when every condition holds, so SUM counts the rows meeting them all; `days` is
# already 0 outside E, so summing it with the group's flags totals the days over E.
_SUMS: tuple[tuple[str, str], ...] = (
    ("rfa_n", "in_period * rfa"),
    ("rfa_prior", "in_prior * rfa"),
    ("mission_n", "in_period * mission"),
    ("rfa_only_n", "in_period * rfa_only"),
    ("rfa_only_prior", "in_prior * rfa_only"),
    ("rfa_done", "in_period * rfa * done"),
    ("rfa_days", "in_period * rfa * days"),
    ("rfi_n", "in_period * rfi"),
    ("rfc_n", "in_period * rfc"),
    ("rfc_prior", "in_prior * rfc"),
    ("hq_n", "in_period * hq"),
    ("hq_prior", "in_prior * hq"),
    ("hq_done", "in_period * hq * done"),
    ("hq_days", "in_period * hq * days"),
    ("hq_positive", "in_period * hq * positive"),
    ("office_n", "in_period * office"),
    ("decision_n", "in_period * decision"),
    ("defence_n", "in_period * hq * defence"),
    ("defence_done", "in_period * hq * defence * done"),
    ("defence_days", "in_period * hq * defence * days"),
    ("victims_n", "in_period * hq * victims"),
    ("witness_n", "in_period * hq * witness"),
    ("judicial_n", "in_period * hq * judicial"),
    ("arrest_n", "in_period * rfc * arrest"),
    ("arrest_done", "in_period * rfc * arrest * done"),
    ("arrest_days", "in_period * rfc * arrest * days"),
    ("arrest_positive", "in_period * rfc * arrest * positive"),
)

_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("defence", "defence"),
    ("victims", "victims"),
    ("witness", "witness-protection"),
    ("judicial", "judicial-support"),
    ("arrest", "arrest-surrender"),
)


def _quote_table(table: str, dialect: str) -> str:
    """Quote a dotted table name (`schema.table`) for `dialect`, refusing anything else.

    Only names made of [A-Za-z_][A-Za-z0-9_]* parts pass, so no text of the caller's ever reaches
    the query unchecked. Quoting keeps reserved words usable as names and keeps the case as
    written.
    """
    spec = _dialect(dialect)
    parts = table.split(".")
    if not all(_IDENTIFIER.fullmatch(part) for part in parts):
        raise ValueError(
            f"invalid table name {table!r}: use letters, digits and underscores, "
            "optionally dotted (schema.table), not starting with a digit"
        )
    return ".".join(f"{spec.quote_open}{part}{spec.quote_close}" for part in parts)


def build_query(
    *,
    start: date,
    end: date,
    prior_start: date,
    prior_end: date,
    as_of: date,
    notifications: bool = True,
    dialect: str = "duckdb",
    table: str = "requests",
) -> str:
    """Return one query computing SPEC §3's metrics as rows (`id`, `value`) in the SPEC's order.

    Periods are inclusive at both ends; `as_of` decides which executions count (SPEC §2).
    `notifications=False` leaves mission notifications out of every OTP figure.
    Raises ValueError for an unknown dialect, a table name that is not a dotted identifier, a
    period that ends before it starts, or an as-of date before the period's start.
    """
    spec = _dialect(dialect)
    source = _quote_table(table, dialect)
    if start > end or prior_start > prior_end:
        raise ValueError("a period must not end before it starts")
    if as_of < start:
        raise ValueError("the as-of date must not be before the period's start")

    def lit(day: date) -> str:
        return spec.date_literal.format(day.isoformat())

    otp_kinds = "'rfa', 'mission-notification'" if notifications else "'rfa'"
    # With the toggle off no mission notification is included, so the count is 0 by definition
    # (SPEC §2), not the number of them in the table.
    mission = (
        "CASE WHEN organ = 'otp' AND kind = 'mission-notification' THEN 1 ELSE 0 END"
        if notifications
        else "0"
    )
    category_flags = ",\n".join(
        f"        CASE WHEN cats LIKE '%;{value};%' THEN 1 ELSE 0 END AS {name}"
        for name, value in _CATEGORIES
    )
    sums = ",\n".join(f"        COALESCE(SUM({expr}), 0) AS {name}" for name, expr in _SUMS)
    values = ",\n".join(
        f"    ({ordinal}, '{metric_id}')" for ordinal, (metric_id, _) in enumerate(_METRICS, 1)
    )
    branches = "\n".join(
        f"        WHEN {ordinal} THEN {expr.format(d=spec.double)}"
        for ordinal, (_, expr) in enumerate(_METRICS, 1)
    )
    toggle = (
        "mission notifications counted among the OTP's RFAs"
        if notifications
        else "mission notifications left out of every OTP figure (--no-notifications)"
    )
    cur = f"sent BETWEEN {lit(start)} AND {lit(end)}"
    prior = f"sent BETWEEN {lit(prior_start)} AND {lit(prior_end)}"
    return f"""\
-- coopstats: metrics of the ICC Report of the Court on Cooperation (SPEC section 3)
-- period {start.isoformat()} to {end.isoformat()}; \
prior period {prior_start.isoformat()} to {prior_end.isoformat()}; \
as of {as_of.isoformat()}
-- notifications: {toggle}
-- dialect {dialect}; one row per metric: id, value (NULL = N/A)
WITH normalised AS (
    -- Vocabulary is matched case-insensitively and trimmed; categories are padded with ';' and
    -- stripped of spaces so that ';defence;' matches one whole element, never a substring.
    SELECT
        sent,
        executed,
        LOWER(TRIM(organ)) AS organ,
        LOWER(TRIM(kind)) AS kind,
        LOWER(TRIM(origin)) AS origin,
        LOWER(TRIM(outcome)) AS outcome,
        CONCAT(';', REPLACE(LOWER(COALESCE(categories, '')), ' ', ''), ';') AS cats
    FROM {source}
    WHERE ({cur})
        OR ({prior})
),
flags AS (
    SELECT
        CASE WHEN {cur} THEN 1 ELSE 0 END AS in_period,
        CASE WHEN {prior} THEN 1 ELSE 0 END AS in_prior,
        -- Executed as of the as-of date (E); a later execution was still pending then.
        CASE WHEN executed <= {lit(as_of)} THEN 1 ELSE 0 END AS done,
        CASE WHEN executed <= {lit(as_of)}
            THEN CAST({spec.days} AS BIGINT) ELSE 0 END AS days,
        -- An empty outcome on an executed request means positive (SPEC section 1).
        CASE WHEN executed <= {lit(as_of)}
            AND (outcome IS NULL OR outcome = '' OR outcome = 'positive')
            THEN 1 ELSE 0 END AS positive,
        CASE WHEN organ = 'otp' AND kind IN ({otp_kinds}) THEN 1 ELSE 0 END AS rfa,
        {mission} AS mission,
        CASE WHEN organ = 'otp' AND kind = 'rfa' THEN 1 ELSE 0 END AS rfa_only,
        CASE WHEN organ = 'otp' AND kind = 'rfi' THEN 1 ELSE 0 END AS rfi,
        CASE WHEN organ = 'registry' AND kind = 'rfc' THEN 1 ELSE 0 END AS rfc,
        CASE WHEN organ = 'registry' AND kind = 'rfc' AND origin = 'hq'
            THEN 1 ELSE 0 END AS hq,
        CASE WHEN organ = 'registry' AND kind = 'rfc' AND origin = 'country-office'
            THEN 1 ELSE 0 END AS office,
        CASE WHEN organ = 'registry' AND kind = 'decision-notification'
            THEN 1 ELSE 0 END AS decision,
{category_flags}
    FROM normalised
),
totals AS (
    -- One pass over the rows; COALESCE gives 0 rather than NULL on an empty table.
    SELECT
{sums}
    FROM flags
)
-- The one row of totals becomes one row per metric by a join with the list of ids, which every
-- dialect writes the same way (there is no portable UNPIVOT).
SELECT
    metrics.id,
    CASE metrics.ordinal
{branches}
    END AS value
FROM (VALUES
{values}
) AS metrics (ordinal, id)
CROSS JOIN totals
ORDER BY metrics.ordinal;
"""


def _dialect(dialect: str) -> _Dialect:
    try:
        return _DIALECTS[dialect]
    except KeyError:
        raise ValueError(
            f"unknown SQL dialect {dialect!r}: choose one of {', '.join(DIALECTS)}"
        ) from None
