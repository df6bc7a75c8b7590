"""`coopstats validate` and `coopstats explain`: is the log sound, and where does a figure come
from, request by request."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from coopstats.options import (
    Against,
    AsOf,
    Decimals,
    Export,
    Format,
    FormatOpt,
    Log,
    MaxProblems,
    Notifications,
    PeriodOpt,
    Settings,
    SkipInvalid,
    Where,
    YearStart,
    emit,
    handled,
    reads_logs,
    warn,
)

MetricOpt = Annotated[
    str | None,
    typer.Option(
        "--metric",
        "-m",
        metavar="ID",
        help="A metric id of the report (e.g. otp.rfa.executed): list the requests behind it. "
        "Without it: account for every row of the log.",
        show_default=False,
    ),
]
ALL_PROBLEMS = 10_000  # validate lists every problem it keeps unless told otherwise


def register(app: typer.Typer) -> None:
    """Add `validate` and `explain` to the app."""
    app.command()(validate)
    app.command()(explain)


@reads_logs
def validate(
    ctx: typer.Context,
    log: Log,
    fmt: FormatOpt = Format.table,
    max_problems: MaxProblems = ALL_PROBLEMS,
    export: Export = None,
    **read: Any,
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
    with handled(ctx):
        from coopstats.inspection import validate as run
        from coopstats.read import Source
        from coopstats.render import inspect as render

        s = Settings.from_context(ctx)
        chosen = Format(s["fmt"])
        with Source(log) as source:
            result = run(source, s.read)
        if result.profile is not None:
            warn(result.profile.warnings)
        most = int(s["max_problems"])
        emit(
            chosen,
            s["export"],
            output=s["output"],
            table=lambda: render.validation_table(result, most),
            json=lambda: render.validation_json(result),
            csv=lambda: render.validation_csv(result),
            markdown=lambda: render.validation_markdown(result, most),
            document=lambda: render.validation_document(result, most),
        )
        if not result.valid:
            raise typer.Exit(1)


@reads_logs
def explain(
    ctx: typer.Context,
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
    **read: Any,
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
    with handled(ctx):
        from coopstats.errors import UsageError
        from coopstats.inspection import explain_metric, metric_of, reconcile
        from coopstats.read import Source
        from coopstats.render import inspect as render

        s = Settings.from_context(ctx)
        chosen = Format(s["fmt"])
        chosen_metric = s["metric"]
        if chosen_metric is not None:
            metric_of(chosen_metric)  # an unknown id is a usage error before any reading
        elif s["where"]:
            raise UsageError(
                "--where needs --metric: without it, explain accounts for every row of the log; "
                "add e.g. --metric otp.rfa.sent to list the requests of one group's figure"
            )
        the_period = s.period()
        with Source(log) as source:
            if chosen_metric is None:
                recon = reconcile(source, the_period, as_of=s.date("as_of"), options=s.read)
            else:
                expl = explain_metric(
                    source,
                    the_period,
                    chosen_metric,
                    as_of=s.date("as_of"),
                    against=s.optional_period("against"),
                    notifications=bool(s["notifications"]),
                    options=s.read,
                    breakdown=s.breakdown(),
                )
        decimals = int(s["decimals"])
        if chosen_metric is None:
            warn(list(recon.warnings))
            emit(
                chosen,
                s["export"],
                output=s["output"],
                table=lambda: render.reconciliation_table(recon),
                json=lambda: render.reconciliation_json(recon),
                csv=lambda: render.reconciliation_csv(recon),
                markdown=lambda: render.reconciliation_markdown(recon),
                document=lambda: render.reconciliation_document(recon),
            )
        else:
            warn(list(expl.warnings))
            emit(
                chosen,
                s["export"],
                output=s["output"],
                table=lambda: render.explanation_table(expl, decimals),
                json=lambda: render.explanation_json(expl),
                csv=lambda: render.explanation_csv(expl),
                markdown=lambda: render.explanation_markdown(expl, decimals),
                document=lambda: render.explanation_document(expl, decimals),
            )
