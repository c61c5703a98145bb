"""The floor: DuckDB reads every raw CSV (all columns as text) and every article
text, and writes each as zstd Parquet, with no transform at all, as fast as
DuckDB does it: a thread per core, and the texts loaded into a table before
they are written (streaming `read_text` straight into `COPY` is several times
slower in DuckDB 2.0).

usage: duckdb_floor.py RAW OUT
"""

from __future__ import annotations

import os
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
    con.execute(f"SET threads = {os.cpu_count() or 1}")
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
    con.execute("CREATE TEMP TABLE texts AS FROM read_text(?)", [paths])
    con.execute(f"COPY texts TO {sql_string(str(out / 'texts.parquet'))} ({PARQUET})")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
