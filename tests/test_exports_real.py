"""`init` and `summarize` on exports unlike the tests' own: competing columns, words that hold
another word, outcomes no reply has given, a log without an organ column, French and
abbreviated headers and words (SPEC §1, §8). Figures are worked out by hand in each test, or
by the tests' oracle from the rows the export was written from."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from oracle import oracle_metrics
from test_exports import ROWS, invoke

from coopstats.exports import guess_word
from coopstats.read.header import guess_column

START, END = date(2023, 9, 16), date(2024, 9, 15)


def init_and_summarize(path: Path, *extra: object) -> tuple[str, dict[str, float | None], str]:
    """init's config, written unedited beside the log, and summarize's figures with it."""
    status, text, err = invoke("init", path, *extra)
    assert status == 0, err
    (path.parent / "coopstats.toml").write_text(text, encoding="utf-8")
    status, out, err = invoke(
        "summarize", path.name, "--period", "2024", "--format", "json", cwd=path.parent
    )
    assert status == 0, err
    document = json.loads(out)
    figures = {m["id"]: m["value"] for m in document["metrics"]}
    return text, figures, "\n".join(document.get("warnings", [])) + err


def write(tmp_path: Path, text: str, name: str = "export.csv") -> Path:
    folder = tmp_path / "export"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def same(got: float | None, want: int | Fraction | None) -> bool:
    if want is None or got is None:
        return got is want
    return math.isclose(got, float(want), rel_tol=1e-9)


# --- two columns fit one canonical name -------------------------------------------------

COMPETING = """\
Request No.,Organ,Type,Origin,Date of request,Date of transmission,Date of execution,Status,Result
R1,Registry,Request for cooperation,Headquarters,20/09/2023,01/10/2023,15/10/2023,Executed,Positive
R2,Registry,Request for cooperation,Headquarters,21/09/2023,02/10/2023,20/10/2023,Executed,Negative
R3,Registry,Request for cooperation,Headquarters,22/09/2023,03/10/2023,25/12/2023,Executed,Negative
R4,Registry,Request for cooperation,Headquarters,10/09/2023,20/09/2023,,Pending,
"""


def test_the_better_of_two_fitting_columns_is_taken_and_both_are_named(tmp_path: Path) -> None:
    text, got, _ = init_and_summarize(write(tmp_path, COMPETING))
    assert 'sent = "Date of transmission"' in text and 'outcome = "Result"' in text
    sent = next(line for line in text.splitlines() if line.startswith("sent = "))
    outcome = next(line for line in text.splitlines() if line.startswith("outcome = "))
    assert "# review:" in sent and '"Date of request"' in sent
    assert "# review:" in outcome and '"Status"' in outcome
    # By hand: R4 was transmitted on 20/09/2023, inside 2024's period (from 16/09/2023); one
    # of the three replies is positive; 14, 18 and 83 days to reply.
    assert got["registry.rfc.sent"] == 4 and got["registry.rfc.hq"] == 4
    assert same(got["registry.rfc.hq_positive_pct"], Fraction(1, 4) * 100)
    assert same(got["registry.rfc.hq_avg_days_to_reply"], Fraction(14 + 18 + 83, 3))


def test_a_status_of_executed_and_pending_alone_says_no_reply_is_negative(tmp_path: Path) -> None:
    lines = [",".join(c for i, c in enumerate(row.split(",")) if i not in (4, 8))
             for row in COMPETING.splitlines()]  # fmt: skip
    status, text, err = invoke("init", write(tmp_path, "\n".join(lines) + "\n"))
    assert status == 0, err
    assert 'outcome = "Status"' in text
    assert '# review: no word of "Status" means negative' in text


# --- words inside words -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("Cooperation request – border control", "RFC"),
        ("RFC – transfer order", "RFC"),
        ("Request for cooperation re decision of the Chamber", "RFC"),
        ("REQUEST FOR COOPERATION - ASSET FREEZING ORDER", "RFC"),
        ("Request for assistance re: mission planning", "RFA"),
        ("Notification of decision", "decision-notification"),
        ("Notification of the order", "decision-notification"),
        ("Notification of mission", "mission-notification"),
    ],
)
def test_a_kind_is_told_by_whole_words_and_a_request_by_its_name(word: str, kind: str) -> None:
    guess = guess_word("kind", word)
    assert guess is not None and guess.name == kind


def test_border_is_not_order_in_the_figures(tmp_path: Path) -> None:
    path = write(tmp_path, """\
