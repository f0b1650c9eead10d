"""Where the per-file work (extract + normalize) runs: in this process, in worker processes that
a time limit and a memory cap can stop, or on a Dask cluster. The database writer is always
the caller, one file at a time.

A file that takes too long, needs too much memory or kills its worker becomes a failed Filing
that says so, and a fresh worker takes the next file."""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from jixiao import codes
from jixiao.logs import log_to_file
from jixiao.normalize import Filing, Finding
from jixiao.work import Corrections, _sha256_of, file_to_filings

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


# What a file's work gives back: its path and its filings (one per table or archive entry).
Result = tuple[str, list[Filing]]


def _failed(path: str, code: str, message: str) -> Result:
    sha = _sha256_of(Path(path))  # in chunks: it may be the file too big for a worker's cap
    return path, [Filing.failed(path, sha, "unknown", Finding("error", code, message))]


def run_in_process(
    paths: Iterable[str], ocr: str, corrections: Corrections | None = None
) -> Iterator[Result]:
    for path in paths:
        yield path, file_to_filings(Path(path), ocr, corrections)


def _worker(conn: Connection, ocr: str, corrections: Corrections | None) -> None:
    log_to_file()  # tracebacks to the log file; the main process reports the failed file
    while True:
        path = conn.recv()
        if path is None:
            return
        conn.send((path, file_to_filings(Path(path), ocr, corrections)))


@dataclass
class _Slot:
    process: Any
    conn: Connection
    path: str | None = None
    started: float = 0.0


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * _PAGE / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def run_in_workers(
    paths: Iterable[str],
    workers: int,
    timeout: float,
    max_memory_mb: float,
    ocr: str,
    corrections: Corrections | None = None,
) -> Iterator[Result]:
    """Filings in the order they finish, from `workers` processes."""
    context = mp.get_context("forkserver")
    context.set_forkserver_preload(["jixiao.workers"])
    queue = list(paths)[::-1]

    def start() -> _Slot:
        parent, child = context.Pipe()
        process = context.Process(
            target=_worker, args=(child, ocr, dict(corrections or {})), daemon=True
        )
        process.start()
        child.close()
        return _Slot(process, parent)

    slots = [start() for _ in range(max(1, min(workers, len(queue))))]
    try:
        while queue or any(s.path for s in slots):
            for slot in slots:
                if slot.path is None and queue:
                    slot.path, slot.started = queue.pop(), time.monotonic()
                    slot.conn.send(slot.path)
            busy = [s for s in slots if s.path]
            for conn in wait([s.conn for s in busy], timeout=0.5):
                slot = next(s for s in busy if s.conn is conn)
                try:
                    result = slot.conn.recv()
                except (EOFError, OSError):
                    result = _failed(
                        slot.path or "",
                        codes.WORKER_CRASHED,
                        "The worker reading this file stopped without an answer (it may have "
                        "run out of memory). The file was skipped; the rest of the batch goes on.",
                    )
                    slots[slots.index(slot)] = _replace(slot, start)
                slot.path = None
                yield result
            now = time.monotonic()
            for k, slot in enumerate(slots):
                if not slot.path:
                    continue
                if now - slot.started > timeout:
                    code, why = (
                        "timeout",
                        (
                            f"Reading this file took longer than the time limit ({timeout:g} s), "
                            "so it was stopped. Try it alone with a larger --timeout."
                        ),
                    )
                elif _rss_mb(slot.process.pid) > max_memory_mb:
                    code, why = (
                        "memory",
                        (
                            f"Reading this file needed more than the memory cap ({max_memory_mb:g} "
                            "MB), so it was stopped. Try it alone with a larger --max-memory."
                        ),
                    )
                else:
                    continue
                path = slot.path
                slots[k] = _replace(slot, start)
                yield _failed(path, code, why)
    finally:
        for slot in slots:
            with contextlib.suppress(OSError):
                slot.conn.send(None)
            slot.process.join(timeout=2)
            if slot.process.is_alive():
                slot.process.kill()


def _replace(slot: _Slot, start: Any) -> _Slot:
    slot.process.kill()
    slot.process.join(timeout=5)
    slot.conn.close()
    fresh: _Slot = start()
    return fresh


def run_on_dask(
    paths: Iterable[str], scheduler: str, ocr: str, corrections: Corrections | None = None
) -> Iterator[Result]:
    """The same per-file work on a Dask distributed cluster; results come back here to be
    written."""
    from dask.distributed import Client, as_completed

    def work(path: str) -> Result:
        return path, file_to_filings(Path(path), ocr, corrections)

    with Client(scheduler) as client:  # type: ignore[no-untyped-call]
        futures = {client.submit(work, p, pure=False): p for p in paths}
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            try:
                yield future.result()
            except Exception as exc:  # a worker lost, a task that raised
                yield _failed(
                    futures[future],
                    codes.WORKER_CRASHED,
                    f"The cluster could not read this file ({type(exc).__name__}); the rest of "
                    "the batch goes on.",
                )
