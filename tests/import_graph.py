"""The project's import graph, from the source (ast), by installed module name: every import,
including those inside functions, and relative ones. Used by tests/test_layering.py (which fails
on a cycle) and bench/shape.py (which counts them)."""

from __future__ import annotations

import ast
from pathlib import Path

# Folder → installed package (pyproject.toml's package-dir).
STAGE_FOLDERS = {
    "jixiao": "jixiao",
    "dictionaries": "jixiao.dictionaries",
    "extract": "jixiao.extract",
    "normalize": "jixiao.normalize",
    "load": "jixiao.load",
}


def module_name(root: Path, path: Path) -> str:
    """extract/layout.py → jixiao.extract.layout; load/__init__.py → jixiao.load."""
    rel = path.relative_to(root)
    parts = [STAGE_FOLDERS[rel.parts[0]], *rel.parts[1:-1]]
    if path.stem != "__init__":
        parts.append(path.stem)
    return ".".join(parts)


def project_modules(root: Path) -> dict[str, Path]:
    return {
        module_name(root, path): path
        for folder in STAGE_FOLDERS
        for path in sorted((root / folder).rglob("*.py"))
    }


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute name a `from ... import` refers to."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `module` imports. `from pkg import name` is an edge to pkg.name when
    that is a module, else to pkg (its __init__)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.stem == "__init__"
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, is_package, node)
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            ]
        else:
            continue
        out |= {t for t in targets if t in known and t != module}
    return out


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def import_cycles(modules: dict[str, Path]) -> list[set[str]]:
    """Groups of modules that import each other, directly or round a loop (Tarjan's strongly
    connected components of more than one module). A package's __init__ re-exporting its own
    submodules is not a cycle unless a submodule imports the package back."""
    graph = import_graph(modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found
