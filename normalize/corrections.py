"""Corrections an analyst made to cells jixiao read wrong (or that the filing printed wrong):
kept in a file of their own (CSV or YAML), applied to the cells of a document before it is
normalized, on every ingest, each with an info finding that says who changed what and why.

A correction names the filing by the sha256 of its bytes and the cell by its reference (see
`CellRef`): "table 4, row 2, cell 3", or "page 2, table 4, row 2, cell 3" — the table is
numbered by its position among the document's blocks, so two tables of one web page are two
different cells' homes. Office files and web pages print that reference as the cell's location
in findings; for text exports and PDFs a location as findings print it (`line 79, cell 3`;
`page 4, row 95, cell 2`) is read too, and lands when it names exactly one cell of the
document (a location that several cells share is reported, with their references, and not
applied). Files written before cells had references (a `location` column; office files' and web
pages' `row 1, cell 1`) are read the same way. A paragraph is named by its location (`line 12`,
`paragraph 3`). `original`, when given, must still be the text, so a correction never lands on
a cell that has since changed."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from jixiao import codes
from jixiao.extract import Cell, CellRef, Note, Paragraph, RawDocument, Table

FIELDS = ("sha256", "cell", "corrected", "original", "who", "why")
# The column (key) that named the cell before cells had references; still read.
OLD_CELL_FIELD = "location"


class CorrectionsError(Exception):
    """The corrections file cannot be used; the message names the file and row."""


@dataclass(frozen=True)
class Correction:
    sha256: str
    location: str  # the cell as written: str(ref) when it is a reference, else a location
    corrected: str
    who: str
    why: str
    original: str | None = None
    source: str = ""  # where the correction is written: file and row
    ref: CellRef | None = None  # the cell, when the file names it by its reference


def load_corrections(path: str | Path) -> list[Correction]:
    """Read a corrections file: CSV with a header row (sha256, cell, corrected, original, who,
    why; older files say `location` for `cell`), or YAML (a list of mappings with those keys,
    or one under `corrections:`)."""
    path = Path(path)
    try:
        text = _text_of(path.read_bytes(), path)
    except OSError as exc:
        raise CorrectionsError(f"{path}: cannot read the corrections file ({exc}).") from exc
    if path.suffix.lower() in (".yaml", ".yml"):
        rows = [(f"{path}, item {k}", item) for k, item in enumerate(_yaml_items(text, path), 1)]
    else:
        reader = csv.DictReader(io.StringIO(text))
        rows = [(f"{path}, row {k}", item) for k, item in enumerate(reader, start=2)]
    return [_to_correction(where, item) for where, item in rows]


def _text_of(data: bytes, path: Path) -> str:
    """The file's text: UTF-8 (with or without a BOM), else GB18030, which reads GBK and
    GB2312, what Excel and WPS save a CSV in on Chinese Windows."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CorrectionsError(
        f"{path}: the file is neither UTF-8 nor GBK/GB18030 text; save it as UTF-8 (Excel: "
        "CSV UTF-8) and try again."
    )


class _AliasRefused(yaml.YAMLError):
    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__(f"line {mark.line + 1}")


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without aliases (*name): a few hundred bytes of nested aliases expand to
    gigabytes (the "billion laughs"), and a corrections file has no use for them."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise _AliasRefused(self.peek_event().start_mark)  # type: ignore[no-untyped-call]
        return super().compose_node(parent, index)


def _yaml_items(text: str, path: Path) -> list[object]:
    """The corrections of a YAML file: a list of mappings, or one under `corrections:`."""
    try:
        data = yaml.load(text, Loader=_NoAliasLoader) or []
    except _AliasRefused as exc:
        raise CorrectionsError(
            f"{path}, {exc}: YAML aliases (*name) are not allowed in a corrections file; write "
            "each value out in full."
        ) from exc
    except yaml.YAMLError as exc:
        raise CorrectionsError(f"{path}: not valid YAML ({exc}).") from exc
    if isinstance(data, dict):
        if "corrections" not in data:
            keys = ", ".join(str(k) for k in list(data)[:5])
            raise CorrectionsError(
                f"{path}: expected a list of corrections, or one under the key 'corrections:'; "
                f"this file's keys are {keys}."
            )
        data = data["corrections"]
    if not isinstance(data, list):
        raise CorrectionsError(f"{path}: expected a list of corrections.")
    return data


