"""The pages in a real browser: headless Chromium renders them, and nothing leaves the machine.

Each page is opened once, offline (every host name resolves to nothing), with a screenshot, the
DOM as the browser built it, and a log of the network requests it made. A control page that
asks for two outside resources proves that the log would show them.

Skipped, with the reason, when no `chromium` is installed, except in CI, where that fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from test_documents import TABLES, json_of, numbers, shown, tokens
from typer.testing import CliRunner

from coopstats.cli import app

runner = CliRunner()
REPORT = str(FIXTURES / "report-2024.csv")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)  # fmt: skip
CONTROL = (
    '<!DOCTYPE html><html><body><p>control</p><img src="http://example.invalid/x.png">'
    '<link rel="stylesheet" href="https://cdn.example.invalid/a.css"></body></html>'
)

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed, and CI must run the browser tests", pytrace=False)
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)


@dataclass(frozen=True)
class Opened:
    screenshot: Path
    dom: str
    page_requests: list[str]  # URLs the page asked for (the browser's own requests aside)


def start(page: Path, work: Path) -> tuple[subprocess.Popen[bytes], Path, Path]:
    profile = work / f"profile-{page.stem}"
    shot, netlog = work / f"{page.stem}.png", work / f"{page.stem}.netlog.json"
    assert CHROMIUM is not None
    process = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--log-net-log={netlog}",
         f"--screenshot={shot}", "--window-size=1200,2000", "--dump-dom", page.as_uri()],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return process, shot, netlog


def page_requests(netlog: Path) -> list[str]:
    """URL requests the page made: the browser's own (update checks and the like, which the
    host rules stop) have no origin; a page's have the page's (`null` for a file)."""
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [
        params["url"]
        for event in log["events"]
        if event["type"] == start_job
        and "url" in (params := event.get("params", {}))
        and params.get("initiator") != "not an origin"
    ]


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Opened]:
    work = tmp_path_factory.mktemp("browser")
    report = work / "report.html"
    result = runner.invoke(app, ["report", REPORT, "--period", "2024", "-o", str(report)])
    assert result.exit_code == 0, result.output
    summary = work / "summary.html"
    result = runner.invoke(app, [*TABLES["summarize"], "--format", "html"])
    assert result.exit_code == 0, result.output
    summary.write_text(result.stdout, encoding="utf-8")
    control = work / "control.html"
    control.write_text(CONTROL, encoding="utf-8")
    running = {name: start(path, work) for name, path in
               (("report", report), ("summary", summary), ("control", control))}  # fmt: skip
    out = {}
    for name, (process, shot, netlog) in running.items():
        dom, _ = process.communicate(timeout=60)
        assert process.returncode == 0, name
        out[name] = Opened(shot, dom.decode("utf-8"), page_requests(netlog))
    return out


# --- the picture ------------------------------------------------------------------------------


def pixels(path: Path, rows: int = 400) -> list[tuple[int, int, int]]:
    """The colours of the first `rows` rows of an 8-bit RGB(A) PNG, decoded with the standard
    library (zlib, struct): enough to tell a page from a blank one, and quick."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        (size,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + size]
        pos += 12 + size
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    out: list[tuple[int, int, int]] = []
    for y in range(min(rows, height)):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 2:  # up: the common case, done without a loop per byte
            line = bytearray((a + b) & 255 for a, b in zip(line, previous, strict=True))
        elif kind:
            for x in range(stride):
                a = line[x - channels] if x >= channels else 0
                b = previous[x]
                c = previous[x - channels] if x >= channels else 0
                if kind == 1:
                    line[x] = (line[x] + a) & 255
                elif kind == 3:
                    line[x] = (line[x] + (a + b) // 2) & 255
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    best = a if pa <= pb and pa <= pc else b if pb <= pc else c
                    line[x] = (line[x] + best) & 255
        out += [(line[i], line[i + 1], line[i + 2]) for i in range(0, stride, channels)]
        previous = line
    return out


@pytest.mark.parametrize("name", ["report", "summary"])
def test_the_page_is_not_blank(opened: dict[str, Opened], name: str) -> None:
    seen = Counter(pixels(opened[name].screenshot))
    assert len(seen) > 1, "a page of one colour"
    ink = sum(n for colour, n in seen.items() if max(colour) < 128)  # text and rules
    assert ink / seen.total() > 0.005, "almost nothing drawn in the top 400 rows"
    assert seen.most_common(1)[0][0] == (255, 255, 255)  # on white paper


# --- the DOM ----------------------------------------------------------------------------------


class Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.skip = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.skip = tag in ("style", "title")

    def handle_endtag(self, tag: str) -> None:
        self.skip = False

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.text.append(data)


def dom_of(opened: Opened) -> Tables:
    parsed = Tables()
    parsed.feed(opened.dom)
    return parsed


def figures(*names: str) -> set[str]:
    found: set[str] = set()
    for name in names:
        document: Any = json_of(TABLES[name])
        found |= {shown(v) for v in numbers(document)}
    return found


def test_every_figure_is_in_the_dom(opened: dict[str, Opened]) -> None:
    summary = dom_of(opened["summary"])
    assert figures("summarize") - tokens(" ".join(summary.text)) == {"329"}  # see test_documents
    report = dom_of(opened["report"])
    have = tokens(" ".join(report.text))
    assert figures("summarize", "compare", "trend", "times", "explain") - have == set()


def test_the_tables_are_tables(opened: dict[str, Opened]) -> None:
    summary = dom_of(opened["summary"])
    assert summary.tags.count("table") == 5  # the report's five two-column tables
    assert summary.tags.count("caption") == 5 and summary.tags.count("thead") == 5
    report = dom_of(opened["report"])
    # section II (5), the comparison, the trend, 7 groups' figures and histograms and (SPEC §7)
    # ageing and oldest pending requests, the reconciliation
    assert report.tags.count("table") == 5 + 1 + 1 + 7 * 4 + 1
    assert report.tags.count("svg") == 25 + 14
    assert "pre" not in report.tags and "pre" not in summary.tags


def test_nothing_leaves_the_machine(opened: dict[str, Opened]) -> None:
    for name in ("report", "summary"):
        assert opened[name].page_requests == [], name
        assert not re.search(r"https?://", opened[name].dom), name
    # The control page's two outside resources are in its log: the check above can fail.
    assert sorted(opened["control"].page_requests) == [
        "http://example.invalid/x.png",
        "https://cdn.example.invalid/a.css",
    ]
