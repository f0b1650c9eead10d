from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SEED = SAMPLES / "filings" / "suzhou_commerce_2024_department_overall.txt"
SEED_GOLDEN = SAMPLES / "expected" / "suzhou_commerce_2024_department_overall.json"


@pytest.fixture(scope="session")
def seed_golden() -> dict[str, Any]:
    return json.loads(SEED_GOLDEN.read_text(encoding="utf-8"))


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'jixiao.db'}"