def _to_correction(where: str, item: object) -> Correction:
    if not isinstance(item, dict):
        raise CorrectionsError(f"{where}: expected the fields {', '.join(FIELDS)}.")
    values = {
        k: ("" if item.get(k) is None else str(item.get(k)).strip())
        for k in (*FIELDS, OLD_CELL_FIELD)
    }
    cell = values["cell"] or values[OLD_CELL_FIELD]
    missing = [k for k in ("sha256", "who", "why") if not values[k]]
    if not cell:
        missing.insert(1, "cell")
    if missing or item.get("corrected") is None:
        missing += [] if item.get("corrected") is not None else ["corrected"]
        raise CorrectionsError(
            f"{where}: {', '.join(missing)} missing. Every correction says which filing "
            "(sha256), which cell (cell: its reference, 'table 4, row 2, cell 3', or its "
            "location as findings print it), the corrected text, who made it and why."
        )
    if len(values["sha256"]) != 64:
        raise CorrectionsError(f"{where}: sha256 must be the 64 hex digits of the file's hash.")
    ref = CellRef.parse(cell)
    return Correction(
        sha256=values["sha256"].lower(),
        location=str(ref) if ref is not None else cell,
        corrected=str(item.get("corrected")),
        who=values["who"],
        why=values["why"],
        original=values["original"] or None,
        source=where,
        ref=ref,
    )


def by_filing(corrections: Iterable[Correction]) -> dict[str, list[Correction]]:
    out: dict[str, list[Correction]] = defaultdict(list)
    for correction in corrections:
        out[correction.sha256].append(correction)
    return dict(out)


# A cell (block, row, col) or a paragraph (block, None, None) of a document.
_Key = tuple[int, int | None, int | None]


@dataclass
class _Index:
    """What a document's corrections can name: each cell and paragraph by its key, with its
    text, page and reference as people read it, and the keys each location names."""

    texts: dict[_Key, str]
    pages: dict[_Key, int | None]
    names: dict[_Key, str]
    locations: dict[str, list[_Key]]

    @classmethod
    def of(cls, doc: RawDocument) -> _Index:
        index = cls({}, {}, {}, defaultdict(list))
        for ref, cell in doc.cells():
            key: _Key = (ref.block, ref.row, ref.col)
            index.add(key, cell.text, cell.page, str(ref), {cell.location, _old_location(cell)})
        for block in doc.blocks:
            if isinstance(block, Paragraph) and block.block is not None:
                old = f"line {block.line}" if block.line is not None else f"page {block.page}"
                key = (block.block, None, None)
                index.add(key, block.text, block.page, block.location, {block.location, old})
        return index

    def add(self, key: _Key, text: str, page: int | None, name: str, where: set[str]) -> None:
        if key in self.texts:
            return
        self.texts[key], self.pages[key], self.names[key] = text, page, name
        for location in where:
            self.locations[location].append(key)

    def find(self, correction: Correction) -> list[_Key]:
        """The cells the correction names: one, none, or (a location several cells share)
        several."""
        ref = correction.ref
        if ref is None:
            return self.locations.get(correction.location, [])
        key: _Key = (ref.block, ref.row, ref.col)
        if key not in self.texts or ref.page not in (None, self.pages[key]):
            return []
        return [key]


