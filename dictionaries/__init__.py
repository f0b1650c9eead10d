"""Data, not code: section anchors, indicator names, qualitative labels, units, comparators and
fund lines, each in its own YAML file beside this one."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import yaml


@cache
def load(name: str) -> Any:
    """The parsed contents of `dictionaries/<name>.yaml`, read once per process."""
    text = files(__name__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)
