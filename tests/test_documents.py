"""Output for documents (SPEC §9): tables that keep every value at any width, self-contained
HTML pages, plain SVG pictures, honest charts, warnings in every document, and `report`.

A figure is checked against the command's own JSON, which the other test files check against
values computed by hand; here the question is only whether the text still holds each of them
whole, whatever the width.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from typer.testing import CliRunner

from coopstats.cli import app
from coopstats.render import charts
from coopstats.render.times import share_pending_after, survival_steps
from coopstats.stats import km_median

runner = CliRunner()
REPORT = str(FIXTURES / "report-2024.csv")
CLEAN = str(FIXTURES / "clean-small.csv")
P2024 = ("--period", "2024")

# Every command that prints a table, with arguments (sql prints a query, no table).
TABLES: dict[str, list[str]] = {
    "summarize": ["summarize", REPORT, *P2024],
    "compare": ["compare", REPORT, *P2024],
    "trend": ["trend", REPORT, *P2024],
    "times": ["times", REPORT, *P2024],
    "validate": ["validate", REPORT],
    "validate-problems": ["validate", str(FIXTURES / "defects" / "bad-kind.csv")],
    "explain": ["explain", REPORT, *P2024],
    "explain-metric": ["explain", CLEAN, "--period", "2023", "-m", "registry.rfc.hq"],
    "explain-evolution": ["explain", CLEAN, "--period", "2023", "-m", "otp.rfa.evolution_pct"],
}
# The report's section II does not print the RFAs without notifications (519 - 190): the only
# figure of the JSON that the layout leaves to the reader, on purpose.
NOT_IN_LAYOUT = {"summarize": {329}}


def invoke(args: list[str], columns: str | None = "120") -> Any:
    return runner.invoke(app, args, env={"COLUMNS": columns})


def numbers(document: object) -> Iterator[int | float]:
    """Every number of a JSON document (booleans aside)."""
    if isinstance(document, bool) or document is None or isinstance(document, str):
        return
    if isinstance(document, int | float):
        yield document
    elif isinstance(document, dict):
        for value in document.values():
            yield from numbers(value)
    elif isinstance(document, list):
        for value in document:
            yield from numbers(value)


def shown(value: int | float, decimals: int = 2) -> str:
    """How a figure is written for people: an integer whole, the rest half-up to 2 places."""
    if isinstance(value, int):
        return str(abs(value))
    exact = Decimal(repr(abs(value)))
    return str(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def tokens(text: str) -> set[str]:
    """The numbers of a text, signs aside: a figure broken across lines would be two."""
    return set(re.findall(r"\d+(?:\.\d+)?", text))


def json_of(args: list[str]) -> dict[str, Any]:
    result = invoke([*args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def missing(name: str, args: list[str], text: str) -> set[str]:
    skip = {shown(v) for v in NOT_IN_LAYOUT.get(name, set())}
    have = tokens(text)
    return {shown(v) for v in numbers(json_of(args))} - have - skip


# --- tables that never lose a value -----------------------------------------------------------


@pytest.mark.parametrize("columns", ["40", "80", "120", None], ids=["40", "80", "120", "piped"])
@pytest.mark.parametrize("name", list(TABLES))
def test_every_figure_of_the_json_is_in_the_table(name: str, columns: str | None) -> None:
    args = TABLES[name]
    result = invoke(args, columns)
    assert result.exit_code in (0, 1), result.output
    assert "…" not in result.stdout  # nothing cut with an ellipsis
    assert missing(name, args, result.stdout) == set()


def test_the_trend_piped_keeps_519() -> None:
    """The issue's case: `trend ... | cat` printed 519 as 5 and 297 as 2."""
    out = invoke(["trend", REPORT, *P2024], None).stdout
    (row,) = [line for line in out.splitlines() if "Total number of RFAs sent" in line]
    assert row.split("period", 1)[1].split()[:5] == ["0", "2", "5", "478", "519"]


def test_ids_are_never_broken() -> None:
    out = invoke(["explain", REPORT, *P2024, "-m", "otp.rfa.executed"], "40").stdout
    ids = re.findall(r"OTP-[A-Z]+-\d{4}-\d{4}", out)
    assert len(ids) == 204  # RFAs executed (the report's figure, SPEC §5)


