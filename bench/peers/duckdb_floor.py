"""The floor: DuckDB reads every raw CSV (all columns as text) and every article
text, and writes each as zstd Parquet, with no transform at all.

usage: duckdb_floor.py RAW OUT
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from common import sql_list, sql_string, table_files

TABLES = ("articles", "actors", "events", "mentions")
CSV = "header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"'"
PARQUET = "FORMAT parquet, COMPRESSION zstd"


def main(raw: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET threads = 2")
    for table in TABLES:
        files = table_files(raw, table)
        if files:
            target = sql_string(str(out / f"{table}.parquet"))
            con.execute(f"COPY (SELECT * FROM read_csv({sql_list(files)}, {CSV})) TO {target} ({PARQUET})")
    paths = [
        str(raw / p.strip())
        for (p,) in con.execute(
            f"SELECT text_path FROM read_parquet({sql_string(str(out / 'articles.parquet'))})"
        ).fetchall()
    ]
    con.execute(f"COPY (SELECT * FROM read_text(?)) TO {sql_string(str(out / 'texts.parquet'))} ({PARQUET})", [paths])


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