Request No.,Organ,Type of request,Origin,Date sent,Date of execution,Result
R1,Registry,Request for cooperation,Headquarters,01/10/2023,15/10/2023,Executed – positive
R2,Registry,Cooperation request – border control,HQ,02/10/2023,20/10/2023,Executed – positive
R3,Registry,Notification of decision,,03/10/2023,25/12/2023,
R4,OTP,Request for assistance re: mission planning,,04/10/2023,,Pending
""")
    _, got, _ = init_and_summarize(path)
    # By hand: R1 and R2 are RFCs, R3 the one decision notification, R4 an RFA, no mission.
    assert got["registry.rfc.sent"] == 2 and got["registry.decision_notifications"] == 1
    assert got["otp.rfa.sent"] == 1 and got["otp.rfa.mission_notifications"] == 0


# --- A-3 and item 4: outcomes that are no reply ------------------------------------------------

NOT_EXECUTED = """\
Request No.,Organ,Type of request,Origin,Category,Date sent,Date closed,Result
R1,Registry,Request for cooperation,Headquarters,,01/10/2023,15/10/2023,Executed – positive
R2,Registry,Request for cooperation,Headquarters,,02/10/2023,20/10/2023,Executed – negative
R3,Registry,Request for cooperation,Headquarters,,03/10/2023,25/12/2023,Not executed
R4,Registry,Request for cooperation,Headquarters,,04/10/2023,,Pending
"""


def test_an_outcome_word_on_dated_rows_is_never_mapped_onto_empty(tmp_path: Path) -> None:
    path = write(tmp_path, NOT_EXECUTED)
    status, text, err = invoke("init", path)
    assert status == 0, err
    assert '"Not executed" = ' not in text  # "" there would make R3 a positive reply
    assert '# "Not executed" (1 row): REVIEW: 1 row of it has an executed date' in text
    assert '"Pending" = ""' in text
    (path.parent / "coopstats.toml").write_text(text, encoding="utf-8")
    status, _, err = invoke("summarize", path.name, "--period", "2024", cwd=path.parent)
    assert status == 1 and "Not executed" in err  # left to the user: no figure in silence


def test_words_of_no_reply_yet_are_empty_only_on_undated_rows(tmp_path: Path) -> None:
    text = """\
Request No.,Organ,Type of request,Origin,Date sent,Date of reply,Result
R1,Registry,Request for cooperation,HQ,01/10/2023,15/10/2023,Nonpositive
R2,Registry,Request for cooperation,HQ,02/10/2023,20/10/2023,Positive
R3,Registry,Request for cooperation,HQ,03/10/2023,,Not yet executed
R4,Registry,Request for cooperation,HQ,04/10/2023,,Not received
R5,Registry,Request for cooperation,HQ,05/10/2023,,Withdrawn
"""
    config, got, _ = init_and_summarize(write(tmp_path, text))
    assert '"Nonpositive" = "negative"' in config
    assert '"Withdrawn" = ""  # review: none of its rows has an executed date' in config
    # By hand: five RFCs at HQ, one positive reply of two (14 and 18 days).
    assert got["registry.rfc.hq"] == 5
    assert same(got["registry.rfc.hq_positive_pct"], Fraction(1, 5) * 100)
    assert same(got["registry.rfc.hq_avg_days_to_reply"], Fraction(14 + 18, 2))


@pytest.mark.parametrize(
    ("column", "word", "spec"),
    [
        ("outcome", "Not yet executed", ""), ("outcome", "Not yet replied", ""),
        ("outcome", "Not received", ""), ("outcome", "Not applicable", ""),
        ("outcome", "Nonpositive", "negative"), ("outcome", "Not positive", "negative"),
        ("outcome", "Positive – not complete", "positive"),
        ("outcome", "Partially refused", "negative"),
        ("outcome", "Exécutée – négative", "negative"),
        ("outcome", "En cours", ""), ("outcome", "POS", "positive"), ("outcome", "NEG", "negative"),
    ],
)
def test_outcome_words_are_read_with_their_negation(column: str, word: str, spec: str) -> None:
    guess = guess_word(column, word)
    assert guess is not None and guess.name == spec, guess


@pytest.mark.parametrize(
    ("column", "word"),
    [
        ("categories", "Non-defence"), ("categories", "Not arrest-related"),
        ("categories", "Victims and Witnesses Section"), ("categories", "DEF/A&S"),
        ("organ", "OTP/Registry"), ("kind", "Notification"), ("outcome", "Not refused"),
    ],
)
def test_words_that_tell_two_things_or_deny_one_are_left_for_review(column: str, word: str) -> None:
    assert guess_word(column, word) is None


# --- category words init cannot place ---------------------------------------------------


def test_unplaced_categories_are_comments_not_mappings(tmp_path: Path) -> None:
    text = """\