def apply_corrections(doc: RawDocument, corrections: Iterable[Correction]) -> RawDocument:
    """The document with each correction's cell replaced, and a note per correction: applied
    (info), or not (warning: the cell is gone, no longer says `original`, or the location is
    shared by several cells)."""
    wanted = [c for c in corrections if c.sha256 == doc.sha256]
    if not wanted:
        return doc
    index = _Index.of(doc)
    fixes: dict[_Key, Correction] = {}
    notes = list(doc.notes)
    for correction in wanted:
        keys = index.find(correction)
        if len(keys) == 1:
            fixes[keys[0]] = correction  # a later correction of the same cell wins
        elif not keys:
            notes.append(_note(correction, codes.CORRECTION_NOT_APPLIED))
        else:
            notes.append(
                _note(correction, codes.CORRECTION_AMBIGUOUS, [index.names[k] for k in keys])
            )
    for key, correction in fixes.items():
        text = index.texts[key]
        if correction.original is not None and text != correction.original:
            notes.append(_note(correction, codes.CORRECTION_STALE, [text]))
        else:
            notes.append(_note(correction, codes.CORRECTION_APPLIED, [text, index.names[key]]))
    changes = {
        key: c.corrected
        for key, c in fixes.items()
        if c.original is None or index.texts[key] == c.original
    }
    blocks: list[Paragraph | Table] = []
    for block in doc.blocks:
        if isinstance(block, Table):
            rows = tuple(tuple(_fixed(cell, changes) for cell in row) for row in block.rows)
            blocks.append(block if rows == block.rows else replace(block, rows=rows))
        elif block.block is not None and (block.block, None, None) in changes:
            blocks.append(replace(block, text=changes[(block.block, None, None)]))
        else:
            blocks.append(block)
    return replace(doc, blocks=tuple(blocks), notes=tuple(notes))


def _fixed(cell: Cell, changes: dict[_Key, str]) -> Cell:
    """The cell as corrected. A person read it against the document, so it no longer carries
    an OCR score: it is neither repaired as an OCR reading nor listed as one OCR was unsure of
    (a correction that leaves the text as it was confirms the reading)."""
    ref = cell.ref
    text = None if ref is None else changes.get((ref.block, ref.row, ref.col))
    if text is None or (text == cell.text and cell.confidence is None):
        return cell
    return replace(cell, text=text, confidence=None)


def _old_location(cell: Cell) -> str:
    """The cell's location as findings printed it before cells had references (office files
    and web pages: `row 1, cell 1`, whichever table), so that older corrections files still
    land where they name one cell."""
    parts = [] if cell.page is None else [f"page {cell.page}"]
    parts.append(f"line {cell.line}" if cell.line is not None else f"row {cell.row + 1}")
    parts.append(f"cell {cell.col + 1}")
    return ", ".join(parts)


def _note(correction: Correction, code: str, details: list[str] | None = None) -> Note:
    c, details = correction, details or []
    if code == codes.CORRECTION_APPLIED:
        was, name = details
        where = "" if name == c.location else f"; {name}"
        return Note(
            "info",
            code,
            f"Corrected by {c.who}: '{was}' → '{c.corrected}' ({c.why}; {c.source}{where}).",
            c.location,
        )
    if code == codes.CORRECTION_STALE:
        return Note(
            "warning",
            code,
            f"A correction by {c.who} expects '{c.original}' here but the cell reads "
            f"'{details[0]}'; it was not applied. Check {c.source}.",
            c.location,
        )
    if code == codes.CORRECTION_AMBIGUOUS:
        shown = ", ".join(f"'{name}'" for name in details[:5])
        more = f" and {len(details) - 5} more" if len(details) > 5 else ""
        return Note(
            "warning",
            code,
            f"A correction by {c.who} names '{c.location}', which {len(details)} cells of this "
            f"filing share ({shown}{more}); it was not applied. Name the cell by its "
            f"reference instead in {c.source}.",
            c.location,
        )
    return Note(
        "warning",
        codes.CORRECTION_NOT_APPLIED,
        f"A correction by {c.who} names a cell this filing does not have; it was not applied. "
        f"Check {c.source}.",
        c.location,
    )
