"""Each stage imports only the stages before it (DESIGN.md: the house is one stack)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

FORBIDDEN = {
    "extract": ("jixiao.normalize", "jixiao.load", "jixiao.cli", "jixiao.pipeline"),
    "normalize": ("jixiao.load", "jixiao.cli", "jixiao.pipeline"),
    "load": ("jixiao.cli", "jixiao.pipeline"),
    "dictionaries": (
        "jixiao.extract",
        "jixiao.normalize",
        "jixiao.load",
        "jixiao.cli",
        "jixiao.pipeline",
    ),
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
