"""Each stage imports only the stages before it (DESIGN.md: the house is one stack), and no two
modules anywhere in the project import each other, directly or round a longer loop."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from conftest import ROOT

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

# Each source folder and the package it is installed as (pyproject.toml, package-dir).
INSTALLED_AS = {
    "jixiao": "jixiao",
    "extract": "jixiao.extract",
    "normalize": "jixiao.normalize",
    "load": "jixiao.load",
    "dictionaries": "jixiao.dictionaries",
}

# Import cycles being removed on another branch, each as the set of modules in it. Delete an
# entry once its fix is merged; a cycle not listed here, or one that grew, fails the test.
KNOWN_CYCLES: frozenset[frozenset[str]] = frozenset(
    {
        # extract/pdf.py imports .scan inside a function; scan imports .pdf (wt: extract owner).
        frozenset({"jixiao.extract.pdf", "jixiao.extract.scan"}),
    }
)


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


# --- The module import graph -------------------------------------------------------------------

# An edge: the importing module, the imported one, and where the import statement is.
Edge = tuple[str, str, str]


def _modules(folders: Mapping[Path, str]) -> dict[str, Path]:
    """Every module by its installed name: extract/pdf.py is jixiao.extract.pdf, a package's
    __init__.py is the package itself."""
    modules: dict[str, Path] = {}
    for folder, package in folders.items():
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join((package, *parts))] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: at the top, inside functions, classes, try and if;
    not those under `if TYPE_CHECKING:`, which never run."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif isinstance(child, ast.If) and _is_type_checking(child):
            for other in child.orelse:
                yield from _runtime_imports(ast.Module(body=[other], type_ignores=[]))
        else:
            yield from _runtime_imports(child)


def _edges(name: str, path: Path, modules: Mapping[str, Path]) -> Iterator[Edge]:
    """What module `name` imports, each resolved to the most specific project module:
    `from .model import X` and `import jixiao.extract.model` are edges to the submodule
    jixiao.extract.model; `from jixiao.extract import X` (X not a submodule) is an edge to the
    package's __init__; `from . import x` is an edge to the sibling x when x is a module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def known(dotted: str) -> str | None:
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
        where = f"{path.relative_to(path.parents[1])}:{node.lineno}"
        targets: list[str | None] = []
        if isinstance(node, ast.Import):
            targets = [known(a.name) for a in node.names]
        else:
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                targets.append(submodule if submodule in modules else known(source))
        for target in targets:
            if target is not None:
                yield name, target, where


def _graph(folders: Mapping[Path, str]) -> dict[str, list[Edge]]:
    modules = _modules(folders)
    graph: dict[str, list[Edge]] = {m: [] for m in modules}
    for name, path in modules.items():
        graph[name] += _edges(name, path, modules)
    return graph


def _cycles(graph: Mapping[str, list[Edge]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (or one importing itself):
    Tarjan's algorithm."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for _, target, _ in graph.get(node, []):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1 or any(t == node for _, t, _ in graph.get(node, [])):
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _describe(cycle: frozenset[str], graph: Mapping[str, list[Edge]]) -> str:
    edges = sorted(
        {
            f"  {source} -> {target}  ({where})"
            for source in cycle
            for _, target, where in graph[source]
            if target in cycle
        }
    )
    return " <-> ".join(sorted(cycle)) + "\n" + "\n".join(edges)


PROJECT = {ROOT / folder: package for folder, package in INSTALLED_AS.items()}


def test_no_import_cycles_anywhere() -> None:
    graph = _graph(PROJECT)
    assert "jixiao.cli" in graph and "jixiao.extract.pdf" in graph
    assert "jixiao.load.migrations.env" in graph
    new = [c for c in _cycles(graph) if c not in KNOWN_CYCLES]
    assert not new, "import cycles:\n" + "\n".join(_describe(c, graph) for c in new)


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
    graph = _graph({tmp_path / "root": "jixiao", tmp_path / "stage": "jixiao.stage"})
    targets = {(s, t) for edges in graph.values() for s, t, _ in edges}
    assert ("jixiao.stage.reader", "jixiao.stage.model") in targets
    assert ("jixiao.stage.reader", "jixiao.stage") not in targets
    assert ("jixiao.stage.c", "jixiao.stage") in targets
    assert ("jixiao.top", "jixiao.stage.c") in targets
    assert sorted(sorted(c) for c in _cycles(graph)) == [["jixiao.stage.a", "jixiao.stage.b"]]

    # Now the package imports c, which imports the package: that is a cycle.
    (tmp_path / "stage/__init__.py").write_text("from .model import Thing\nfrom . import c\n")
    graph = _graph({tmp_path / "root": "jixiao", tmp_path / "stage": "jixiao.stage"})
    assert frozenset({"jixiao.stage", "jixiao.stage.c"}) in _cycles(graph)


def test_per_file_work_imports_no_database() -> None:
    """A worker process imports jixiao.workers and jixiao.work: extract and normalize only, not
    SQLAlchemy, Alembic or jixiao.load (tens of MB per worker)."""
    graph = _graph(PROJECT)
    work = {t for _, t, _ in graph["jixiao.work"]}
    assert work <= {"jixiao.extract", "jixiao.normalize"}, work
    code = (
        "import sys, jixiao.work, jixiao.workers\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic'}),"
        " sorted(m for m in sys.modules if m.startswith('jixiao.load')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split() == ["[]", "[]"], result.stdout
