"""Corrections an analyst made to cells jixiao read wrong (or that the filing printed wrong):
kept in a file of their own (CSV or YAML), applied to the cells of a document before it is
normalized, on every ingest, each with an info finding that says who changed what and why.

A correction names the filing by the sha256 of its bytes and the cell by its location as
findings print it (`line 79, cell 3`; `page 4, row 95, cell 2`); `original`, when given, must
still be the cell's text, so a correction never lands on a cell that has since changed."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from jixiao.extract import Cell, Note, Paragraph, RawDocument, Table

FIELDS = ("sha256", "location", "corrected", "original", "who", "why")


class CorrectionsError(Exception):
    """The corrections file cannot be used; the message names the file and row."""


@dataclass(frozen=True)
class Correction:
    sha256: str
    location: str
    corrected: str
    who: str
    why: str
    original: str | None = None
    source: str = ""  # where the correction is written: file and row


def load_corrections(path: str | Path) -> list[Correction]:
    """Read a corrections file: CSV with a header row (sha256, location, corrected, original,
    who, why), or YAML (a list of mappings with those keys, or one under `corrections:`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CorrectionsError(f"{path}: cannot read the corrections file ({exc}).") from exc
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text) or []
        except yaml.YAMLError as exc:
            raise CorrectionsError(f"{path}: not valid YAML ({exc}).") from exc
        if isinstance(data, dict):
            data = data.get("corrections", [])
        if not isinstance(data, list):
            raise CorrectionsError(f"{path}: expected a list of corrections.")
        rows = [(f"{path}, item {k}", item) for k, item in enumerate(data, start=1)]
    else:
        reader = csv.DictReader(io.StringIO(text))
        rows = [(f"{path}, row {k}", item) for k, item in enumerate(reader, start=2)]
    return [_to_correction(where, item) for where, item in rows]


def _to_correction(where: str, item: object) -> Correction:
    if not isinstance(item, dict):
        raise CorrectionsError(f"{where}: expected the fields {', '.join(FIELDS)}.")
    values = {k: ("" if item.get(k) is None else str(item.get(k)).strip()) for k in FIELDS}
    missing = [k for k in ("sha256", "location", "who", "why") if not values[k]]
    if missing or item.get("corrected") is None:
        missing += [] if item.get("corrected") is not None else ["corrected"]
        raise CorrectionsError(
            f"{where}: {', '.join(missing)} missing. Every correction says which filing "
            "(sha256), which cell (location, as findings print it), the corrected text, who "
            "made it and why."
        )
    if len(values["sha256"]) != 64:
        raise CorrectionsError(f"{where}: sha256 must be the 64 hex digits of the file's hash.")
    return Correction(
        sha256=values["sha256"].lower(),
        location=values["location"],
        corrected=str(item.get("corrected")),
        who=values["who"],
        why=values["why"],
        original=values["original"] or None,
        source=where,
    )


def by_filing(corrections: Iterable[Correction]) -> dict[str, list[Correction]]:
    out: dict[str, list[Correction]] = defaultdict(list)
    for correction in corrections:
        out[correction.sha256].append(correction)
    return dict(out)


def apply_corrections(doc: RawDocument, corrections: Iterable[Correction]) -> RawDocument:
    """The document with each correction's cell replaced, and a note per correction: applied
    (info), or not (warning: the cell is gone, or no longer says `original`)."""
    wanted = {c.location: c for c in corrections if c.sha256 == doc.sha256}
    if not wanted:
        return doc
    done: dict[str, str] = {}  # location -> the text the cell had
    stale: dict[str, str] = {}

    def fix(text: str, location: str) -> str:
        correction = wanted.get(location)
        if correction is None:
            return text
        if correction.original is not None and text != correction.original:
            stale[location] = text
            return text
        done[location] = text
        return correction.corrected

    blocks: list[Paragraph | Table] = []
    for block in doc.blocks:
        if isinstance(block, Table):
            rows = tuple(tuple(_fixed_cell(cell, fix) for cell in row) for row in block.rows)
            blocks.append(replace(block, rows=rows))
        else:
            blocks.append(replace(block, text=fix(block.text, block.location)))
    notes = list(doc.notes)
    for location, correction in wanted.items():
        if location in done:
            notes.append(
                Note(
                    "info",
                    "correction_applied",
                    f"Corrected by {correction.who}: '{done[location]}' → "
                    f"'{correction.corrected}' ({correction.why}; {correction.source}).",
                    location,
                )
            )
        elif location in stale:
            notes.append(
                Note(
                    "warning",
                    "correction_stale",
                    f"A correction by {correction.who} expects '{correction.original}' here but "
                    f"the cell reads '{stale[location]}'; it was not applied. Check "
                    f"{correction.source}.",
                    location,
                )
            )
        else:
            notes.append(
                Note(
                    "warning",
                    "correction_not_applied",
                    f"A correction by {correction.who} names a cell this filing does not have; "
                    f"it was not applied. Check {correction.source}.",
                    location,
                )
            )
    return replace(doc, blocks=tuple(blocks), notes=tuple(notes))


def _fixed_cell(cell: Cell, fix: Callable[[str, str], str]) -> Cell:
    text = fix(cell.text, cell.location)
    return cell if text == cell.text else replace(cell, text=text)
