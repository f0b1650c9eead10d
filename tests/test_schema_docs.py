"""The schema has one source: load/schema.py's tables and views are what the migrations build,
dictionaries/columns.yaml describes exactly those columns, and README.md's column tables are
written from columns.yaml (`make readme`)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from conftest import ROOT, _pg_schema
from jixiao import dictionaries
from jixiao.load import readme_columns, schema
from jixiao.load.migrate import MIGRATIONS, upgrade
from jixiao.load.writer import connect, create_schema

VERSIONS = sorted((MIGRATIONS / "versions").glob("0*.py"))


def _relations_of_the_schema() -> dict[str, list[str]]:
    """Every table and view load/schema.py defines, with its columns (views read off a
    throwaway in-memory database)."""
    engine = create_engine("sqlite://")
    schema.metadata.create_all(engine)
    with engine.begin() as conn:
        for sql in schema.VIEWS.values():
            conn.execute(text(sql))
    inspector = inspect(engine)
    out = {t.name: [c.name for c in t.columns] for t in schema.metadata.sorted_tables}
    for view in schema.VIEWS:
        out[view] = [c["name"] for c in inspector.get_columns(view)]
    engine.dispose()
    return out


# --- README and columns.yaml ------------------------------------------------------------------


def test_readme_column_tables_are_up_to_date() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    wanted = readme_columns.rewrite(readme, dictionaries.load("columns"))
    assert wanted == readme, "README.md's column tables are out of date: run `make readme`"
    assert readme_columns.main(["--check", "--readme", str(ROOT / "README.md")]) == 0


def test_check_fails_on_a_stale_readme(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    stale = tmp_path / "README.md"
    stale.write_text(readme.replace("| `seq` | 序号 |", "| `seq` | 次序 |", 1), encoding="utf-8")
    assert readme_columns.main(["--check", "--readme", str(stale)]) == 1
    assert readme_columns.main(["--write", "--readme", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == readme
    # Outside the markers nothing is touched.
    start, end = readme_columns.START, readme_columns.END
    rewritten = readme_columns.rewrite(f"before\n{start}\nold\n{end}\nafter\n", {})
    assert rewritten == f"before\n{start}\n\n\n\n{end}\nafter\n"
    with pytest.raises(ValueError, match="markers"):
        readme_columns.rewrite("no markers here", {})


def test_columns_yaml_describes_exactly_the_schema() -> None:
    described = dictionaries.load("columns")
    have = _relations_of_the_schema()
    assert set(described) == set(have), (
        f"undocumented: {set(have) - set(described)}; "
        f"documented but not in load/schema.py: {set(described) - set(have)}"
    )
    for relation, columns in have.items():
        documented = described[relation]["columns"]
        assert set(documented) == set(columns), (
            f"{relation}: undocumented {set(columns) - set(documented)}; "
            f"documented but missing {set(documented) - set(columns)}"
        )
        for column, entry in documented.items():
            assert isinstance(entry, list) and len(entry) == 2 and all(entry), (
                f"{relation}.{column}: give [中文, English]"
            )
        assert described[relation].get("zh") and described[relation].get("en"), relation


# --- frozen migrations ------------------------------------------------------------------------


def test_there_are_migrations() -> None:
    assert [p.name[:4] for p in VERSIONS] == [f"{n:04d}" for n in range(1, len(VERSIONS) + 1)]


@pytest.mark.parametrize("path", VERSIONS, ids=lambda p: p.name)
def test_migrations_carry_their_own_ddl(path: Path) -> None:
    """A migration that reads the live schema changes when the schema does, and then upgrades
    an old database to something it never was: each carries its own copy."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: relative import"
            names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) in (
            "import_module",
            "__import__",
        ):
            pytest.fail(f"{path.name}: imports at run time")
        for name in names:
            assert not name.startswith("jixiao"), f"{path.name} imports {name}"
            assert name.split(".")[0] in ("__future__", "alembic", "sqlalchemy"), name


def _squeeze(sql: str) -> str:
    return " ".join(sql.split())


def test_the_latest_migration_of_each_view_is_the_schemas_view() -> None:
    latest: dict[str, str] = {}
    for path in VERSIONS:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
                and node.value.value.strip().startswith("CREATE VIEW")
                # INDICATOR_TARGETS_VIEW_0001: an older revision's copy, for the downgrade
                and not re.search(r"_\d{4}$", getattr(node.targets[0], "id", ""))
            ):
                latest[node.value.value.split()[2]] = node.value.value
    assert set(latest) == set(schema.VIEWS)
    for name, sql in schema.VIEWS.items():
        assert _squeeze(latest[name]) == _squeeze(sql), (
            f"view {name} differs from its latest migration: add a migration"
        )


def _snapshot(url: str) -> dict[str, Any]:
    """Tables (columns with type, nullability and default; keys; constraints; indexes) and
    views (columns) as SQLAlchemy's inspector sees them."""
    engine = create_engine(url)
    inspector = inspect(engine)
    tables = {}
    for table in sorted(inspector.get_table_names()):
        if table == "alembic_version":
            continue
        tables[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in inspector.get_columns(table)
            ],
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "unique": sorted(
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
            "foreign_keys": sorted(
                (
                    tuple(f["constrained_columns"]),
                    f["referred_table"],
                    tuple(f["referred_columns"]),
                    str(f["options"].get("ondelete")).upper(),
                )
                for f in inspector.get_foreign_keys(table)
            ),
        }
    views = {
        v: [(c["name"]) for c in inspector.get_columns(v)]
        for v in sorted(inspector.get_view_names())
    }
    engine.dispose()
    return {"tables": tables, "views": views}


@pytest.fixture(params=["sqlite", "postgresql"])
def three_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[str]]:
    if request.param == "sqlite":
        yield [f"sqlite:///{tmp_path / f'{k}.db'}" for k in range(3)]
        return
    with _pg_schema() as a, _pg_schema() as b, _pg_schema() as c:
        yield [a, b, c]


def test_fresh_upgraded_and_live_schemas_are_the_same(three_urls: list[str]) -> None:
    fresh_url, upgraded_url, live_url = three_urls
    # create_schema: a new database, brought to head by the migrations.
    fresh = connect(fresh_url)
    create_schema(fresh)
    fresh.dispose()
    # An old database at 0001, with a row, upgraded step by step.
    old = connect(upgraded_url)
    upgrade(old, "0001")
    with old.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO filings (source_path, source_sha256, source_format, status, "
                "pipeline_version, ingested_at) VALUES ('old.txt', 'abc', 'text', 'ok', '0.0', "
                "CURRENT_TIMESTAMP)"
            )
        )
    for revision in ("0002", "0003", "head"):
        upgrade(old, revision)
    with old.connect() as conn:
        assert conn.execute(text("SELECT source_path, part FROM filings")).one() == ("old.txt", 1)
    old.dispose()
    # What load/schema.py says today.
    live = create_engine(live_url)
    schema.metadata.create_all(live)
    with live.begin() as conn:
        for sql in schema.VIEWS.values():
            conn.execute(text(sql))
    live.dispose()
    want = _snapshot(live_url)
    assert set(want["tables"]) == set(schema.metadata.tables)
    assert set(want["views"]) == set(schema.VIEWS)
    for name, url in (("create_schema", fresh_url), ("upgraded from 0001", upgraded_url)):
        got = _snapshot(url)
        for table in want["tables"]:
            assert got["tables"][table] == want["tables"][table], f"{name}: {table}"
        assert got == want, name
