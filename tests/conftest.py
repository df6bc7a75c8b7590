"""Shared test helpers: small logs written to tmp files, and the CLI runner at a fixed width."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

# Rich reads the width from COLUMNS: fixed, so tables wrap the same way on every machine.
os.environ["COLUMNS"] = "120"
os.environ.pop("NO_COLOR", None)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
HEADER = "id,organ,kind,origin,categories,sent,executed,outcome"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite the golden files from the program"
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def write_log(tmp_path: Path) -> Callable[..., Path]:
    """write_log("1,OTP,RFA,,,2023-09-16,,", ...) → a CSV file with the SPEC's header."""
    counter = iter(range(1_000_000))

    def write(*rows: str, header: str = HEADER, name: str | None = None) -> Path:
        path = tmp_path / (name or f"log{next(counter)}.csv")
        path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        return path

    return write


# A private PostgreSQL server, started on first use (tests/pg.py).
from pg import postgres_url  # noqa: E402, F401
