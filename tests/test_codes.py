"""Finding codes have one home, jixiao/codes.py: every code the stages write is defined there,
and every stage writes and reads them from there instead of spelling them out."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from conftest import ROOT
from jixiao import codes

STAGES = ("extract", "normalize", "jixiao", "load")
# Calls whose second positional argument is a code: Finding/Note(severity, code, message) and
# the helpers that build them (archive entries refused, files a worker gave up on).
CODE_SECOND = {"Finding", "Note", "_refuse", "_failed"}


def _sources(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _called(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _code_arguments(tree: ast.AST) -> Iterator[ast.expr]:
    """Every expression given as a finding code: Finding/Note's second argument, any `code=`
    keyword (ExtractError, NormalizeError, ...), a `code` parameter's default, and what
    `x.code` is compared with."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if _called(node) in CODE_SECOND and len(node.args) >= 2:
                yield node.args[1]
            yield from (k.value for k in node.keywords if k.arg == "code")
        elif isinstance(node, ast.FunctionDef):
            args = node.args.args + node.args.kwonlyargs
            defaults = [None] * (len(node.args.args) - len(node.args.defaults))
            defaults += node.args.defaults + node.args.kw_defaults  # type: ignore[operator]
            for arg, default in zip(args, defaults, strict=True):
                if arg.arg == "code" and default is not None:
                    yield default
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(s, ast.Attribute) and s.attr == "code" for s in sides):
                for side in sides:
                    yield from ([*side.elts] if isinstance(side, ast.Tuple | ast.List) else [side])


def _resolve(expr: ast.expr) -> str | None:
    """The code an expression names: a string literal, or a constant `codes.NAME`. None for
    anything computed (a variable, an f-string)."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if (
        isinstance(expr, ast.Attribute)
        and isinstance(expr.value, ast.Name)
        and expr.value.id == "codes"
    ):
        value = getattr(codes, expr.attr, None)
        assert isinstance(value, str), f"codes.{expr.attr} is not defined"
        return value
    return None


def test_every_code_written_anywhere_is_defined_in_codes() -> None:
    defined = codes.all_codes()
    seen: dict[str, str] = {}
    for path in _sources(*STAGES):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for expr in _code_arguments(tree):
            code = _resolve(expr)
            if code is not None:
                seen.setdefault(code, f"{path.relative_to(ROOT)}:{expr.lineno}")
    undefined = {code: where for code, where in seen.items() if code not in defined}
    assert not undefined, f"codes not in jixiao/codes.py: {undefined}"
    # The scan finds what it should (a broken scan would pass on nothing).
    assert len(seen) >= 50, sorted(seen)
    assert {"corrupt_pdf", "funds_do_not_add_up", "archive_bomb", "worker_crashed"} <= set(seen)


def test_codes_is_a_documented_leaf() -> None:
    source = (ROOT / "jixiao" / "codes.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.module == "__future__", f"codes.py imports {node.module}"
        assert not isinstance(node, ast.Import), "codes.py imports a module"
    constants = re.findall(r'^([A-Z0-9_]+) = "([^"]*)"(.*)$', source, flags=re.MULTILINE)
    assert len(constants) == len(codes.all_codes()), "two constants share a code"
    for name, value, rest in constants:
        assert value == name.lower(), f"{name} = {value!r}: name the constant after its code"
        assert rest.strip().startswith("#"), f"{name} has no comment saying what it means"
    for group in (codes.RECONCILIATION, codes.CORRECTIONS, codes.NOT_A_FILING_ERRORS):
        assert set(group) <= codes.all_codes()


def test_no_stage_spells_out_a_code() -> None:
    """Every stage writes and reads codes as `codes.NAME`, so a code is renamed in one place."""
    defined = codes.all_codes()
    for path in _sources(*STAGES):
        name = str(path.relative_to(ROOT))
        if "/migrations/versions/" in name or name == "jixiao/codes.py":
            continue  # migrations are frozen: they keep the literals they were written with
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef)
            and n.body
            and isinstance(n.body[0], ast.Expr)
        }
        docstrings |= {  # __all__ lists names (is_archive), not codes
            id(element)
            for n in ast.walk(tree)
            if isinstance(n, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets)
            and isinstance(n.value, ast.List | ast.Tuple)
            for element in n.value.elts
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) in docstrings:
                    continue
                spelled = defined & set(re.findall(r"[a-z0-9_]+", node.value))
                spelled = {c for c in spelled if "_" in c}  # 'failed', 'memory': plain words
                assert not spelled, f"{name}:{node.lineno} spells out {spelled}: use jixiao.codes"
