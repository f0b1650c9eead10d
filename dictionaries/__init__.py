"""Data, not code: section anchors, indicator names, qualitative labels, units, comparators and
fund lines, each in its own YAML file beside this one."""

from __future__ import annotations

import csv
import io
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


def path(name: str) -> Path:
    """The file of a dictionary that a library reads by path (jieba's user dictionary)."""
    return Path(str(files(__name__).joinpath(name)))
