"""The text-export extractor and format sniffing: bytes decide, not the file name."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from conftest import SAMPLES, SEED
from jixiao.extract import (
    ExtractError,
    Paragraph,
    Table,
    decode_text,
    extract_bytes,
    extract_file,
    sniff_format,
)
from jixiao.extract.text_export import clean_cell_text


def test_seed_blocks_keep_positions() -> None:
    doc = extract_file(SEED)
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["Paragraph", "Paragraph", "Table", "Paragraph", "Table"]
    title, year, first, lone, second = doc.blocks
    assert isinstance(title, Paragraph) and title.text == "苏州市市级部门整体预算绩效目标表"
    assert isinstance(year, Paragraph) and year.text == "2024年度" and year.line == 5
    assert isinstance(lone, Paragraph) and lone.text == "履职" and lone.line == 98
    assert isinstance(first, Table) and isinstance(second, Table)
    # line 55: 过程⇥预算管理⇥预算管理⇥预算执行⇥预算偏差率⇥≤10%⇥≤10%
    row = next(r for r in first.rows if r[0].line == 55)
    assert [c.text for c in row] == [
        "过程",
        "预算管理",
        "预算管理",
        "预算执行",
        "预算偏差率",
        "≤10%",
        "≤10%",
    ]
    assert [c.col for c in row] == list(range(7))
    # line 100 is wrapped in <p> fragments
    row = next(r for r in second.rows if r[0].line == 100)
    assert row[3].text == "=1位次" and row[2].text == "货物进出口全省排名"
    assert doc.source_format == "text" and doc.encoding == "utf-8"
    assert len(doc.sha256) == 64


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("<p>=1位次</p>", "=1位次"),
        ("<p>(一) 甲。</p> <p>(二) 乙。</p>", "(一) 甲。\n(二) 乙。"),
        ("a<br/>b", "a\nb"),
        ("&lt;5%&gt;", "<5%>"),
        ("  半年\u3000计划  ", "半年 计划"),
    ],
)
def test_clean_cell_text(raw: str, clean: str) -> None:
    assert clean_cell_text(raw) == clean


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("单位名称\t苏州".encode(), "utf-8"),
        (codecs.BOM_UTF8 + "单位名称\t苏州".encode(), "utf-8-sig"),
        ("单位名称\t苏州≥".encode("gbk"), "gb18030"),
        ("单位名称\t苏州".encode("utf-16"), "utf-16"),
        ("单位名称 abc\tdef 1234".encode("utf-16-le"), "utf-16-le"),
        ("单位名称 abc\tdef 1234".encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_decode_text_from_bytes(data: bytes, encoding: str) -> None:
    text, found = decode_text(data)
    assert found == encoding
    assert text.lstrip("\ufeff").startswith("单位名称")


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"PK\x03\x04rest", "zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "ole"),
        (b"\x89PNG\r\n\x1a\nrest", "image"),
        ("单位名称\t苏州".encode(), "text"),
    ],
)
def test_sniff_format(data: bytes, fmt: str) -> None:
    assert sniff_format(data) == fmt


def test_extension_is_not_trusted(tmp_path: Path) -> None:
    # a text export saved as .pdf is still read as text ...
    disguised = tmp_path / "filing.pdf"
    disguised.write_bytes(SEED.read_bytes())
    assert extract_file(disguised).source_format == "text"
    # ... and a PDF named .txt is read as a PDF
    pdf_as_text = tmp_path / "filing.txt"
    pdf_as_text.write_bytes((SAMPLES / "pdf" / "suzhou_commerce_2024_seed.pdf").read_bytes())
    assert extract_file(pdf_as_text).source_format == "pdf"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("empty.txt", "empty_file"),
        ("random-bytes.txt", "not_text"),
        ("truncated.pdf", "truncated_pdf"),
        ("corrupt.pdf", "corrupt_pdf"),
        ("encrypted.pdf", "encrypted_pdf"),
    ],
)
def test_unreadable_files_raise_one_error_type(name: str, code: str) -> None:
    with pytest.raises(ExtractError) as err:
        extract_file(SAMPLES / "bad" / name)
    assert err.value.code == code
    assert str(err.value)  # a sentence for a clerk


def test_missing_file_is_an_extract_error(tmp_path: Path) -> None:
    with pytest.raises(ExtractError, match="Could not open"):
        extract_file(tmp_path / "gone.txt")


def test_html_page_is_read_as_a_web_page_not_a_text_export() -> None:
    doc = extract_bytes(
        "<html><body><table><tr><td rowspan='2'>一级指标</td><td>甲</td></tr>"
        "<tr><td>乙</td></tr></table>".encode(),
        "x.txt",
    )
    assert doc.source_format == "html"
    (table,) = doc.blocks
    assert isinstance(table, Table)
    assert [[(c.text, c.row_span) for c in r] for r in table.rows] == [
        [("一级指标", 2), ("甲", 1)],
        [("乙", 1)],
    ]


def test_crlf_and_blank_lines_inside_a_table() -> None:
    doc = extract_bytes(b"a\tb\r\n\r\nc\td\r\n", "x.txt")
    assert len(doc.blocks) == 1
    table = doc.blocks[0]
    assert isinstance(table, Table)
    assert [[c.text for c in r] for r in table.rows] == [["a", "b"], ["c", "d"]]
    assert [r[0].line for r in table.rows] == [1, 3]
