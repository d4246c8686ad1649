"""``python -m staffcalc.sample --seed 2026 --staff 3000 --out data [--format csv|parquet] [--as-of DATE]``

Generates the synthetic sample institution and writes one file per table into ``--out``
(progress on stderr), and the boundary fixture set of :mod:`staffcalc.sample.boundary` into
``--out/boundary`` (CSV only; ``--no-boundary`` skips it).  Exit status 0 on success, 2 for bad
arguments, 1 when generation fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from . import DEFAULT_AS_OF, DEFAULT_SEED, DEFAULT_STAFF, FORMATS, boundary, generate, write


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number / 须为整数") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative / 不能为负数")
    return value


def _positive(text: str) -> int:
    value = _non_negative(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1 / 至少为 1")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD / 日期格式应为 YYYY-MM-DD") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m staffcalc.sample",
        description="Generate the synthetic, pseudonymous sample institution (deterministic for a seed).",
    )
    p.add_argument("--seed", type=_non_negative, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--staff", type=_positive, default=DEFAULT_STAFF,
                   help=f"number of staff (default {DEFAULT_STAFF}; 1000000 for benchmarks)")
    p.add_argument("--out", required=True, help="output folder, e.g. data")
    p.add_argument("--format", choices=FORMATS, default="csv", help="csv (default) or parquet (benchmarks)")
    p.add_argument("--no-boundary", action="store_true",
                   help="do not write the boundary fixture set into OUT/boundary")
    p.add_argument("--as-of", type=_date, default=DEFAULT_AS_OF,
                   help=f"reference date of the sample (default {DEFAULT_AS_OF.isoformat()})")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    start = time.perf_counter()
    try:
        tables = generate(args.seed, args.staff, args.as_of, progress=progress)
        if not tables:
            progress("warning: no domain generator is available yet; nothing to write")
            return 1
        paths = write(tables, args.out, args.format, progress=progress)
        if not args.no_boundary and args.format == "csv":
            progress(f"writing the boundary fixture set to {Path(args.out) / 'boundary'}")
            boundary.write(Path(args.out) / "boundary", args.as_of)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    progress(f"done: {len(paths)} files in {args.out} ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
