"""Writing result tables for readers: Excel with Chinese headers, written atomically."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

import pandas as pd

from .atomic import atomic_path
from .schemas import to_chinese

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def write_excel(tables: Mapping[str, pd.DataFrame], path: str | Path, chinese_headers: bool = True) -> Path:
    """Write ``{sheet name: DataFrame}`` to one .xlsx file.

    Column names are translated to their Chinese headers (``schemas.LABELS``) unless
    ``chinese_headers`` is false.  The file is written to a temporary name and renamed, so a
    failure never leaves a half-written workbook in place of a good one.
    """
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            used: set[str] = set()
            for name, df in tables.items():
                sheet = _BAD_SHEET_CHARS.sub("_", str(name))[:31] or "Sheet"
                base, i = sheet, 2
                while sheet in used:
                    sheet = f"{base[:28]}_{i}"
                    i += 1
                used.add(sheet)
                (to_chinese(df) if chinese_headers else df).to_excel(writer, sheet_name=sheet, index=False)
    return Path(path)