Ref,Organ,Type,Origin,Category,Date sent
A-1,Registry,RFC,HQ,Miscellany,2023-10-02
A-2,Registry,RFC,HQ,defence,2023-10-02
A-3,Registry,RFC,HQ,DEF/A&S,2023-10-02
"""
    status, config, err = invoke("init", write(tmp_path, text))
    assert status == 0, err
    assert '"Miscellany" = ' not in config
    assert '# "Miscellany" (1 row): not placed' in config
    # A word naming two categories is mapped onto both, for review.
    assert (
        '"DEF/A&S" = "defence;arrest-surrender"  # review: names defence and arrest-surrender'
        in config
    )


def test_a_word_of_two_categories_counts_under_each(tmp_path: Path) -> None:
    # Four HQ RFCs sent in the 2024 period: two 'DEF/A&S' (defence and arrest), one 'Defence',
    # one without category. By hand: HQ RFCs 4, defence 3, arrest 2.
    text = """\
Ref,Organ,Type,Origin,Category,Date sent,Date executed,Result
A-1,Registry,RFC,HQ,DEF/A&S,2023-10-02,2023-10-12,positive
A-2,Registry,RFC,HQ,def/a&s,2023-10-03,,
A-3,Registry,RFC,HQ,Defence,2023-10-04,2023-10-08,negative
A-4,Registry,RFC,HQ,,2023-10-05,,
"""
    _, figures, _ = init_and_summarize(write(tmp_path, text))
    assert figures["registry.rfc.hq"] == 4
    assert figures["registry.hq.defence"] == 3
    assert figures["registry.arrest.sent"] == 2
    assert figures["registry.arrest.avg_days_to_reply"] == 10  # A-1 alone: 12 - 2


def test_a_category_word_mapped_onto_a_word_of_no_category_is_refused(tmp_path: Path) -> None:
    log = write(tmp_path, "id,organ,kind,origin,categories,sent\nA,Registry,RFC,HQ,X,2023-10-02\n")
    (log.parent / "coopstats.toml").write_text(
        '[values.categories]\n"X" = "defence;bogus"\n', encoding="utf-8"
    )
    status, _, err = invoke("summarize", log.name, "--period", "2024", cwd=log.parent)
    assert status == 2
    assert "maps 'X' onto 'defence;bogus', which is not a categories word" in err
    assert "(several joined by ';')" in err


# --- B-1: no organ column ----------------------------------------------------------------------

WORDS = {"RFA": "Request for Assistance", "mission-notification": "Notification of mission",
         "RFI": "Request for information", "RFC": "Request for cooperation",
         "decision-notification": "Notification of decision"}  # fmt: skip


def organless(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Request No.", "Type of request", "Sent by", "Purpose",
                     "Date of transmission", "Date of execution", "Result"])  # fmt: skip
    for r in rows:
        writer.writerow([
            r["id"], WORDS[r["kind"]],
            {"HQ": "Headquarters", "country-office": "Country Office", "": ""}[r["origin"]],
            r["categories"], r["sent"], r["executed"],
            {"positive": "Executed – positive", "negative": "Executed – negative"}[r["outcome"]]
            if r["executed"] else "Pending",
        ])  # fmt: skip
    return out.getvalue()


def test_a_log_without_an_organ_column_reads_each_organ_from_its_kind(tmp_path: Path) -> None:
    rows = [{**r, "outcome": r["outcome"] or "positive"} if r["executed"] else r for r in ROWS]
    config, got, warnings = init_and_summarize(write(tmp_path, organless(rows)))
    assert "# organ: no column found; each request's organ is then its kind's" in config
    want = oracle_metrics(rows, START, END)  # the oracle reads the rows' own organs
    assert want["otp.rfa.sent"] and want["registry.rfc.sent"]
    assert [i for i in want if not same(got[i], want[i])] == []
    assert "the log has no organ column" in warnings


def test_an_absent_organ_is_the_kinds_but_a_blank_or_a_named_one_is_checked(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "id,kind,sent\nR-1,RFA,2023-10-02\nR-2,RFC,2023-10-03\n")
    status, out, err = invoke("summarize", path, "--period", "2024", "--format", "json")
    assert status == 1 and "origin" in err  # the RFC still needs its origin
    path.write_text("id,kind,origin,sent\nR-1,RFA,,2023-10-02\nR-2,RFC,HQ,2023-10-03\n")
    status, out, err = invoke("summarize", path, "--period", "2024", "--format", "json")
    assert status == 0, err
    got = {m["id"]: m["value"] for m in json.loads(out)["metrics"]}
    assert got["otp.rfa.sent"] == 1 and got["registry.rfc.hq"] == 1
    assert any("no organ column" in w for w in json.loads(out)["warnings"])
    path.write_text("id,organ,kind,origin,sent\nR-1,,RFA,,2023-10-02\n")
    status, _, err = invoke("summarize", path, "--period", "2024")
    assert status == 1 and "organ is blank" in err
    status, _, err = invoke("summarize", path, "--period", "2024", "--column", "organ=Office")
    assert status == 1 and "'Office'" in err


# --- item 3: French and abbreviated headers and words ----------------------------------------

TITLES = {
    "sent": ("Date d'envoi", "Date de transmission", "Dt Sent", "DATE SENT (DD/MM/YYYY)"),
    "executed": ("Date d'exécution", "Date de réponse", "Dt Exec", "Date Exec.",
                 "DATE EXECUTED (DD/MM/YYYY)"),
    "outcome": ("Résultat", "Statut"),
    "id": ("N°", "N° de demande", "Numéro", "Numéro de demande", "Req. #", "Req No"),
    "organ": ("Organe", "Bureau"),
    "kind": ("Type de demande", "Req Type"),
    "origin": ("Origine", "Orig.", "ORIGIN / SECTION"),
    "categories": ("Catégorie", "Catégories", "Cat.", "CATEGORY(IES)"),
}


@pytest.mark.parametrize(
    ("canonical", "title"),
    [(canonical, title) for canonical, titles in TITLES.items() for title in titles],
)
def test_french_and_abbreviated_headers_name_their_column(canonical: str, title: str) -> None:
    guess = guess_column(title)
    assert guess is not None and guess.name == canonical


FRENCH = {
    "organ": {"Bureau du Procureur": "OTP", "BdP": "OTP", "Greffe": "Registry",
              "REG": "Registry"},
    "kind": {"Demande de coopération": "RFC", "Demande d'assistance": "RFA",
             "Demande d'assistance judiciaire": "RFA", "Demande d'informations": "RFI",
             "Notification de mission": "mission-notification", "MN": "mission-notification",
             "Notification de décision": "decision-notification", "DN": "decision-notification"},
    "origin": {"Siège": "HQ", "Bureau de pays": "country-office", "CO": "country-office"},
    "categories": {"Défense": "defence", "Victimes": "victims", "DEF": "defence",
                   "Protection des témoins": "witness-protection", "A&S": "arrest-surrender",
                   "Soutien judiciaire": "judicial-support", "WP": "witness-protection",
                   "Arrestation et remise": "arrest-surrender"},
}  # fmt: skip


@pytest.mark.parametrize(
    ("column", "word", "spec"),
    [(column, word, spec) for column, words in FRENCH.items() for word, spec in words.items()],
)
def test_french_and_abbreviated_words_are_placed(column: str, word: str, spec: str) -> None:
    guess = guess_word(column, word)
    assert guess is not None and guess.name == spec


FR_KIND = {"RFA": "Demande d'assistance", "mission-notification": "Notification de mission",
           "RFI": "Demande d'informations", "RFC": "Demande de coopération",
           "decision-notification": "Notification de décision"}  # fmt: skip
FR_CATEGORY = {"defence": "Défense", "victims": "Victimes", "witness-protection":
               "Protection des témoins", "judicial-support": "Soutien judiciaire",
               "arrest-surrender": "Arrestation et remise"}  # fmt: skip


def french(rows: list[dict[str, str]]) -> str:
    """A `;` export in French: an office column beside the organ, dates day first."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["Numéro", "Organe", "Type de demande", "Bureau", "Catégories",
                     "Date de transmission", "Date d'exécution", "Résultat"])  # fmt: skip

    def dmy(iso: str) -> str:
        return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}" if iso else ""

    for r in rows:
        writer.writerow([
            r["id"], {"OTP": "BdP", "Registry": "Greffe"}[r["organ"]], FR_KIND[r["kind"]],
            {"HQ": "Siège", "country-office": "Bureau de pays", "": ""}[r["origin"]],
            "; ".join(FR_CATEGORY[c] for c in r["categories"].split(";") if c),
            dmy(r["sent"]), dmy(r["executed"]),
            {"positive": "Positive", "negative": "Négative", "": "Positive"}[r["outcome"]]
            if r["executed"] else "En cours",
        ])  # fmt: skip
    return out.getvalue()


