"""Reading the database back out for analysts: SQL queries and exports of tables and views to
CSV, XLSX or Parquet, through pandas. Everything here opens the database read-only."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from jixiao import dictionaries

if TYPE_CHECKING:
    import pandas as pd

EXPORT_FORMATS = ("csv", "xlsx", "parquet")


class QueryError(Exception):
    """A query or export that cannot run, with a message for the person who asked."""


class DatabaseURLError(QueryError):
    """A database URL jixiao cannot use here: not a URL, a database kind SQLAlchemy does not
    know, an asyncio driver, or a driver whose package is not installed."""


# The package to install for a driver module, where the two names differ.
_DRIVER_PACKAGES = {"MySQLdb": "mysqlclient", "pymysql": "PyMySQL", "psycopg2": "psycopg2-binary"}


def checked_url(url: str | URL) -> URL:
    """The parsed URL, or a one-line DatabaseURLError saying what to change or install."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseURLError(
            f"'{url}' is not a database URL; give one like sqlite:///jixiao.db or "
            "postgresql+psycopg://user@host/db."
        ) from exc
    shown = parsed.render_as_string(hide_password=True)
    try:
        dialect = parsed.get_dialect()
    except ArgumentError as exc:  # NoSuchModuleError: no such database kind
        raise DatabaseURLError(
            f"{shown}: SQLAlchemy does not know the database kind '{parsed.drivername}'; "
            "jixiao works with sqlite:///FILE and postgresql+psycopg://user@host/db."
        ) from exc
    if getattr(dialect, "is_async", False):
        raise DatabaseURLError(
            f"{shown}: '{parsed.drivername}' is an asyncio driver, which jixiao does not use; "
            "give a synchronous one (for PostgreSQL, postgresql+psycopg://…)."
        )
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        package = _DRIVER_PACKAGES.get(exc.name or "", exc.name or str(exc))
        raise DatabaseURLError(
            f"{shown}: its driver needs the Python package '{package}', which is not "
            f"installed here; install it (pip install {package}) or use another driver."
        ) from exc
    return parsed


def read_only_engine(url: str) -> Engine:
    """An engine that cannot write: SQLite opened with mode=ro, PostgreSQL sessions read-only."""
    parsed = checked_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if not database or database == ":memory:":
            raise QueryError("A read-only query needs a database file, not :memory:.")
        if not Path(database).is_file():
            raise QueryError(
                f"There is no database at {database}. Run `jixiao ingest FOLDER --db {url}` "
                "first, or give --db the URL of an existing database."
            )
        # A URI's path is %-encoded: a '#' in a folder's name would otherwise end the
        # path there, and mode=ro with it.
        path = quote(str(Path(database).resolve()))
        return create_engine(
            URL.create("sqlite", database=f"file:{path}", query={"mode": "ro", "uri": "true"})
        )
    if parsed.get_backend_name() == "postgresql":
        given = parsed.query.get("options", "")  # e.g. a search_path; keep it
        options = " ".join(
            [*([given] if isinstance(given, str) else given), "-c default_transaction_read_only=on"]
        )
        return create_engine(
            parsed.update_query_dict({"options": options.strip()}),
            connect_args={"application_name": "jixiao-read"},
        )
    return create_engine(parsed)


# Outside string literals, quoted names and comments: what a read-only query must not hold.
_LITERALS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/", re.DOTALL)
_READING = re.compile(r"^\s*(?:select|with|values|explain|table|show)\b", re.IGNORECASE)
_WRITING = re.compile(
    r"\b(?:begin|commit|rollback|savepoint|release|start\s+transaction|set|reset|copy|attach|"
    r"detach|vacuum|pragma|lock|listen|notify|do|call|prepare|execute|discard|checkpoint)\b",
    re.IGNORECASE,
)


def check_read_only(sql: str) -> None:
    """One statement that reads, or QueryError: a second statement, transaction control
    (`ROLLBACK; BEGIN READ WRITE; …`), COPY, ATTACH, VACUUM INTO and the like are refused
    before the database sees them, whatever its own read-only setting would let through."""
    bare = _LITERALS.sub(" ", sql)
    if ";" in bare.strip().rstrip(";"):
        raise QueryError("jixiao query is read-only and runs one statement; this holds several.")
    if not _READING.match(bare):
        raise QueryError(
            "jixiao query is read-only: start the statement with SELECT, WITH, VALUES or EXPLAIN."
        )
    word = _WRITING.search(bare)
    if word:
        raise QueryError(
            f"jixiao query is read-only; '{word.group(0).upper()}' is not allowed in a query."
        )


