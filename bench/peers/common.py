"""What the peers share: where a raw corpus keeps its tables, and the constants
of dyadflow's normalize and score stages that the peers reimplement."""

from __future__ import annotations

import csv
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "cameo.csv"

# dyadflow.toml defaults ([score] shrinkage, [score.mode_weight]); any other mode weighs 0
SHRINKAGE = 2.0
MODE_WEIGHT = {"asserted": 1.0, "alleged": 0.5, "planned": 0.25, "negated": 0.0}

# Unicode White_Space (what Rust's str::trim and char::is_whitespace use)
WHITESPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# evidence folding (src/normalize/text.rs): typographic apostrophes and quotes
APOSTROPHES = "\u2018\u2019\u201a\u201b\u2032`\u00b4"
QUOTES = "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033"


def table_files(raw: Path, table: str) -> list[Path]:
    """The CSV files of a raw table: `<table>.csv`, or `<table>/*.csv` in
    file-name order; empty when the table is absent."""
    single = raw / f"{table}.csv"
    if single.is_file():
        return [single]
    return sorted((raw / table).glob("*.csv"))


def header(path: Path) -> list[str]:
    """Column names of a CSV file (a leading byte-order mark dropped)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [c.strip() for c in next(csv.reader(f))]


def sql_string(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join(sql_string(str(p)) for p in paths) + "]"
