"""ZIP archives of filings: each entry read into memory on its own, never unpacked to disk, so an
entry name like `../../etc/passwd` cannot write anywhere. Names that try it, entries that would
inflate past the limits (zip bombs), encrypted entries and archives inside the archive are
refused one by one, each with a reason; the other entries are still read."""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from jixiao import codes

from .model import ExtractError

# An entry may not inflate past this, and the archive not past the total; a ratio above the
# limit on a large entry is a bomb's signature (filings compress about 3-10×).
MAX_ENTRY_BYTES = 256 * 2**20
MAX_TOTAL_BYTES = 1024 * 2**20
MAX_RATIO = 200
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class Entry:
    name: str  # as stored in the archive, decoded
    data: bytes | None  # None when refused
    refused: ExtractError | None = None


def _decoded_name(info: zipfile.ZipInfo) -> str:
    """Chinese Windows tools write GBK names without the UTF-8 flag; zipfile then decodes them
    as cp437. Undo that."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def unsafe_name(name: str) -> bool:
    """Absolute paths, drive letters and `..` components."""
    normalized = name.replace("\\", "/")
    if normalized.startswith("/") or (len(normalized) > 1 and normalized[1] == ":"):
        return True
    return ".." in posixpath.normpath(normalized).split("/")


def _refuse(name: str, code: str, why: str) -> Entry:
    return Entry(name, None, ExtractError(why, code=code))


def _read_bounded(z: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    """The entry's bytes, or None when it inflates past `limit` (the sizes in the directory
    are written by whoever made the archive and may lie)."""
    with z.open(info) as stream:
        data = stream.read(limit + 1)
    return None if len(data) > limit else data


def archive_entries(data: bytes) -> Iterator[Entry]:
    """The files inside a ZIP archive, in stored order; folders and hidden files skipped."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ExtractError(
            "This ZIP archive is damaged and its list of files cannot be read. Download it "
            "again or unpack it with another tool, then ingest the files.",
            code=codes.ARCHIVE_DAMAGED,
        ) from exc
    infos = [i for i in z.infolist() if not i.is_dir()]
    if len(infos) > MAX_ENTRIES:
        raise ExtractError(
            f"This ZIP archive lists {len(infos):,} files, more than the {MAX_ENTRIES:,} a filing "
            "archive plausibly holds; it was not opened. Unpack it yourself if it is genuine.",
            code=codes.ARCHIVE_TOO_LARGE,
        )
    total = 0
    for info in infos:
        name = _decoded_name(info)
        base = posixpath.basename(name.replace("\\", "/"))
        if not base or base.startswith(".") or name.startswith("__MACOSX/"):
            continue
        if unsafe_name(name):
            yield _refuse(
                name,
                codes.ARCHIVE_UNSAFE_NAME,
                f"The archive entry '{name}' points outside the archive (an absolute path or "
                "'..'); it was not read. Ask the sender for a clean archive.",
            )
            continue
        if info.flag_bits & 0x1:
            yield _refuse(
                name,
                codes.ARCHIVE_ENCRYPTED,
                f"The archive entry '{name}' is password-protected; unpack it with the password "
                "and ingest the file.",
            )
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_ENTRY_BYTES or (ratio > MAX_RATIO and info.file_size > 2**20):
            yield _refuse(name, codes.ARCHIVE_BOMB, _bomb_message(name, info.file_size, ratio))
            continue
        try:
            content = _read_bounded(z, info, min(MAX_ENTRY_BYTES, MAX_TOTAL_BYTES - total))
        # NotImplementedError is zipfile's word for a compression method it cannot unpack.
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            yield _refuse(
                name,
                codes.ARCHIVE_ENTRY_DAMAGED,
                f"The archive entry '{name}' could not be unpacked ({type(exc).__name__}: "
                f"{exc}); the other entries were read.",
            )
            continue
        if content is None:
            yield _refuse(name, codes.ARCHIVE_BOMB, _bomb_message(name, info.file_size, ratio))
            continue
        total += len(content)
        yield Entry(name, content)


def _bomb_message(name: str, size: int, ratio: float) -> str:
    return (
        f"The archive entry '{name}' would unpack to more than jixiao allows "
        f"(stated size {size:,} bytes, {ratio:,.0f}× its packed size; limits "
        f"{MAX_ENTRY_BYTES // 2**20} MiB an entry, {MAX_TOTAL_BYTES // 2**20} MiB an archive). It "
        "was not read: it looks like a zip bomb. If it is a genuine filing, unpack it yourself."
    )