def test_piped_output_is_as_wide_as_it_needs_with_no_trailing_blanks() -> None:
    first = invoke(["compare", REPORT, *P2024], None).stdout
    second = invoke(["compare", REPORT, *P2024], None).stdout
    assert first == second
    lines = first.splitlines()
    assert all(line == line.rstrip() for line in lines)
    # No label wrapped: the longest indicator is on one line with its figures.
    label = "Total number of Requests for Information (RFIs) concerning preliminary examinations"
    (row,) = [line for line in lines if label in line]
    assert row.split(label)[1].split() == ["31", "27", "▲", "+4", "+14.81%"]


def test_a_terminal_width_is_a_floor_not_a_cut() -> None:
    """At 40 columns the table is wider than 40 (the terminal wraps lines), never cut."""
    out = invoke(["compare", REPORT, *P2024], "40").stdout
    assert max(len(line) for line in out.splitlines()) > 40
    at_200 = invoke(["compare", REPORT, *P2024], "200").stdout
    assert max(len(line) for line in at_200.splitlines()) <= 200


# --- charts that do not mislead ---------------------------------------------------------------


def test_sparklines_stand_on_zero() -> None:
    # The case: 291, 282, 297 drew as ▅▁█. From zero, in eighths of 297:
    # 7.84 → 8, 7.60 → 8, 8.
    assert charts.sparkline([291, 282, 297]) == "███"
    # 0 is `_`, N/A a blank, 1/8 of the top the lowest block, 4/8 the middle one.
    assert charts.sparkline([0, None, 1, 4, 8]) == "_ ▁▄█"
    # A negative value: lowest to highest, with the scale said.
    line = charts.trend_line([Fraction(-5), 10, None], lambda v: f"{int(v)}%")
    assert line == "▁█  (-5% to 10%)"


def test_trend_rows_say_how_they_are_scaled() -> None:
    out = invoke(["trend", REPORT, *P2024], None).stdout
    (row,) = [line for line in out.splitlines() if "Total number of RFAs sent" in line]
    # 0, 2, 5, 478, 519 from zero: 0 → _, 2 and 5 → the lowest block, 478/519 × 8 = 7.4 → 7.
    assert row.split()[-1] == "_▁▁▇█"
    (row,) = [line for line in out.splitlines() if "(without notifications)" in line
              and "Evolution" in line]  # fmt: skip
    # N/A, N/A, +50%, +11400%, -4.64%: lowest to highest, the scale in whole units.
    assert row.endswith("(-5% to +11400%)")
    caption = " ".join(out.split())
    assert "measured from zero" in caption


def test_times_bands_are_said_unequal_and_pending_does_not_set_the_scale() -> None:
    out = invoke(["times", REPORT, *P2024], None).stdout
    # SPEC §7's default bands: 0–30, 31–90, 91–180, 181–365, 366+.
    assert "bands of unequal width (31, 60, 90 and 185 days, then 366 and more)" in " ".join(
        out.split()
    )
    lines = out.splitlines()
    # otp.rfa: 74 executed in 0–30 days; the largest band (its count the greatest of the five)
    # is a full 30-cell bar, a smaller one shorter; the 315 pending are on the same scale, so
    # longer, cut at the edge.
    bands = [next(line for line in lines if line.strip().startswith(label))
             for label in ("0–30", "31–90", "91–180", "181–365", "366+")]  # fmt: skip
    assert bands[0].split()[-1] == "74"
    largest = max(bands, key=lambda line: int(line.split()[-1]))
    assert "█" * 30 in largest and "█" * 30 not in bands[0]
    pending = next(line for line in lines if line.strip().startswith("pending"))
    assert "█" * 30 + "▸" in pending and pending.split()[-1] == "315"