def query(url: str, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run one SQL statement read-only (`check_read_only`); the rows as a DataFrame. Without
    params the SQL goes to the driver as written, so ':name' in a string is text."""
    import pandas as pd

    check_read_only(sql)
    engine = read_only_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                # Read-only by the transaction itself, not only by the session's default (a
                # pooler such as PgBouncer may drop the startup option that sets it).
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            try:
                result = conn.execute(text(sql), params) if params else conn.exec_driver_sql(sql)
                if not result.returns_rows:
                    raise QueryError("The statement returned no rows; jixiao query only reads.")
                return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
            finally:
                conn.rollback()
    except QueryError:
        raise
    except Exception as exc:
        first = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise QueryError(
            f"The query failed: {first}. The database is opened read-only; check the SQL "
            "against the tables in the README (jixiao export --help lists them)."
        ) from exc
    finally:
        engine.dispose()


def relations(url: str) -> list[str]:
    """The tables and views an analyst can export, in a stable order."""
    engine = read_only_engine(url)
    try:
        inspector = inspect(engine)
        names = inspector.get_table_names() + inspector.get_view_names()
    finally:
        engine.dispose()
    known = list(dictionaries.load("columns"))
    return [n for n in known if n in names] + sorted(
        n for n in names if n not in known and n != "alembic_version"
    )


def chinese_labels(relation: str) -> dict[str, str]:
    columns = dictionaries.load("columns").get(relation, {}).get("columns", {})
    return {name: label for name, (label, _) in columns.items()}


def relation_label(relation: str) -> str:
    return str(dictionaries.load("columns").get(relation, {}).get("zh", relation))


def _frame(url: str, relation: str, labels: str) -> pd.DataFrame:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", relation):
        raise QueryError(f"'{relation}' is not a table or view name.")
    frame = query(url, f"SELECT * FROM {relation}")
    if labels == "zh":
        frame = frame.rename(columns=chinese_labels(relation))
    return frame


def export(
    url: str, names: list[str] | None, fmt: str, out: Path, labels: str = "en"
) -> list[Path]:
    """Write tables or views to `out`. One relation: `out` is the file. Several (or all, when
    `names` is empty): CSV and Parquet go to one file each in the folder `out`; XLSX to one
    workbook with a sheet each. Returns the files written."""
    if fmt not in EXPORT_FORMATS:
        raise QueryError(f"Unknown format '{fmt}'; use one of {', '.join(EXPORT_FORMATS)}.")
    available = relations(url)
    chosen = names or available
    unknown = [n for n in chosen if n not in available]
    if unknown:
        raise QueryError(
            f"No table or view named {', '.join(unknown)}. There are: {', '.join(available)}."
        )
    frames = {name: _frame(url, name, labels) for name in chosen}
    if fmt == "xlsx":
        target = out if out.suffix == ".xlsx" else out / "jixiao.xlsx"
        target.parent.mkdir(parents=True, exist_ok=True)
        import pandas as pd

        with pd.ExcelWriter(target, engine="openpyxl") as writer:
            for name, frame in frames.items():
                sheet = relation_label(name) if labels == "zh" else name
                _plain(frame).to_excel(writer, sheet_name=sheet[:31], index=False)
                _formulas_as_text(writer.sheets[sheet[:31]])
        return [target]
    if len(frames) == 1 and names and out.suffix:
        targets = {chosen[0]: out}
    else:
        out.mkdir(parents=True, exist_ok=True)
        targets = {name: out / f"{name}.{fmt}" for name in frames}
    for name, frame in frames.items():
        path = targets[name]
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "csv":
            # utf-8 with BOM: Excel on Chinese Windows opens it without mangling the text.
            _csv_safe(frame).to_csv(path, index=False, encoding="utf-8-sig")
        else:
            _plain(frame).to_parquet(path, index=False)
    return list(targets.values())


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Decimal columns (PostgreSQL NUMERIC) as floats, and timezone-aware times as UTC without
    a zone: what spreadsheets and Parquet readers take without surprises."""
    from decimal import Decimal

    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object and any(isinstance(v, Decimal) for v in series.dropna()):
            out[column] = series.map(lambda v: None if v is None else float(v))
        elif hasattr(series.dtype, "tz") and series.dtype.tz is not None:
            out[column] = series.dt.tz_convert("UTC").dt.tz_localize(None)
    return out


# Text a spreadsheet would run as a formula (OWASP "CSV injection"): a filing's cell that reads
# =HYPERLINK(…) must open as the text it is.
_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that begin like a formula, prefixed with ' as OWASP recommends (numbers are
    left alone: they are not text)."""
    from pandas.api.types import is_numeric_dtype

    out = frame.copy()
    for column in out.columns:
        if not is_numeric_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_LEADS) else v
            )
    return out


def _formulas_as_text(sheet: Any) -> None:
    """openpyxl stores a string beginning with = as a formula: store every such cell as text."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
