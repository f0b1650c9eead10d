"""Each stage imports only the stages before it (ARCHITECTURE.md: the house is one stack), and
no two modules anywhere in the project import each other, directly or round a longer loop."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from import_graph import cycles, describe, graph_of, project_graph

# Each later module of the package root, and the stages a stage must not import.
LATER = ("jixiao.cli", "jixiao.commands", "jixiao.pipeline", "jixiao.work", "jixiao.workers")
FORBIDDEN = {
    "extract": ("jixiao.normalize", "jixiao.load", *LATER),
    "normalize": ("jixiao.load", *LATER),
    "load": LATER,
    "dictionaries": ("jixiao.extract", "jixiao.normalize", "jixiao.load", *LATER),
}
# Relative imports that would escape a stage's package.
PLAIN_STAGE_NAMES = ("extract", "normalize", "load", "dictionaries")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
            names += [f"{node.module}.{a.name}" for a in node.names]
    return names


@pytest.mark.parametrize("stage", sorted(FORBIDDEN))
def test_stage_imports_only_earlier_stages(stage: str) -> None:
    files = sorted((ROOT / stage).rglob("*.py"))
    assert files, f"{stage}/ has no modules"
    for path in files:
        for name in _imports(path):
            assert not name.startswith(FORBIDDEN[stage]), f"{path} imports {name}"
            assert name.split(".")[0] not in PLAIN_STAGE_NAMES, (
                f"{path} imports {name}: import stages as jixiao.<stage>"
            )


def test_package_root_stays_light() -> None:
    names = _imports(ROOT / "jixiao" / "__init__.py")
    assert not [n for n in names if n.startswith("jixiao.")]


def test_installed_as_one_namespace() -> None:
    import importlib.util

    import jixiao.extract
    import jixiao.load
    import jixiao.normalize

    assert Path(jixiao.extract.__file__).parent.name == "extract"
    assert Path(jixiao.normalize.__file__).parent.name == "normalize"
    assert Path(jixiao.load.__file__).parent.name == "load"
    # The stages are not importable as top-level packages from site-packages.
    for plain in PLAIN_STAGE_NAMES:
        spec = importlib.util.find_spec(plain)
        assert spec is None or ROOT in Path(spec.origin or "").parents, plain


def test_no_import_cycles_anywhere() -> None:
    graph = project_graph(ROOT)
    assert "jixiao.cli" in graph and "jixiao.extract.layout" in graph
    assert "jixiao.load.migrations.env" in graph
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(describe(c, graph) for c in found)


def test_the_cycle_finder_on_a_small_tree(tmp_path: Path) -> None:
    """The graph rules on a made-up package, so a cycle cannot hide behind how imports are
    written, and a package and its submodules are not taken for a cycle."""
    files = {
        # The package gives its submodules' names; they import each other's modules, not it.
        "stage/__init__.py": "from .model import Thing\nfrom .reader import read\n",
        "stage/model.py": "class Thing: ...\n",
        "stage/reader.py": "from . import model\nfrom jixiao.stage.model import Thing\n",
        # a <-> b, one side inside a function and relative, the other absolute.
        "stage/a.py": "def f():\n    from .b import g\n",
        "stage/b.py": "import jixiao.stage.a\ndef g(): ...\n",
        # c -> the package __init__ -> ... -> c: a real cycle through __init__.
        "stage/c.py": "from jixiao.stage import Thing\n",
        "stage/d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .e import x\n",
        "stage/e.py": "from .d import y\n",
        "root/__init__.py": "",
        "root/top.py": "from jixiao.stage.c import z\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    graph = graph_of({tmp_path / "root": "jixiao", tmp_path / "stage": "jixiao.stage"})
    targets = {(s, t) for edges in graph.values() for s, t, _ in edges}
    assert ("jixiao.stage.reader", "jixiao.stage.model") in targets
    assert ("jixiao.stage.reader", "jixiao.stage") not in targets
    assert ("jixiao.stage.c", "jixiao.stage") in targets
    assert ("jixiao.top", "jixiao.stage.c") in targets
    assert sorted(sorted(c) for c in cycles(graph)) == [["jixiao.stage.a", "jixiao.stage.b"]]

    # Now the package imports c, which imports the package: that is a cycle.
    (tmp_path / "stage/__init__.py").write_text("from .model import Thing\nfrom . import c\n")
    graph = graph_of({tmp_path / "root": "jixiao", tmp_path / "stage": "jixiao.stage"})
    assert frozenset({"jixiao.stage", "jixiao.stage.c"}) in cycles(graph)


def test_per_file_work_imports_no_database() -> None:
    """A worker process imports jixiao.workers and jixiao.work: extract and normalize only, not
    SQLAlchemy, Alembic or jixiao.load (tens of MB per worker); jixiao.logs is the standard
    library's logging, to put a worker's tracebacks in the log file."""
    graph = project_graph(ROOT)
    work = {t for _, t, _ in graph["jixiao.work"]}
    assert work <= {"jixiao.codes", "jixiao.extract", "jixiao.normalize", "jixiao.logs"}, work
    code = (
        "import sys, jixiao.work, jixiao.workers\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic'}),"
        " sorted(m for m in sys.modules if m.startswith('jixiao.load')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split() == ["[]", "[]"], result.stdout
