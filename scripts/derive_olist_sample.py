"""Derive the compact Olist sample shipped in ``sourcing/bench/data/olist/``.

Usage: ``python scripts/derive_olist_sample.py RAW_OLIST_DIR`` (the raw CSV
files: geolocation, sellers, customers, order_items, orders). It keeps only
what the benchmarks read (seller and customer coordinates, each order's line
quantities, purchase times) and checks that reading the result gives exactly
the arrays parsed from the raw files.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from sourcing.bench.olist import DEFAULT_OLIST_DIR, parse_raw_olist, read_sample, write_sample


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    raw = parse_raw_olist(Path(argv[0]))
    write_sample(raw, DEFAULT_OLIST_DIR)
    derived = read_sample(DEFAULT_OLIST_DIR)
    for field in ("seller_points", "customer_points", "lines_per_order", "line_quantities"):
        assert np.array_equal(getattr(raw, field), getattr(derived, field)), field
    assert raw.purchase_times == derived.purchase_times
    print(f"wrote {DEFAULT_OLIST_DIR}: identical to the raw sample")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
