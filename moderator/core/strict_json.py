"""The JSON parser for everything a client sends (frames, HTTP bodies, agenda files).

`NaN`, `Infinity` and numbers too large for a float (`1e400`) are refused: Python's json would
read them as non-finite floats, and echo them back as text that is not JSON.
"""

from __future__ import annotations

import json
import math
from typing import Any


class NotFinite(ValueError):
    """A number in the JSON that is NaN, infinite, or too large for a float."""


def _refuse_constant(name: str) -> Any:
    raise NotFinite(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotFinite(text)
    return value


def loads(text: str | bytes, **options: Any) -> Any:
    """json.loads that refuses NaN, Infinity and out-of-range numbers (NotFinite, a ValueError)."""
    return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float, **options)
