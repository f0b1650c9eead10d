"""Data, not code: section anchors, indicator names, qualitative labels, units, comparators,
fund lines, rank scopes, deadline words, placeholders and page furniture, each in its own YAML
file beside this one. Every stage may import this package; it imports none of them."""

from __future__ import annotations

import csv
import io
import re
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml


@cache
def load(name: str) -> Any:
    """The parsed contents of `dictionaries/<name>.yaml`, read once per process."""
    text = files(__name__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def load_csv(name: str) -> tuple[dict[str, str], ...]:
    """The rows of `dictionaries/<name>.csv` as dicts, read once per process."""
    text = files(__name__).joinpath(f"{name}.csv").read_text(encoding="utf-8")
    return tuple(csv.DictReader(io.StringIO(text)))


def names() -> list[str]:
    """The names of every YAML dictionary, for `load`."""
    return sorted(
        f.name.removesuffix(".yaml") for f in files(__name__).iterdir() if f.name.endswith(".yaml")
    )


@cache
def page_furniture() -> re.Pattern[str]:
    """A line that is only page furniture (a page number, a page count): match it with
    `page_furniture().match(line)`. From furniture.yaml `page_lines`."""
    lines = load("furniture")["page_lines"]
    return re.compile("^(" + "|".join(lines) + ")$")


def path(name: str) -> Path:
    """The file of a dictionary that a library reads by path (jieba's user dictionary)."""
    return Path(str(files(__name__).joinpath(name)))
