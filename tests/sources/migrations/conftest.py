"""Build migration folders in ``tmp_path`` from a mapping of relative path -> text."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

Layout = Callable[[Mapping[str, str | bytes]], Path]


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    def build(files: Mapping[str, str | bytes]) -> Path:
        for name, content in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return tmp_path

    return build
