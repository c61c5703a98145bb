"""Peer: dyadflow's normalize and score transforms with pandas, pyarrow for I/O.

The same transforms as duckdb_sql.py: actor labels and parent chains, EDTF
dates as spans, the CAMEO reference, evidence located in the text (exactly or
folded), relationship_scores as src/score.rs defines them. Writes
events.parquet and relationship_scores.parquet (zstd). Rows dyadflow would
reject are dropped.

usage: pandas_peer.py RAW OUT
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import sys
import unicodedata
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from common import APOSTROPHES, MODE_WEIGHT, QUOTES, REFERENCE, SHRINKAGE, WHITESPACE, header, table_files

EDTF = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?[~?%]?")
SPACE_RUN = re.compile(f"[{re.escape(WHITESPACE)}]+")
FOLD_QUOTES = str.maketrans(APOSTROPHES + QUOTES, "'" * len(APOSTROPHES) + '"' * len(QUOTES))
SEASONS = {21: ((0, 3), (0, 5)), 22: ((0, 6), (0, 8)), 23: ((0, 9), (0, 11)), 24: ((0, 12), (1, 2))}


def read_table(raw: Path, table: str) -> pd.DataFrame:
    """Every column as text; empty cells as empty strings."""
    parts = []
    for path in table_files(raw, table):
        types = {c: pa.string() for c in header(path)}
        parts.append(
            pacsv.read_csv(
                path,
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False),
            )
        )
    return pa.concat_tables(parts).to_pandas()


def atom(s: pd.Series) -> pd.Series:
    return s.str.strip(WHITESPACE)


def fold_label(s: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", s.strip(WHITESPACE)) if not unicodedata.combining(c)
    ).lower()


def fold_text(s: str) -> str:
    s = SPACE_RUN.sub(" ", s.translate(FOLD_QUOTES))
    return s.replace(' "', '"').replace('" ', '"').strip(" ")


def edtf_part(p: str) -> tuple[dt.date, dt.date] | None:
    """First and last day of one side of an EDTF date; None when impossible."""
    m = EDTF.fullmatch(p)
    if not m:
        return None
    y, mo, d = int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None
    try:
        if mo is None:
            return dt.date(y, 1, 1), dt.date(y, 12, 31)
        if d is not None:
            return dt.date(y, mo, d), dt.date(y, mo, d)
        if mo in SEASONS:
            (dy0, m0), (dy1, m1) = SEASONS[mo]
            return dt.date(y + dy0, m0, 1), dt.date(y + dy1, m1, calendar.monthrange(y + dy1, m1)[1])
        return dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1])
    except ValueError:
        return None


def edtf_span(s: str) -> tuple[dt.date | None, dt.date | None]:
    sides = [edtf_part(p) for p in s.split("/")]
    first, last = sides[0], sides[-1]
    if len(sides) > 2 or first is None or last is None or first[0] > last[1]:
        return None, None
    return first[0], last[1]


def locate(text: str | None, evidence: str) -> tuple[bool, int | None]:
    """Whether the evidence occurs in the text (exactly, else folded), and its
    code-point offset when it occurs exactly."""
    if text is None:
        return False, None
    start = text.find(evidence)
    if start >= 0:
        return True, start
    return fold_text(evidence) in fold_text(text), None


def actor_tops(actors: pd.DataFrame) -> pd.Series:
    """top_id by actor_id, following parents; actors in a cycle or under an
    unknown parent are left out."""
    parent = actors.set_index("actor_id")["parent"].replace("", None)
    top = pd.Series(parent.index, index=parent.index)
    for _ in range(len(parent)):
        up = top.map(parent)
        if up.isna().all():
            break
        top = top.where(up.isna(), up)
    return top[top.isin(parent.index) & top.map(parent).isna()]


def labels(actors: pd.DataFrame, tops: pd.Series) -> dict[str, str]:
    """Folded label -> actor_id, for labels of exactly one actor."""
    a = actors[actors["actor_id"].isin(tops.index)]
    rows = pd.concat(
        [
            a[["actor_id"]].assign(label=a["actor_id"]),
            a[["actor_id"]].assign(label=a["name"]),
            a[["actor_id"]].assign(label=a["aliases"].str.split("|")).explode("label"),
        ]
    )
    rows["key"] = rows["label"].fillna("").map(fold_label)
    rows = rows[rows["key"] != ""].drop_duplicates(["key", "actor_id"])
    unique = rows[~rows["key"].duplicated(keep=False)]
    return dict(zip(unique["key"], unique["actor_id"], strict=True))


def resolve(label: pd.Series, by_label: dict[str, str]) -> pd.Series:
    """Actor id of each label, None when it has none; each distinct label folded once."""
    return label.map({s: by_label.get(fold_label(s)) for s in label.unique()})


def events(raw: Path) -> pd.DataFrame:
    actors = read_table(raw, "actors").assign(
        actor_id=lambda d: atom(d["actor_id"]), parent=lambda d: atom(d["parent"])
    )
    tops = actor_tops(actors)
    by_label = labels(actors, tops)
    articles = read_table(raw, "articles")
    texts = {
        a.strip(WHITESPACE): (raw / p.strip(WHITESPACE)).read_text(encoding="utf-8")
        for a, p in zip(articles["article_id"], articles["text_path"], strict=True)
    }
    cameo = read_table(REFERENCE.parent, "cameo").set_index("code")
    e = read_table(raw, "events")
    e["article_id"] = atom(e["article_id"])
    e["code"] = atom(e["code"])
    e["source_id"] = resolve(e["source"], by_label)
    target = atom(e["target"])
    e["target_id"] = resolve(target, by_label)
    e["source_top_id"] = e["source_id"].map(tops)
    e["target_top_id"] = e["target_id"].map(tops)
    e["goldstein"] = e["code"].map(cameo["goldstein"]).astype("float64")
    e["quad_class"] = e["code"].map(cameo["quad_class"]).astype("Int32")
    e["mode"] = atom(e["mode"]).replace("", "asserted")
    e["confidence"] = pd.to_numeric(atom(e["confidence"]).replace("", "1"), errors="coerce")
    e["date_edtf"] = atom(e["date"])
    spans = {d: edtf_span(d) for d in e["date_edtf"].unique()}
    e["date_start"] = pd.to_datetime(e["date_edtf"].map({d: first for d, (first, _) in spans.items()}))
    e["date_end"] = pd.to_datetime(e["date_edtf"].map({d: last for d, (_, last) in spans.items()}))
    located = [locate(texts.get(a), ev) for a, ev in zip(e["article_id"], e["evidence"], strict=True)]
    e["found"] = [found for found, _ in located]
    e["evidence_start"] = pd.array([start for _, start in located], dtype="Int64")
    e["event_id"] = atom(e["event_id"])
    e = e[
        e["source_id"].notna()
        & (target.eq("") | e["target_id"].notna())
        & e["goldstein"].notna()
        & e["confidence"].between(0, 1)
        & e["date_start"].notna()
        & e["found"]
    ]
    return e[
        [
            "article_id",
            "event_id",
            "source_id",
            "target_id",
            "source_top_id",
            "target_top_id",
            "code",
            "quad_class",
            "goldstein",
            "mode",
            "confidence",
            "date_start",
            "date_end",
            "date_edtf",
            "evidence",
            "evidence_start",
        ]
    ]


def relationship_scores(e: pd.DataFrame) -> pd.DataFrame:
    e = e[e["target_id"].notna() & (e["source_id"] != e["target_id"])]
    e = e.assign(weight=e["confidence"] * e["mode"].map(MODE_WEIGHT).fillna(0.0))
    keys = [
        "source_id",
        "target_id",
        "source_top_id",
        "target_top_id",
        "code",
        "quad_class",
        "goldstein",
        "date_start",
        "date_end",
    ]
    inc = e.groupby(keys, sort=False).agg(weight=("weight", "max"), n_reports=("weight", "size")).reset_index()
    g = inc["goldstein"]
    inc["coop"] = (inc["weight"] * g / 10.0).where(g > 0, 0.0)
    inc["conflict"] = (inc["weight"] * g / -10.0).where(g < 0, 0.0)
    inc["year"] = inc["date_start"].dt.year.astype(str)
    # a month only when the whole span lies in one calendar month
    start_month, end_month = inc["date_start"].dt.strftime("%Y-%m"), inc["date_end"].dt.strftime("%Y-%m")
    inc["month"] = start_month.where(start_month == end_month, None)
    for q in (1, 2, 3, 4):
        inc[f"q{q}"] = (inc["quad_class"] == q).astype("int64")
    dyads = []
    for level, a, b in (("actor", "source_id", "target_id"), ("top", "source_top_id", "target_top_id")):
        swap = inc[a] > inc[b]
        lo, hi = inc[a].where(~swap, inc[b]), inc[b].where(~swap, inc[a])
        for directed, x, y in ((True, inc[a], inc[b]), (False, lo, hi)):
            d = inc.assign(level=level, directed=directed, actor_a=x, actor_b=y)
            dyads.append(d[d["actor_a"] != d["actor_b"]])
    d = pd.concat(dyads, ignore_index=True)
    months = d[d["month"].notna()]
    d = pd.concat(
        [d.assign(period="all"), d.assign(period=d["year"]), months.assign(period=months["month"])], ignore_index=True
    )
    s = (
        d.groupby(["level", "directed", "period", "actor_a", "actor_b"], sort=True)
        .agg(
            n_events=("weight", "size"),
            n_reports=("n_reports", "sum"),
            n_verbal_coop=("q1", "sum"),
            n_material_coop=("q2", "sum"),
            n_verbal_conflict=("q3", "sum"),
            n_material_conflict=("q4", "sum"),
            goldstein_sum=("goldstein", "sum"),
            goldstein_mean=("goldstein", "mean"),
            weight_sum=("weight", "sum"),
            coop_mass=("coop", "sum"),
            conflict_mass=("conflict", "sum"),
            first_date=("date_start", "min"),
            last_date=("date_end", "max"),
        )
        .reset_index()
    )
    s.insert(16, "score", (s["coop_mass"] - s["conflict_mass"]) / (s["coop_mass"] + s["conflict_mass"] + SHRINKAGE))
    return s.astype({c: "int64" for c in s.columns if c.startswith("n_")})


def write(df: pd.DataFrame, path: Path) -> None:
    """Dates (datetime64 columns) are written as Parquet DATE."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    schema = pa.schema(pa.field(f.name, pa.date32()) if pa.types.is_timestamp(f.type) else f for f in table.schema)
    pq.write_table(table.cast(schema), path, compression="zstd")


def main(raw: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    e = events(raw)
    write(e, out / "events.parquet")
    write(relationship_scores(e), out / "relationship_scores.parquet")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
