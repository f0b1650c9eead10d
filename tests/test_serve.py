"""`jixiao serve` as a service: a stop signal takes Datasette down with it and frees the port;
the database is served live (an ingest's new rows show) yet browsing cannot write it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import SAMPLES, SEED
from jixiao.pipeline import ingest

# Each test starts Datasette (seconds of imports), more under a loaded -n auto run.
pytestmark = pytest.mark.slow

STARTUP_SECONDS = 30.0
STOP_SECONDS = 5.0


@dataclass
class Served:
    jixiao: subprocess.Popen[bytes]
    datasette: int  # pid of jixiao's Datasette child
    port: int

    def sql(self, database: str, sql: str) -> Any:
        """The JSON Datasette answers for `sql` on `database` (its file's stem)."""
        query = urllib.parse.urlencode({"sql": sql, "_shape": "array"})
        url = f"http://127.0.0.1:{self.port}/{database}.json?{query}"
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def alive(pid: int) -> bool:
    """Some thread of `pid` still runs. A zombie leader is not enough: Datasette's other threads
    may still be exiting with the listening socket open (and a zombie waiting for an init that
    never reaps it is dead)."""
    states = []
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        with contextlib.suppress(OSError):  # a thread that ended while we looked
            states.append(stat.read_text().rsplit(")", 1)[1].split()[0])
    return any(state not in ("Z", "X") for state in states)


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended while we looked
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _wait_until(done: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, f"{what} after {seconds} s"
        time.sleep(0.1)


@contextlib.contextmanager
def serving(db_url: str, *extra: str) -> Iterator[Served]:
    """`jixiao serve` in a subprocess, answering HTTP; stopped afterwards, and checked that no
    Datasette of it is left on the port (every test run used to leave one behind)."""
    port = free_port()
    jixiao = subprocess.Popen(
        [sys.executable, "-m", "jixiao", "serve", "--db", db_url, "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    datasette: list[int] = []
    try:

        def answering() -> bool:
            assert jixiao.poll() is None, f"jixiao serve exited with {jixiao.returncode}"
            datasette[:] = datasette or children(jixiao.pid)
            return port_open(port)

        _wait_until(answering, STARTUP_SECONDS, "jixiao serve does not answer HTTP")
        assert len(datasette) == 1, datasette
        yield Served(jixiao, datasette[0], port)
    finally:
        if jixiao.poll() is None:
            jixiao.send_signal(signal.SIGTERM)
            try:
                jixiao.wait(timeout=STOP_SECONDS * 3)
            except subprocess.TimeoutExpired:
                jixiao.kill()
                jixiao.wait()
        for pid in datasette:  # never leave a server behind, even when a check failed
            if alive(pid):
                signal_pid(pid, signal.SIGKILL)
    assert not any(alive(pid) for pid in datasette), "Datasette outlived jixiao serve"
    assert not port_open(port), f"port {port} still taken after jixiao serve stopped"


def signal_pid(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'jixiao.db'}"
    ingest([SEED], url)
    return url


@pytest.mark.parametrize(
    "signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: signal.Signals(s).name
)
def test_a_stop_signal_stops_datasette_and_frees_the_port(sqlite_url: str, signum: int) -> None:
    # Regression: SIGHUP (a closed terminal or SSH session) ended jixiao and left Datasette
    # serving on the port, orphaned.
    with serving(sqlite_url) as served:
        served.jixiao.send_signal(signum)
        assert served.jixiao.wait(timeout=STOP_SECONDS * 2) == 0
        _wait_until(lambda: not alive(served.datasette), STOP_SECONDS, "Datasette still runs")
        _wait_until(lambda: not port_open(served.port), STOP_SECONDS, "the port is still taken")


def test_datasette_dies_with_a_killed_jixiao(sqlite_url: str) -> None:
    # kill -9 runs no handler: PR_SET_PDEATHSIG takes the child down (Linux).
    with serving(sqlite_url) as served:
        served.jixiao.kill()
        served.jixiao.wait(timeout=STOP_SECONDS)
        _wait_until(lambda: not alive(served.datasette), STOP_SECONDS, "Datasette still runs")


def test_an_ingest_while_serving_shows_and_browsing_cannot_write(sqlite_url: str) -> None:
    # Regression: served --immutable, the new filing never showed (or "database disk image is
    # malformed") while an ingest wrote the file.
    count = "SELECT count(*) AS n FROM filings"
    with serving(sqlite_url) as served:
        # Asked a few times each: every one of Datasette's SQL threads reads the file (an
        # immutable connection keeps the pages it once read).
        assert [served.sql("jixiao", count) for _ in range(6)] == [[{"n": 1}]] * 6
        ingest([SAMPLES / "filings" / "mianyang_education_2024.txt"], sqlite_url)
        assert [served.sql("jixiao", count) for _ in range(6)] == [[{"n": 2}]] * 6
        # Served mutable, still read-only: Datasette refuses what is not a SELECT.
        with pytest.raises(urllib.error.HTTPError) as refused:
            served.sql("jixiao", "DELETE FROM filings")
        assert refused.value.code == 400
        assert served.sql("jixiao", count) == [{"n": 2}]
