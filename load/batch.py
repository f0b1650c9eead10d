"""What a batch keeps between runs: the files it has seen (`sources`) and the runs themselves
(`ingest_runs`). The lock that keeps two runs apart is in `lock`."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, or_, select, update

from jixiao import codes
from jixiao.normalize import Filing

from . import schema
from .writer import delete_filings, write_filing_in


@dataclass(frozen=True)
class Source:
    size: int
    mtime_ns: int
    sha256: str


def load_sources(engine: Engine) -> dict[str, Source]:
    """Every file path seen before, in one query: a no-op re-run reads nothing else."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                schema.sources.c.path,
                schema.sources.c.size,
                schema.sources.c.mtime_ns,
                schema.sources.c.sha256,
            )
        )
        return {row.path: Source(row.size, row.mtime_ns, row.sha256) for row in rows}


def _upsert_source(
    conn: Connection, path: str, size: int, mtime_ns: int, sha: str, run_id: int | None
) -> None:
    values = {"size": size, "mtime_ns": mtime_ns, "sha256": sha, "last_run_id": run_id}
    done = conn.execute(
        update(schema.sources).where(schema.sources.c.path == path).values(**values)
    ).rowcount
    if not done:
        conn.execute(insert(schema.sources).values(path=path, **values))


def _drop_orphan_filings(conn: Connection, sha: str) -> None:
    """Remove the filings of `sha` (every part, and every entry of an archive with those bytes)
    when no file path refers to those bytes any more."""
    still = conn.execute(
        select(func.count()).select_from(schema.sources).where(schema.sources.c.sha256 == sha)
    ).scalar_one()
    if still:
        return
    f = schema.filings.c
    ids = conn.execute(
        select(f.id).where(or_(f.source_sha256 == sha, f.container_sha256 == sha))
    ).scalars()
    delete_filings(conn, list(ids))


def _drop_surplus_parts(conn: Connection, filings: list[Filing]) -> None:
    """A file read again that now yields fewer filings (or fewer archive entries) keeps none of
    the old extra ones."""
    f = schema.filings.c
    for sha in {x.source_sha256 for x in filings}:
        parts = [x.part for x in filings if x.source_sha256 == sha]
        stale = conn.execute(
            select(f.id).where(f.source_sha256 == sha, f.part.not_in(parts))
        ).scalars()
        delete_filings(conn, list(stale))
    containers = {x.container_sha256 for x in filings if x.container_sha256}
    for container in containers:
        entries = {x.source_sha256 for x in filings if x.container_sha256 == container}
        stale = conn.execute(
            select(f.id).where(f.container_sha256 == container, f.source_sha256.not_in(entries))
        ).scalars()
        delete_filings(conn, list(stale))


_CORRECTION_CODES = codes.CORRECTIONS


def corrected_shas(engine: Engine, corrected: set[str]) -> set[str]:
    """The file contents to read again so corrections take effect or stop applying: those with
    corrections now, those that had corrections last time, and the archives holding either."""
    f, g = schema.filings.c, schema.findings.c
    with engine.connect() as conn:
        before = set(
            conn.execute(
                select(f.source_sha256)
                .join(schema.findings, g.filing_id == f.id)
                .where(g.code.in_(_CORRECTION_CODES))
            ).scalars()
        )
        shas = corrected | before
        containers = (
            set(
                conn.execute(
                    select(f.container_sha256).where(
                        f.source_sha256.in_(shas), f.container_sha256.is_not(None)
                    )
                ).scalars()
            )
            if shas
            else set()
        )
    return shas | containers


def record_file(
    engine: Engine,
    filings: list[Filing] | None,
    path: str,
    size: int,
    mtime_ns: int,
    sha: str,
    previous_sha: str | None,
    version: str,
    run_id: int | None,
) -> None:
    """One file in one transaction: its filings (when it was read again: one per table it
    holds, or per archive entry), its `sources` row, and, if the file's bytes changed, the old
    filings it no longer backs."""
    with engine.begin() as conn:
        if filings:
            for filing in filings:
                write_filing_in(conn, filing, version)
            _drop_surplus_parts(conn, filings)
        _upsert_source(conn, path, size, mtime_ns, sha, run_id)
        if previous_sha and previous_sha != sha:
            _drop_orphan_filings(conn, previous_sha)


def prune(engine: Engine, paths: list[str]) -> int:
    """Forget vanished files, and their filings where no other path backs them."""
    with engine.begin() as conn:
        for path in paths:
            sha = conn.execute(
                select(schema.sources.c.sha256).where(schema.sources.c.path == path)
            ).scalar_one_or_none()
            conn.execute(delete(schema.sources).where(schema.sources.c.path == path))
            if sha:
                _drop_orphan_filings(conn, sha)
    return len(paths)


def start_run(engine: Engine, version: str, arguments: dict[str, Any]) -> int:
    with engine.begin() as conn:
        return int(
            conn.execute(
                insert(schema.ingest_runs).values(
                    started_at=dt.datetime.now(dt.UTC),
                    status="running",
                    pipeline_version=version,
                    arguments=json.dumps(arguments, ensure_ascii=False, default=str),
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )


def finish_run(engine: Engine, run_id: int, status: str, counts: dict[str, int]) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(schema.ingest_runs)
            .where(schema.ingest_runs.c.id == run_id)
            .values(finished_at=dt.datetime.now(dt.UTC), status=status, **counts)
        )


def fail_abandoned_runs(engine: Engine) -> list[int]:
    """Runs still marked `running` when a new run holds the lock ended without saying so (killed
    with -9, the machine lost power): mark them failed. Returns their ids."""
    r = schema.ingest_runs.c
    with engine.begin() as conn:
        ids = list(conn.execute(select(r.id).where(r.status == "running")).scalars())
        if ids:
            conn.execute(update(schema.ingest_runs).where(r.id.in_(ids)).values(status="failed"))
    return ids
