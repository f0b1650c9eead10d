"""What a batch keeps between runs: the files it has seen (`sources`) and the runs themselves
(`ingest_runs`). The lock that keeps two runs apart is in `lock`."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Select, delete, insert, or_, select, update

from jixiao import codes
from jixiao.normalize import Filing

from . import schema
from .writer import delete_filings, write_filing_in


@dataclass(frozen=True)
class Source:
    size: int
    mtime_ns: int
    sha256: str
    # Its last read failed for a reason that may have passed (codes.RETRYABLE): read it again
    # even when its bytes are unchanged.
    retry: bool = False


def load_sources(engine: Engine) -> dict[str, Source]:
    """Every file path seen before, in two queries: a no-op re-run reads nothing else."""
    s = schema.sources.c
    with engine.connect() as conn:
        retry = set(conn.execute(_retryable_paths()).scalars())
        rows = conn.execute(select(s.path, s.size, s.mtime_ns, s.sha256))
        return {
            row.path: Source(row.size, row.mtime_ns, row.sha256, row.path in retry) for row in rows
        }


def _retryable_paths() -> Select[tuple[str]]:
    """The files holding a failed filing whose failure may not happen again (a time limit, a
    crashed worker, LibreOffice missing, …)."""
    f, g, link = schema.filings.c, schema.findings.c, schema.filing_sources.c
    return (
        select(link.container_path)
        .join(schema.filings, f.id == link.filing_id)
        .join(schema.findings, g.filing_id == f.id)
        .where(f.status == "failed", g.code.in_(codes.RETRYABLE))
        .distinct()
    )


def _upsert_source(
    conn: Connection, path: str, size: int, mtime_ns: int, sha: str, run_id: int | None
) -> None:
    values = {"size": size, "mtime_ns": mtime_ns, "sha256": sha, "last_run_id": run_id}
    done = conn.execute(
        update(schema.sources).where(schema.sources.c.path == path).values(**values)
    ).rowcount
    if not done:
        conn.execute(insert(schema.sources).values(path=path, **values))


def _read_well_elsewhere(conn: Connection, filings: list[Filing]) -> list[tuple[int, str]]:
    """When this file's reading failed for a reason that may pass (codes.RETRYABLE) but another
    file with the same bytes was read well, those filings stand for this file too: a time limit
    hit once must not overwrite a good filing. Gives (filing id, link path): the file itself, or
    an entry of it when it is an archive."""
    if len(filings) != 1 or filings[0].status != "failed":
        return []
    failed = filings[0]
    if not {x.code for x in failed.findings} & codes.RETRYABLE:
        return []
    f = schema.filings.c
    sha, path = failed.source_sha256, failed.source_path
    rows = conn.execute(
        select(f.id, f.source_path, f.source_sha256).where(
            or_(f.source_sha256 == sha, f.container_sha256 == sha), f.status != "failed"
        )
    ).all()
    return [
        (row.id, path if row.source_sha256 == sha else f"{path}!/{row.source_path.split('!/')[-1]}")
        for row in rows
    ]


def _unlink(conn: Connection, container: str) -> set[int]:
    """Drop the links of the file `container` (its filings, or its archive's entries'); gives
    the filings they pointed to, to drop those left with no link."""
    link = schema.filing_sources.c
    ids = set(
        conn.execute(select(link.filing_id).where(link.container_path == container)).scalars()
    )
    conn.execute(delete(schema.filing_sources).where(link.container_path == container))
    return ids


def _link(conn: Connection, links: set[tuple[int, str]], container: str) -> None:
    if links:
        conn.execute(
            insert(schema.filing_sources),
            [{"filing_id": i, "path": p, "container_path": container} for i, p in sorted(links)],
        )


def _drop_unlinked(conn: Connection, filing_ids: set[int]) -> None:
    """Delete those of `filing_ids` no file holds any more; a filing another file still holds
    keeps its rows, and names one of those files if it named the one that went."""
    if not filing_ids:
        return
    f, link, s = schema.filings.c, schema.filing_sources.c, schema.sources.c
    held = conn.execute(
        select(link.filing_id, link.path, link.container_path, f.source_path, s.sha256)
        .join(schema.filings, f.id == link.filing_id)
        .outerjoin(schema.sources, s.path == link.container_path)
        .where(link.filing_id.in_(filing_ids))
        .order_by(link.filing_id, link.path)
    ).all()
    delete_filings(conn, sorted(filing_ids - {row.filing_id for row in held}))
    named: dict[int, bool] = {}
    for row in held:
        named[row.filing_id] = named.get(row.filing_id, False) or row.path == row.source_path
    for row in held:
        if not named[row.filing_id]:
            named[row.filing_id] = True
            container = row.sha256 if row.path != row.container_path else None
            conn.execute(
                update(schema.filings)
                .where(f.id == row.filing_id)
                .values(source_path=row.path, container_sha256=container)
            )


def _drop_surplus_parts(conn: Connection, filings: list[Filing]) -> None:
    """Bytes read again that now yield fewer filings keep none of the old extra parts (wherever
    else those bytes are: the parts are the bytes', not the path's)."""
    f = schema.filings.c
    for sha in {x.source_sha256 for x in filings}:
        parts = [x.part for x in filings if x.source_sha256 == sha]
        stale = conn.execute(
            select(f.id).where(f.source_sha256 == sha, f.part.not_in(parts))
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
    version: str,
    run_id: int | None,
) -> None:
    """One file in one transaction: its `sources` row and, when it was read again, its filings
    (one per table it holds, or per archive entry), linked to `path` in place of what its old
    contents gave; old filings no file links any more are deleted. `filings` None: the file was
    only touched, its filings stay as they are."""
    with engine.begin() as conn:
        if filings is not None:
            before = _unlink(conn, path)
            good = _read_well_elsewhere(conn, filings)
            if good:  # this reading failed (a time limit, a worker lost), the bytes did not
                _link(conn, set(good), path)
            else:
                links = {(write_filing_in(conn, x, version), x.source_path) for x in filings}
                _link(conn, links, path)
                _drop_surplus_parts(conn, filings)
        _upsert_source(conn, path, size, mtime_ns, sha, run_id)
        if filings is not None:
            _drop_unlinked(conn, before)


def prune(engine: Engine, paths: list[str]) -> int:
    """Forget vanished files, and the filings no other file holds."""
    with engine.begin() as conn:
        for path in paths:
            before = _unlink(conn, path)
            conn.execute(delete(schema.sources).where(schema.sources.c.path == path))
            _drop_unlinked(conn, before)
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