# --- machine formats and --decimals -----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_decimals_with_a_machine_format_is_said_to_round_nothing(fmt: str) -> None:
    result = invoke(["summarize", REPORT, *P2024, "--format", fmt, "--decimals", "0"])
    assert result.exit_code == 0
    assert "--decimals applies to tables, Markdown, HTML and SVG only" in result.stderr
    # 204 / 519 unrounded: 39.306358...
    assert "39.30635838150289" in result.stdout
    quiet = invoke(["summarize", REPORT, *P2024, "--format", fmt])
    assert quiet.stderr == ""


def test_decimals_is_documented_in_help() -> None:
    text = " ".join(invoke(["summarize", "--help"], "200").stdout.split())
    assert "JSON and CSV always carry the unrounded values" in text


# --- HTML pages -------------------------------------------------------------------------------


class Page(HTMLParser):
    """What a test needs to know of a page: its tags, its text, and where each table stands."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False

    def handle_data(self, data: str) -> None:
        if not self.in_style:
            self.text.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def assert_self_contained(html: str) -> None:
    page = parse(html)
    names = [tag for tag, _ in page.tags]
    for forbidden in ("link", "script", "img", "iframe", "object", "embed"):
        assert forbidden not in names, forbidden
    lowered = html.lower()
    for pattern in ("@import", "url(", "@font-face", "http://", "https://", "//cdn"):
        assert pattern not in lowered, pattern
    for _, attrs in page.tags:
        for name in ("src", "href"):
            assert name not in attrs or str(attrs[name]).startswith("#"), attrs


def html_of(args: list[str]) -> str:
    result = invoke([*args, "--format", "html"])
    assert result.exit_code in (0, 1), result.output
    text: str = result.stdout
    return text


@pytest.mark.parametrize("name", list(TABLES))
def test_every_command_writes_a_self_contained_page(name: str) -> None:
    html = html_of(TABLES[name])
    assert html.startswith("<!DOCTYPE html>")
    assert_self_contained(html)
    page = parse(html)
    names = [tag for tag, _ in page.tags]
    assert names.count("table") >= 1
    assert names.count("caption") == names.count("table")
    assert names.count("thead") + sum(1 for t, a in page.tags if t == "table") >= 1
    assert all(a.get("scope") in ("col", "row") for t, a in page.tags if t == "th")
    assert "@page" in html and "break-inside: avoid" in html and "size: A4" in html
    assert missing(name, TABLES[name], " ".join(page.text)) == set()
    assert html == html_of(TABLES[name])  # same input, same bytes


def test_figures_are_right_aligned_and_words_wrap() -> None:
    html = html_of(TABLES["compare"])
    page = parse(html)
    # 21 rows: the section number, the indicator (the row's header), then 4 figures.
    assert sum(1 for t, a in page.tags if t == "td" and a.get("class") == "num") == 21 * 4
    assert sum(1 for t, a in page.tags if t == "th" and a.get("scope") == "row") == 21
    assert "td.num { text-align: right; white-space: nowrap;" in html.replace("th.num, ", "")
    assert "overflow-wrap: break-word" in html


def test_every_user_value_is_escaped(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        "id,organ,kind,origin,categories,sent,executed,outcome\n"
        '"<script>alert(1)</script>",OTP,RFA,,,2024-01-01,2024-01-05,\n'
        '"x&amp;<b>y",OTP,RFA,,,2024-01-02,,\n',
        encoding="utf-8",
    )
    html = html_of(["explain", str(log), *P2024, "-m", "otp.rfa.sent"])
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "x&amp;amp;&lt;b&gt;y" in html
    svg = tmp_path / "x.svg"
    assert invoke(["explain", str(log), *P2024, "-m", "otp.rfa.sent", "-f", "json", "--export",
                   str(svg)]).exit_code == 0  # fmt: skip
    assert "<script>" not in svg.read_text(encoding="utf-8")


# --- warnings reach the documents -------------------------------------------------------------


LATE_LOG = (
    "id,organ,kind,origin,categories,sent,executed,outcome\n"
    "a,OTP,RFA,,,2023-06-01,2023-06-11,\n"
    "b,OTP,RFA,,,2024-01-01,,\n"
)  # starts after the prior period's start (2022-09-16): the prior figures are incomplete
INCOMPLETE = "the prior figures, and so the evolutions, are incomplete"


@pytest.mark.parametrize("command", ["summarize", "compare"])
def test_the_incomplete_prior_warning_is_in_every_document(command: str, tmp_path: Path) -> None:
    log = tmp_path / "late.csv"
    log.write_text(LATE_LOG, encoding="utf-8")
    base = [command, str(log), *P2024]
    for fmt in ("markdown", "html"):
        out = invoke([*base, "--format", fmt]).stdout
        assert INCOMPLETE in " ".join(out.split()), fmt
    svg = tmp_path / "t.svg"
    html = tmp_path / "t.html"
    for target in (svg, html):
        result = invoke([*base, "--format", "json", "--export", str(target)])
        assert result.exit_code == 0, result.output
        text = " ".join(target.read_text(encoding="utf-8").split())
        # an SVG wraps text into lines of its own: join them before looking
        words = re.sub(r"<[^>]+>", " ", text)
        assert INCOMPLETE in " ".join(words.split()), target.suffix


def test_a_trend_that_starts_before_the_log_says_so() -> None:
    # The fixture's first request was sent on 12/01/2021: the first two periods of the default
    # trend (2019-20, 2020-21) start before it.
    out = invoke(["trend", REPORT, *P2024, "--format", "markdown"]).stdout
    assert "16/09/2019 to 15/09/2020 †" in out and "16/09/2020 to 15/09/2021 †" in out
    assert "16/09/2021 to 15/09/2022 †" not in out
    assert "earliest request was sent on 12/01/2021" in out
    assert "> **Warning:** the log's earliest request was sent on 2021-01-12" in out
    html = html_of(["trend", REPORT, *P2024])
    assert "after the start of each period marked †" in html and 'class="warnings"' in html


# --- SVG pictures -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["summarize", "compare", "trend", "times", "explain"])
def test_the_svg_is_a_plain_picture_of_the_table(name: str, tmp_path: Path) -> None:
    target = tmp_path / "t.svg"
    result = invoke([*TABLES[name], "--format", "json", "--export", str(target)])
    assert result.exit_code == 0, result.output
    svg = target.read_text(encoding="utf-8")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    body = svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for pattern in ("http", "url(", "@font-face", "<image", "<script", "Fira", "rich-terminal"):
        assert pattern not in body, pattern
    assert "＝" not in svg
    words = " ".join(re.sub(r"<[^>]+>", " ", svg).split())
    assert missing(name, TABLES[name], words) == set()
    again = tmp_path / "u.svg"
    invoke([*TABLES[name], "--format", "json", "--export", str(again)])
    assert again.read_bytes() == target.read_bytes()


# --- the report -------------------------------------------------------------------------------


def report_page(*extra: str) -> str:
    result = invoke(["report", REPORT, *P2024, *extra])
    assert result.exit_code == 0, result.output
    text: str = result.stdout
    return text


def test_the_report_is_one_self_contained_page_with_every_part() -> None:
    html = report_page()
    assert_self_contained(html)
    page = parse(html)
    words = " ".join(" ".join(page.text).split())
    for heading in (
        "Section II: the report's tables",
        "1. General overview of data collected",
        "Compared with 16/09/2022 to 15/09/2023",
        "Trend over 5 periods",
        "Time to execute, pending requests included",
        "Every row of the log accounted for",
        "Adds up:",
    ):
        assert heading in words, heading
    # 25 small multiples, and a histogram and a survival curve for each of the 7 groups.
    assert html.count("<svg") == 25 + 2 * 7
    # the trend's early periods are said, in the warnings and beside the charts
    assert 'class="warnings"' in html and "the figures of the first 2 periods" in words
    # every figure of the other commands' JSON is on the page
    for name in ("summarize", "compare", "trend", "times", "explain"):
        assert missing(name, TABLES[name], words) == set(), name


def test_the_report_is_the_same_bytes_every_time(tmp_path: Path) -> None:
    first = report_page()
    assert report_page() == first
    target = tmp_path / "report.html"
    result = invoke(["report", REPORT, *P2024, "-o", str(target)])
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8") == first


def test_the_report_follows_periods_and_its_charts_stand_on_zero() -> None:
    html = report_page("--periods", "3")
    assert "Trend over 3 periods" in html
    charts_ = re.findall(r"<svg [^>]*>.*?</svg>", html, re.S)[:25]
    for chart in charts_:
        # every bar chart labels its zero, and its bars start at the baseline
        assert re.search(r'text-anchor="end" fill="#555555">0%?</text>', chart), chart[:200]
    assert "16/09/21" in html and "15/09/24" in html  # the periods are labelled


def test_the_survival_curve_by_hand() -> None:
    # Three requests: executed after 1 and 3 days, one pending at 2 days (censored).
    # Day 1: 1 of 3 at risk executed → 2/3; day 2 the pending one leaves the risk set; day 3:
    # 1 of 1 → 0.
    steps = survival_steps({1: 1, 3: 1}, {2: 1})
    assert steps == [(1, Fraction(2, 3)), (3, Fraction(0))]
    assert share_pending_after(steps, 0) == 1 and share_pending_after(steps, 2) == Fraction(2, 3)


def test_the_survival_curve_crosses_one_half_at_the_kaplan_meier_median() -> None:
    events, censored = {5: 2, 9: 1, 14: 3, 30: 1}, {7: 1, 20: 2, 40: 1}
    steps = survival_steps(events, censored)
    median = km_median(events, censored)
    assert median is not None
    assert min(day for day, share in steps if share <= Fraction(1, 2)) == median


def test_output_files_take_their_format_from_the_extension(tmp_path: Path) -> None:
    for suffix, start in ((".svg", '<svg xmlns="http://www.w3.org/2000/svg"'),
                          (".html", "<!DOCTYPE html>")):  # fmt: skip
        target = tmp_path / f"summary{suffix}"
        result = invoke(["summarize", REPORT, *P2024, "-o", str(target)])
        assert result.exit_code == 0 and result.stdout == "", result.output
        text = target.read_text(encoding="utf-8")
        assert text.startswith(start) and "519 RFAs" in text
    picture = invoke(["compare", REPORT, *P2024, "--format", "svg"]).stdout
    assert picture.startswith("<svg") and "= 0.00 pp" in picture  # a plain =, not ＝


def test_the_report_writes_html_only(tmp_path: Path) -> None:
    target = tmp_path / "report.svg"
    result = invoke(["report", REPORT, *P2024, "-o", str(target)])
    assert result.exit_code == 2 and "report writes an HTML page" in result.stderr
    assert not target.exists()


def test_times_pages_carry_the_histograms_and_survival_curves() -> None:
    html = html_of(TABLES["times"])
    assert html.count("<svg") == 2 * 7
    # otp.rfa: 519 sent, the Kaplan–Meier share still pending after 30 days by the curve.
    assert "Share of the 519 requests still pending" in html


def test_the_report_by_a_column_gives_every_groups_figures() -> None:
    """`report --by origin`: after section II, each group's figures as `summarize --by` counts
    them (SPEC §6, §9); the rest of the page counts all requests."""
    result = invoke(["report", REPORT, "--period", "2024", "--by", "origin"])
    assert result.exit_code == 0, result.output
    page = result.stdout
    by_json = invoke(["summarize", REPORT, "--period", "2024", "--by", "origin", "-f", "json"])
    groups = json.loads(by_json.stdout)["groups"]
    # By hand from the report: 412 RFCs from HQ, 381 from country offices; the blank group holds
    # the requests that are no RFCs (an origin is read on RFCs only).
    assert {g["value"]: g["metrics"][9]["value"] for g in groups} == {
        "": 0, "HQ": 412, "country-office": 381,
    }
    tail = page[page.index(">By origin<"):]
    for group in groups:
        figures = {m["id"]: m["value"] for m in group["metrics"]}
        assert f">{figures['registry.rfc.sent']}<" in tail
    assert figures_of_all_requests_stay(page)


def figures_of_all_requests_stay(page: str) -> bool:
    """Section II before the groups still says 793 RFCs (the report's figure)."""
    return "793 RFCs" in page[: page.index(">By origin<")]
