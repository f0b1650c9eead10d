"""load: the SQL schema and writing `Filing`s into it (SQLite by default), one transaction each.
Imports `normalize`'s types, nothing after it."""

from .schema import metadata
from .writer import connect, create_schema, write_filing

__all__ = ["connect", "create_schema", "metadata", "write_filing"]