def test_a_french_export_unedited_gives_the_oracles_figures(tmp_path: Path) -> None:
    config, got, _ = init_and_summarize(write(tmp_path, french(ROWS)))
    assert 'origin = "Bureau"  # review: its words are the origin column' in config
    want = oracle_metrics(ROWS, START, END)
    assert want["registry.hq.victims"] and want["registry.arrest.sent"]
    assert [i for i in want if not same(got[i], want[i])] == []


def test_a_column_of_spec_words_is_preferred_to_free_text(tmp_path: Path) -> None:
    text = """\
REQUEST NO.:,ORGAN:,TYPE OF REQUEST:,ORIGIN / SECTION,SUBJECT,CATEGORY(IES),DATE SENT (DD/MM/YYYY)
R1,REGISTRY,REQUEST FOR COOPERATION,HEADQUARTERS,Witness interview,DEFENCE,01/10/2023
R2,REGISTRY,REQUEST FOR COOPERATION,HEADQUARTERS,Arrest of suspect,VICTIMS,02/10/2023
R3,REGISTRY,REQUEST FOR COOPERATION,HEADQUARTERS,Witness interview,,25/10/2023
"""
    config, got, _ = init_and_summarize(write(tmp_path, text))
    assert 'categories = "CATEGORY(IES)"' in config and 'origin = "ORIGIN / SECTION"' in config
    assert got["registry.hq.defence"] == 1 and got["registry.hq.victims"] == 1
    assert got["registry.hq.witness_protection"] == 0 and got["registry.arrest.sent"] == 0


