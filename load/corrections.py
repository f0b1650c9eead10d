"""Which corrections no longer land: their filing is gone from the database (the file changed
or was removed), or the last ingest could not apply them (the cell is gone or changed, or the
correction names a location several cells share). The last ingest's findings about a
correction carry the cell as the correction names it (`Correction.location`: its reference,
canonically written, or the location as written), which is what is matched here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from jixiao import codes
from jixiao.normalize import Correction

from . import schema
from .export import read_only_engine


@dataclass(frozen=True)
class StaleCorrection:
    correction: Correction
    reason: str


_REASONS = {
    codes.CORRECTION_STALE: "the cell no longer reads the original text",
    codes.CORRECTION_NOT_APPLIED: "the filing has no cell at this location",
    codes.CORRECTION_AMBIGUOUS: "several cells have this location: name the cell by its reference",
}


def check_corrections(url: str, corrections: Sequence[Correction]) -> list[StaleCorrection]:
    f, g = schema.filings.c, schema.findings.c
    engine = read_only_engine(url)
    try:
        with engine.connect() as conn:
            present = set(conn.execute(select(f.source_sha256)).scalars())
            failed = {
                (sha, location): code
                for sha, location, code in conn.execute(
                    select(f.source_sha256, g.location, g.code)
                    .join(schema.findings, g.filing_id == f.id)
                    .where(g.code.in_(codes.CORRECTIONS_NOT_LANDING))
                )
            }
    finally:
        engine.dispose()
    out = []
    for c in corrections:
        if c.sha256 not in present:
            out.append(
                StaleCorrection(c, "no filing with this sha256: the file changed or is gone")
            )
        elif (c.sha256, c.location) in failed:
            out.append(StaleCorrection(c, _REASONS[failed[(c.sha256, c.location)]]))
    return out
