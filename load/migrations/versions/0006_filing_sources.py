"""filing_sources: which file paths hold each filing's bytes. A filing (one set of bytes, one
part) may come from a file and from an entry of a ZIP elsewhere; it is deleted only when its
last link goes, so changing or pruning one of them no longer deletes the other's filing.

The links are backfilled from `sources`: a file's own filings are those with its sha256 (linked
by the file's path), an archive's entries those with it as container_sha256 (linked by
`archive!/entry`, the entry's name taken from the filing's source_path).

Frozen: the table is written out here as this revision made it.

Revision ID: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column(
            "filing_id",
            sa.Integer,
            sa.ForeignKey("filings.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        # Where the filing came from: the file itself, or an archive's entry (a.zip!/x.txt).
        sa.Column("path", sa.Text, primary_key=True),
        # The file on disk holding it (sources.path): the file itself, or the archive.
        sa.Column("container_path", sa.Text, nullable=False),
    ]


_INDEX = "ix_filing_sources_container_path"

# Only the columns the backfill reads (the tables exist: 0001 and 0002 made them).
_filings = sa.table(
    "filings",
    sa.column("id", sa.Integer),
    sa.column("source_path", sa.Text),
    sa.column("source_sha256", sa.String),
    sa.column("container_sha256", sa.String),
)
_sources = sa.table("sources", sa.column("path", sa.Text), sa.column("sha256", sa.String))

_ENTRY = "!/"  # archive.zip!/folder/file


def _entry_path(container: str, source_path: str) -> str:
    """The entry's path inside the archive at `container`: the archive may have been read at
    another path with the same bytes, so only the entry's name is taken from the filing."""
    _, sep, name = source_path.partition(_ENTRY)
    return f"{container}{_ENTRY}{name}" if sep else source_path


def _links(conn: sa.Connection) -> list[dict[str, object]]:
    f, s = _filings.c, _sources.c
    links: dict[tuple[int, str], str] = {}
    own = conn.execute(sa.select(f.id, s.path).join(_sources, s.sha256 == f.source_sha256)).all()
    for filing_id, path in own:
        links[(filing_id, path)] = path
    entries = conn.execute(
        sa.select(f.id, f.source_path, s.path).join(_sources, s.sha256 == f.container_sha256)
    ).all()
    for filing_id, source_path, container in entries:
        links[(filing_id, _entry_path(container, source_path))] = container
    return [
        {"filing_id": filing_id, "path": path, "container_path": container}
        for (filing_id, path), container in sorted(links.items())
    ]


def upgrade() -> None:
    conn = op.get_bind()
    # A table that already exists (a database made before migrations) is left alone.
    if sa.inspect(conn).has_table("filing_sources"):
        return
    filing_sources = op.create_table("filing_sources", *_columns())
    op.create_index(_INDEX, "filing_sources", ["container_path"])
    rows = _links(conn)
    if rows:
        op.bulk_insert(filing_sources, rows)


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="filing_sources")
    op.drop_table("filing_sources")