# --- item 5: messages --------------------------------------------------------------------------


def test_a_run_stopped_by_invalid_rows_points_at_skip_invalid(tmp_path: Path) -> None:
    path = write(tmp_path, "id,organ,kind,sent\nR-1,OTP,RFA,2023-10-02\nTotal,,,\n")
    status, _, err = invoke("summarize", path, "--period", "2024")
    assert status == 1 and "--skip-invalid" in err
    status, out, err = invoke("summarize", path, "--period", "2024", "--skip-invalid",
                              "--format", "json")  # fmt: skip
    assert status == 0 and "hint: --skip-invalid" not in err
    assert {m["id"]: m["value"] for m in json.loads(out)["metrics"]}["otp.rfa.sent"] == 1


def test_rfcs_without_an_origin_column_are_said_once_naming_the_likely_column(
    tmp_path: Path,
) -> None:
    rows = "".join(f"R{n},Registry,RFC,HQ,2023-10-0{n}\n" for n in range(1, 6))
    path = write(tmp_path, "id,organ,kind,ORIGIN / SECTION,sent\n" + rows)
    status, _, err = invoke("summarize", path, "--period", "2024")
    assert status == 1
    assert err.count("no origin column") == 1 and "'ORIGIN / SECTION'" in err
    assert "an RFC needs its origin" not in err


