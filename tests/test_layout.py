"""The PDF and scan readers' layering: layout.py works on typed chars and boxes only (no
pdfplumber, no OpenCV), and no module in extract/ imports a module that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

from jixiao.extract.geometry import Box, Char, Rule, clusters, snap
from jixiao.extract.layout import layout_to_items
from jixiao.extract.page_types import Fragment

EXTRACT = Path(__file__).resolve().parent.parent / "extract"


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """Top-level packages imported, and sibling extract modules imported (anywhere in the file,
    in functions too)."""
    packages: set[str] = set()
    siblings: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            packages |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 1:
                if node.module:
                    siblings.add(node.module.split(".")[0])
                else:
                    siblings |= {a.name for a in node.names}
            elif node.level == 0 and node.module:
                packages.add(node.module.split(".")[0])
                if node.module.startswith("jixiao.extract."):
                    siblings.add(node.module.split(".")[2])
    return packages, siblings


def _graph() -> dict[str, set[str]]:
    modules = {p.stem: p for p in EXTRACT.glob("*.py")}
    return {name: _imports(path)[1] & modules.keys() for name, path in modules.items()}


def test_layout_imports_neither_pdfplumber_nor_opencv() -> None:
    for name in ("layout", "geometry", "settings", "page_types", "stitch"):
        packages, _ = _imports(EXTRACT / f"{name}.py")
        assert not packages & {"pdfplumber", "cv2", "pypdfium2", "rapidocr"}, name


def test_no_import_cycles_in_extract() -> None:
    graph = _graph()
    assert {"layout", "stitch", "pages", "text_layer", "scan", "render"} <= graph.keys()

    def reachable(start: str) -> set[str]:
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo += graph.get(name, set())
        return seen

    cycles = [name for name in graph if name in reachable(name)]
    assert cycles == [], {name: sorted(graph[name]) for name in cycles}


def test_snap_keeps_the_first_position_of_each_line() -> None:
    assert snap([0.0, 1.5, 2.5, 10.0], 2.0) == [0.0, 2.5, 10.0]
    assert clusters([0.0, 1.5, 2.5, 10.0], 2.0) == [[0.0, 1.5, 2.5], [10.0]]


def test_layout_from_typed_chars_and_boxes() -> None:
    boxes = [Box(0, 0, 50, 20), Box(50, 0, 100, 20), Box(0, 20, 100, 40)]
    chars = [Char(ch, 5 + 10 * i, 15 + 10 * i, 5, 15, 10) for i, ch in enumerate("一级")]
    chars += [Char(ch, 55 + 10 * i, 65 + 10 * i, 5, 15, 10) for i, ch in enumerate("二级")]
    chars += [Char("标", 5, 15, 25, 35, 10, confidence=0.8)]
    chars += [Char(ch, 10 * i, 10 + 10 * i, 60, 70, 10) for i, ch in enumerate("说明")]
    rules = [Rule(0, 100, 0), Rule(0, 100, 40)]  # closed: nothing below belongs to the table
    items = layout_to_items(1, chars, [(Box(0, 0, 100, 40), boxes)], rules)
    table, paragraph = items
    assert isinstance(table, Fragment) and table.grid
    cells = {(c.row, c.col, c.col_span): (c.text, c.confidence) for c in table.cells}
    assert cells == {(0, 0, 1): ("一级", None), (0, 1, 1): ("二级", None), (1, 0, 2): ("标", 0.8)}
    assert not isinstance(paragraph, Fragment) and paragraph.text == "说明"
