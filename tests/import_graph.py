"""The project's import graph, from the source (ast), by installed module name: every import
that can run (inside functions too, relative ones resolved; not those under TYPE_CHECKING).
tests/test_layering.py fails on a cycle; bench/shape.py counts them."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

# Each source folder and the package it is installed as (pyproject.toml, package-dir).
INSTALLED_AS = {
    "jixiao": "jixiao",
    "extract": "jixiao.extract",
    "normalize": "jixiao.normalize",
    "load": "jixiao.load",
    "dictionaries": "jixiao.dictionaries",
}

# An edge: the importing module, the imported one, and where the import statement is.
Edge = tuple[str, str, str]


def project_modules(folders: Mapping[Path, str]) -> dict[str, Path]:
    """Every module by its installed name: extract/layout.py is jixiao.extract.layout, a package's
    __init__.py is the package itself."""
    modules: dict[str, Path] = {}
    for folder, package in folders.items():
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join((package, *parts))] = path
    return modules


def is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: at the top, inside functions, classes, try and if;
    not those under `if TYPE_CHECKING:`, which never run."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif isinstance(child, ast.If) and is_type_checking(child):
            for other in child.orelse:
                yield from runtime_imports(ast.Module(body=[other], type_ignores=[]))
        else:
            yield from runtime_imports(child)


def edges(name: str, path: Path, modules: Mapping[str, Path]) -> Iterator[Edge]:
    """What module `name` imports, each resolved to the most specific project module:
    `from .model import X` and `import jixiao.extract.model` are edges to the submodule
    jixiao.extract.model; `from jixiao.extract import X` (X not a submodule) is an edge to the
    package's __init__; `from . import x` is an edge to the sibling x when x is a module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def known(dotted: str) -> str | None:
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    for node in runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
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


def graph_of(folders: Mapping[Path, str]) -> dict[str, list[Edge]]:
    modules = project_modules(folders)
    graph: dict[str, list[Edge]] = {m: [] for m in modules}
    for name, path in modules.items():
        graph[name] += edges(name, path, modules)
    return graph


def cycles(graph: Mapping[str, list[Edge]]) -> list[frozenset[str]]:
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


def describe(cycle: frozenset[str], graph: Mapping[str, list[Edge]]) -> str:
    edges = sorted(
        {
            f"  {source} -> {target}  ({where})"
            for source in cycle
            for _, target, where in graph[source]
            if target in cycle
        }
    )
    return " <-> ".join(sorted(cycle)) + "\n" + "\n".join(edges)


def project_graph(root: Path) -> dict[str, list[Edge]]:
    return graph_of({root / folder: package for folder, package in INSTALLED_AS.items()})