def test_the_column_really_missing_is_blamed_below_title_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "ICC cooperation requests\n\nRequest No.,Organ,Type,Date sent\n"
                 "R1,OTP,RFA,2023-10-02\n")  # fmt: skip
    status, _, err = invoke(
        "summarize", path, "--period", "2024", "--column", "id=Request No.",
        "--column", "kind=Type", "--column", "sent=Date sent", "--column", "organ=Organe",
    )  # fmt: skip
    assert status == 1
    assert ":3: column 'Organe': no column 'Organe'" in err and "did you mean 'Organ'" in err


def test_init_writes_the_reading_options_it_was_given_into_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "Réf;Organe;Type;Date d'envoi\nA-1;OTP;RFA;02/10/2023\n")
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    config, got, _ = init_and_summarize(
        path, "--encoding", "cp1252", "--delimiter", ";", "--dayfirst"
    )
    defaults = config[config.index("[defaults]"):]
    assert 'encoding = "cp1252"' in defaults and 'delimiter = ";"' in defaults
    assert "dayfirst = true" in defaults
    assert got["otp.rfa.sent"] == 1  # 2 October 2023, as --dayfirst read it


def test_init_reads_the_sheet_that_holds_the_log(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    pytest.importorskip("python_calamine")
    book = openpyxl.Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append(["Cooperation statistics"])
    summary.append(["Total requests", 2])
    data = book.create_sheet("Data")
    data.append(["Request No.", "Organ", "Type of request", "Date of transmission"])
    data.append(["A1", "OTP", "Request for Assistance", date(2023, 10, 1)])
    data.append(["A2", "OTP", "Request for Assistance", date(2024, 10, 1)])
    path = tmp_path / "export" / "book.xlsx"
    path.parent.mkdir()
    book.save(path)
    config, got, _ = init_and_summarize(path)
    assert 'sheet = "Data"' in config
    assert got["otp.rfa.sent"] == 1  # A2 was sent after the period


def test_init_says_a_column_holds_excels_day_numbers_once(tmp_path: Path) -> None:
    rows = "".join(f"R{n},OTP,RFA,{45200 + n}\n" for n in range(30))
    status, config, err = invoke("init", write(tmp_path, "id,organ,kind,sent\n" + rows))
    assert status == 0, err
    # By hand: Excel's day 45200 is 2023-10-01 (day 45292 is 2024-01-01).
    assert "30 rows hold whole numbers such as '45200', Excel's day numbers (45200 is " \
        "2023-10-01)" in config
    assert "not a date" not in config


def test_a_notification_alone_is_left_for_review_with_the_kind_its_organ_suggests(
    tmp_path: Path,
) -> None:
    text = """\
Ref,Organe,Type,Date sent
A-1,Greffe,Notification,2023-10-02
A-2,Greffe,Notification,2023-10-03
A-3,BdP,Avis,2023-10-03
A-4,Greffe,Avis,2023-10-03
"""
    status, config, err = invoke("init", write(tmp_path, text))
    assert status == 0, err
    assert '\n"Notification" = ' not in config  # left for review, not mapped
    assert '# "Notification" (2 rows): REVIEW: it does not say of what; its rows are all the ' \
        "Registry's" in config and 'write "Notification" = "decision-notification"' in config
    assert '# "Avis" (2 rows): not placed' in config  # rows of both organs: nothing suggested


def test_the_query_refuses_a_word_of_several_categories(tmp_path: Path) -> None:
    # SQL's SUM(DISTINCT bit) over a cell's pieces cannot OR several bits of one word with
    # another piece's: the query says so rather than count a wrong category.
    folder = write(tmp_path, "id\n").parent
    (folder / "coopstats.toml").write_text(
        '[values.categories]\n"DEF/A&S" = "defence;arrest-surrender"\n', encoding="utf-8"
    )
    status, _, err = invoke("sql", "--dialect", "duckdb", "--period", "2024", cwd=folder)
    assert status == 2
    assert "the query cannot read one word as several categories" in err
