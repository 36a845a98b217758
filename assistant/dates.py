"""Publication dates as numbers: ``20250306`` ints (what both indexes store and filter on) and day ordinals."""

from __future__ import annotations

from datetime import date
from typing import Any

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def date_int(iso: str | None) -> int:
    """20250306 for '2025-03-06'; 0 when unknown (Chroma filters need numbers)."""
    if not iso:
        return 0
    try:
        return int(iso[:10].replace("-", ""))
    except ValueError:
        return 0


def date_ordinals(date_ints: Any) -> tuple[Any, Any]:
    """``date.toordinal()`` of each date int (20250306), vectorised, and which ints are real dates."""
    import numpy as np

    d = np.asarray(date_ints, dtype=np.int64)
    y, m, day = d // 10000, d // 100 % 100, d % 100
    valid = (y >= 1) & (y <= 9999) & (m >= 1) & (m <= 12) & (day >= 1) & (day <= 31)
    ordinals = np.zeros(len(d), dtype=np.int64)
    if valid.any():
        months = ((y[valid] - 1970) * 12 + m[valid] - 1).astype("datetime64[M]")
        days = months.astype("datetime64[D]") + (day[valid] - 1).astype("timedelta64[D]")
        in_month = days.astype("datetime64[M]") == months  # 30 February is not a date
        ordinals[valid] = np.where(in_month, days.astype(np.int64) + _EPOCH_ORDINAL, 0)
        valid[valid] = in_month
    return ordinals, valid
