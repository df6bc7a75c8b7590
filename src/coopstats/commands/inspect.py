"""`coopstats validate` and `coopstats explain`: is the log sound, and where does a figure come
from, request by request."""

from __future__ import annotations

import typer

from coopstats.commands import Reading, reads_logs, settle, views
from coopstats.errors import UsageError
from coopstats.options import (
    Against,
    AsOf,
    Decimals,
    Export,
    Format,
    FormatOpt,
    Log,
    MaxProblems,
    MetricOpt,
    Notifications,
    PeriodOpt,
    SkipInvalid,
    Where,
    YearStart,
)

ALL_PROBLEMS = 10_000  # validate lists every problem it keeps unless told otherwise


def register(app: typer.Typer) -> None:
    """Add `validate` and `explain` to the app."""
    app.command()(validate)
    app.command()(explain)


@reads_logs
def validate(
    log: Log,
    fmt: FormatOpt = Format.table,
    max_problems: MaxProblems = ALL_PROBLEMS,
    export: Export = None,
    *,
    read: Reading,
) -> None:
    """Check the whole log and list every problem (no period needed).

    Each problem has its line, column, value, what was expected, a code (missing-label,
    unknown-organ, duplicate-id, invalid-date, ...) and a fix where there is one. A clean log
    gets a short profile instead: rows by organ and kind, first and last sent date, pending
    requests, and a warning for dates after today. Exit status 0 when clean, 1 otherwise.
    Every row is checked: --where, which leaves requests out of the figures, does not apply.

    \b
    Examples:
      coopstats validate requests.csv
      coopstats validate requests.csv --format json | jq '.problems[] | .line, .code'
      coopstats validate export.csv --dayfirst --config coopstats.toml
    """
    from coopstats.inspection import validate as check
    from coopstats.render import inspect as render

    s = settle(read, log, fmt=fmt, export=export)
    with s.source() as source:
        result = check(source, s.read)
    warnings = result.profile.warnings if result.profile is not None else []
    s.show(warnings, views(render, "validation", result, max_problems))
    if not result.valid:
        raise typer.Exit(1)


@reads_logs
def explain(
    log: Log,
    period: PeriodOpt = None,
    metric: MetricOpt = None,
    as_of: AsOf = None,
    against: Against = None,
    notifications: Notifications = True,
    fmt: FormatOpt = Format.table,
    decimals: Decimals = 2,
    year_start: YearStart = "09-16",
    skip_invalid: SkipInvalid = False,
    export: Export = None,
    where: Where = None,
    *,
    read: Reading,
) -> None:
    """Show where the figures come from, request by request.

    With --metric: the requests behind that figure (sorted by sent date), whether each was
    executed as of the as-of date and whether it counts toward the figure, which is in the
    caption. Without it: a reconciliation that accounts for every row of the log (invalid,
    sent before, after, or within the period by organ and kind: executed as of the as-of date,
    executed later, pending) and checks that the parts add up to the rows read. With --metric,
    --where COLUMN=VALUE lists the requests behind one group's figure (summarize --by COLUMN).

    \b
    Examples:
      coopstats explain requests.csv --period 2024
      coopstats explain requests.csv --period 2024 --metric otp.rfa.avg_days_to_execute
      coopstats explain requests.csv --period 2024 -m registry.rfc.hq --format csv > hq.csv
      coopstats explain requests.csv --period 2024 -m otp.rfa.executed_pct --where state=France
    """
    from coopstats.inspection import explain_metric, metric_of, reconcile
    from coopstats.render import inspect as render

    s = settle(read, log, fmt=fmt, export=export, year_start=year_start,
               skip_invalid=skip_invalid)  # fmt: skip
    if metric is not None:
        metric_of(metric)  # an unknown id is a usage error before any reading
    elif where:
        raise UsageError(
            "--where needs --metric: without it, explain accounts for every row of the log; "
            "add e.g. --metric otp.rfa.sent to list the requests of one group's figure"
        )
    the_period = s.period(period)
    with s.source() as source:
        if metric is None:
            recon = reconcile(source, the_period, as_of=s.date(as_of, "--as-of"), options=s.read)
        else:
            expl = explain_metric(
                source, the_period, metric, as_of=s.date(as_of, "--as-of"),
                against=s.optional_period(against, "--against"), notifications=notifications,
                options=s.read, breakdown=s.breakdown(None, where),
            )  # fmt: skip
    if metric is None:
        s.show(recon.warnings, views(render, "reconciliation", recon))
    else:
        s.show(expl.warnings, views(render, "explanation", expl, decimals))
