"""Numbers as a planner types them on the what-if page (issue 16): refused with a reason, never clamped.

:func:`parse_number` reads one entry: full-width digits and signs typed through a Chinese input
method (``８５``, ``０．３５``, ``－５``) are folded by Unicode NFKC; a trailing ``%`` (or ``％``) is
accepted where the field is a share (``percent=True``: ``35%`` → 0.35); anything else that is not a
number, not whole where a whole number is needed, or outside the allowed range raises
:class:`Refused` with a Chinese message naming the allowed range.  A value is never moved into
the range: the page shows the message beside the control and applies nothing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


class Refused(ValueError):
    """A typed value the page does not apply; ``str(exc)`` is the Chinese message shown beside it."""


@dataclass(frozen=True)
class Field:
    """What one input accepts: the range (inclusive), whole numbers only, shares written as %."""

    lo: float
    hi: float
    integer: bool = False
    percent: bool = False

    def describe(self) -> str:
        """The allowed range in words, e.g. ``0–100 的整数`` or ``0–1（可写作 0%–100%）``."""
        text = f"{fmt(self.lo)}–{fmt(self.hi)}"
        if self.integer:
            return text + " 的整数"
        if self.percent:
            return f"{text}（可写作 {fmt(self.lo * 100)}%–{fmt(self.hi * 100)}%）"
        return text


def fmt(x) -> str:
    """A number as a planner writes it: 85, 0.35, −0.1 (no trailing zeros, no exponent)."""
    d = Decimal(str(x)).normalize()
    text = format(d, "f")
    return text.replace("-", "−")


def parse_number(text, field: Field):
    """The number typed in ``text`` for ``field`` (int for integer fields, else float); raises Refused."""
    raw = unicodedata.normalize("NFKC", str(text)).strip().replace("−", "-").replace("，", "").replace(",", "")
    if raw == "":
        raise Refused(f"请输入数值，允许范围 {field.describe()}")
    percent = raw.endswith("%")
    if percent:
        if not field.percent:
            raise Refused(f"此项不是比例，不能写 %；允许范围 {field.describe()}")
        raw = raw[:-1].strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise Refused(f"“{text}”不是数值；允许范围 {field.describe()}") from None
    if not value.is_finite():
        raise Refused(f"“{text}”不是数值；允许范围 {field.describe()}")
    if percent:
        value = value / 100
    if field.integer and value != value.to_integral_value():
        raise Refused(f"须为整数，“{text}”不是整数；允许范围 {field.describe()}")
    if value < Decimal(str(field.lo)) or value > Decimal(str(field.hi)):
        raise Refused(f"{fmt(value)} 超出允许范围 {field.describe()}，未应用")
    return int(value) if field.integer else float(value)


__all__ = ["Field", "Refused", "fmt", "parse_number"]
