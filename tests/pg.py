"""A private PostgreSQL server for the tests: `initdb` into a temporary folder, `pg_ctl` on
127.0.0.1 with a free port and the socket in that folder, stopped at the end of the session.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user
(Debian's package creates it) or `nobody`. When no server binaries or no such user can be found,
the tests that need the server are skipped with the reason.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

USER = "coop"


def _binaries() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _runner() -> tuple[list[str], int | None, int | None]:
    """The command prefix to run the server's programs, and the uid/gid owning its folder."""
    if os.geteuid() != 0:
        return [], None, None
    for name in ("postgres", "nobody"):
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        runuser = shutil.which("runuser")
        if runuser:
            return [runuser, "-u", name, "--"], user.pw_uid, user.pw_gid
    raise NoServer("running as root with no postgres or nobody user (and runuser) to run it")


class NoServer(Exception):
    """No PostgreSQL server can be started here; the message says why."""


@contextmanager
def private_server() -> Iterator[str]:
    """A fresh, empty PostgreSQL server for the block (user `coop`, no password, trust); its
    URL. Raises NoServer when there are no binaries or no user to run them as."""
    binaries = _binaries()
    if binaries is None:
        raise NoServer("no PostgreSQL server binaries (initdb, pg_ctl); .ci/run installs them")
    prefix, uid, gid = _runner()
    folder = Path(tempfile.mkdtemp(prefix="coopstats-pg-"))
    folder.chmod(0o700)
    if uid is not None and gid is not None:
        os.chown(folder, uid, gid)
    data, log = folder / "data", folder / "server.log"
    port = _free_port()

    def run(*args: str) -> None:
        subprocess.run(
            [*prefix, *args], check=True, cwd=folder, capture_output=True, timeout=120
        )

    try:
        run(str(binaries / "initdb"), "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        run(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o",
            f"-h 127.0.0.1 -p {port} -k {folder} -F -c max_connections=20", "start")  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
        detail = log.read_text(errors="replace")[-500:] if log.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(
            f"could not start PostgreSQL: {err}\n{getattr(err, 'stderr', '')!r}\n{detail}"
        ) from None
    try:
        yield f"postgresql://{USER}@127.0.0.1:{port}/postgres"
    finally:
        # From the root folder: the server's folder may be gone already (removed by hand, or
        # by a cleaner of the temporary folder), and the stop must not fail the last test.
        subprocess.run(
            [*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            cwd="/", capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a private PostgreSQL server for the test session (see private_server)."""
    pytest.importorskip("psycopg")
    try:
        with private_server() as url:
            yield url
    except NoServer as reason:
        if os.environ.get("CI"):
            pytest.fail(str(reason))  # CI must test on a real server, never skip it
        pytest.skip(str(reason))
