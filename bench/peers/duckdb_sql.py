"""Peer: dyadflow's normalize and score transforms written in DuckDB SQL.

Resolves actor labels and parent chains, turns EDTF dates into spans, joins the
CAMEO reference, keeps only events whose evidence occurs in the article text
(exactly, or after dyadflow's folding of quotes and white space), and computes
relationship_scores as src/score.rs defines them. Writes events.parquet and
relationship_scores.parquet (zstd). Rows dyadflow would reject are dropped.

usage: duckdb_sql.py RAW OUT
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from common import APOSTROPHES, MODE_WEIGHT, QUOTES, REFERENCE, SHRINKAGE, WHITESPACE, sql_list, sql_string, table_files

CSV = "header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"'"
PARQUET = "FORMAT parquet, COMPRESSION zstd"
WS = sql_string(WHITESPACE)

MACROS = f"""
CREATE MACRO atom(x) AS nullif(trim(x, {WS}), '');
CREATE MACRO fold_label(x) AS lower(strip_accents(trim(x, {WS})));
CREATE MACRO fold_text(x) AS trim(regexp_replace(regexp_replace(
    translate(x, {sql_string(APOSTROPHES + QUOTES)}, {sql_string("'" * len(APOSTROPHES) + '"' * len(QUOTES))}),
    '[\\s\\v\\x{{85}}\\p{{Z}}]+', ' ', 'g'), ' ?" ?', '"', 'g'), ' ');
-- one side of an EDTF date (qualifier ~ ? % dropped): its first and last day
CREATE MACRO edtf_ok(p) AS regexp_full_match(p, '\\d{{4}}(-\\d{{2}}){{0,2}}[~?%]?');
CREATE MACRO edtf_num(p, i) AS CAST(nullif(split_part(rtrim(p, '~?%'), '-', i), '') AS INTEGER);
CREATE MACRO edtf_first(p) AS CASE
    WHEN NOT edtf_ok(p) THEN NULL
    WHEN edtf_num(p, 2) IS NULL THEN make_date(edtf_num(p, 1), 1, 1)
    WHEN edtf_num(p, 3) IS NOT NULL THEN
        try_cast(printf('%04d-%02d-%02d', edtf_num(p, 1), edtf_num(p, 2), edtf_num(p, 3)) AS DATE)
    WHEN edtf_num(p, 2) BETWEEN 1 AND 12 THEN make_date(edtf_num(p, 1), edtf_num(p, 2), 1)
    WHEN edtf_num(p, 2) BETWEEN 21 AND 24 THEN make_date(edtf_num(p, 1), [3, 6, 9, 12][edtf_num(p, 2) - 20], 1)
END;
CREATE MACRO edtf_last(p) AS CASE
    WHEN NOT edtf_ok(p) THEN NULL
    WHEN edtf_num(p, 2) IS NULL THEN make_date(edtf_num(p, 1), 12, 31)
    WHEN edtf_num(p, 3) IS NOT NULL THEN edtf_first(p)
    WHEN edtf_num(p, 2) BETWEEN 1 AND 12 THEN last_day(make_date(edtf_num(p, 1), edtf_num(p, 2), 1))
    WHEN edtf_num(p, 2) BETWEEN 21 AND 24 THEN last_day(make_date(
        edtf_num(p, 1) + CAST(edtf_num(p, 2) = 24 AS INTEGER), [5, 8, 11, 2][edtf_num(p, 2) - 20], 1))
END;
"""

TRANSFORMS = f"""
CREATE TABLE actors AS
SELECT atom(actor_id) AS actor_id, trim(name, {WS}) AS name, atom(parent) AS parent, aliases FROM actors_raw;

-- parent chains up to the top; an actor in a cycle or under an unknown parent gets none
CREATE TABLE tops AS
WITH RECURSIVE chain(actor_id, cur, depth) AS (
    SELECT actor_id, actor_id, 0 FROM actors
    UNION ALL
    SELECT c.actor_id, a.parent, c.depth + 1
    FROM chain c JOIN actors a ON a.actor_id = c.cur
    WHERE a.parent IS NOT NULL AND c.depth < (SELECT count(*) FROM actors)
)
SELECT c.actor_id, c.cur AS top_id FROM chain c JOIN actors a ON a.actor_id = c.cur WHERE a.parent IS NULL;

-- every label (id, name, alias), folded; a label of two actors resolves to none
CREATE TABLE labels AS
SELECT key, min(actor_id) AS actor_id
FROM (
    SELECT actor_id, fold_label(unnest([actor_id, name] || coalesce(string_split(aliases, '|'), []))) AS key
    FROM actors JOIN tops USING (actor_id)
)
WHERE key <> ''
GROUP BY key
HAVING count(DISTINCT actor_id) = 1;

CREATE TABLE cameo AS
SELECT code, CAST(goldstein AS DOUBLE) AS goldstein, CAST(quad_class AS INTEGER) AS quad_class
FROM read_csv({sql_string(str(REFERENCE))}, {CSV});

-- labels and dates repeat across rows: resolve each distinct one once
CREATE TABLE resolved AS
SELECT label, l.actor_id, t.top_id
FROM (SELECT source AS label FROM events_raw UNION SELECT target FROM events_raw WHERE atom(target) IS NOT NULL)
JOIN labels l ON l.key = fold_label(label)
JOIN tops t USING (actor_id);

CREATE TABLE spans AS
SELECT date_edtf, edtf_first(split_part(date_edtf, '/', 1)) AS date_start,
       edtf_last(coalesce(nullif(split_part(date_edtf, '/', 2), ''), date_edtf)) AS date_end
FROM (SELECT DISTINCT atom(date) AS date_edtf FROM events_raw);

-- evidence located in its article's text; only the offset leaves this step, not the text
CREATE TABLE located AS
WITH e AS (
    SELECT atom(article_id) AS article_id, atom(event_id) AS event_id, source, target,
           atom(code) AS code, atom(date) AS date_edtf, coalesce(atom(mode), 'asserted') AS mode,
           CASE WHEN atom(confidence) IS NULL THEN 1.0 ELSE try_cast(atom(confidence) AS DOUBLE) END AS confidence,
           evidence
    FROM events_raw
), p AS (
    SELECT e.*, strpos(x.content, e.evidence) AS pos, x.content FROM e JOIN texts x USING (article_id)
)
SELECT * EXCLUDE (pos, content), nullif(pos, 0) - 1 AS evidence_start
FROM p
WHERE pos > 0 OR contains(fold_text(content), fold_text(evidence));

CREATE TABLE events AS
SELECT e.article_id, e.event_id, s.actor_id AS source_id, t.actor_id AS target_id,
       s.top_id AS source_top_id, t.top_id AS target_top_id, e.code, c.quad_class, c.goldstein,
       e.mode, e.confidence, d.date_start, d.date_end, e.date_edtf, e.evidence, e.evidence_start
FROM located e
JOIN resolved s ON s.label = e.source
LEFT JOIN resolved t ON t.label = e.target
JOIN cameo c USING (code)
JOIN spans d USING (date_edtf)
WHERE (atom(e.target) IS NULL OR t.actor_id IS NOT NULL)
  AND e.confidence BETWEEN 0 AND 1
  AND d.date_start <= d.date_end;

CREATE TABLE incidents AS
SELECT source_id, target_id, source_top_id, target_top_id, code, quad_class, goldstein, date_start, date_end,
       max(weight) AS weight, count(*) AS n_reports
FROM (
    SELECT *, confidence * CASE mode WHEN 'asserted' THEN {MODE_WEIGHT["asserted"]}
        WHEN 'alleged' THEN {MODE_WEIGHT["alleged"]} WHEN 'planned' THEN {MODE_WEIGHT["planned"]}
        ELSE {MODE_WEIGHT["negated"]} END AS weight
    FROM events WHERE target_id IS NOT NULL AND source_id <> target_id
)
GROUP BY ALL;

CREATE TABLE relationship_scores AS
WITH i AS (
    SELECT *, CAST(year(date_start) AS VARCHAR) AS year,
           -- a month only when the whole span lies in one calendar month
           CASE WHEN strftime(date_start, '%Y-%m') = strftime(date_end, '%Y-%m')
                THEN strftime(date_start, '%Y-%m') END AS month,
           CASE WHEN goldstein > 0 THEN weight * goldstein / 10.0 ELSE 0.0 END AS coop,
           CASE WHEN goldstein < 0 THEN weight * goldstein / -10.0 ELSE 0.0 END AS conflict
    FROM incidents
), d AS (
    SELECT 'actor' AS level, true AS directed, source_id AS actor_a, target_id AS actor_b, * FROM i
    UNION ALL
    SELECT 'actor', false, least(source_id, target_id), greatest(source_id, target_id), * FROM i
    UNION ALL
    SELECT 'top', true, source_top_id, target_top_id, * FROM i
    UNION ALL
    SELECT 'top', false, least(source_top_id, target_top_id), greatest(source_top_id, target_top_id), * FROM i
), dyads AS (
    SELECT * FROM d WHERE actor_a <> actor_b
)
SELECT * FROM (
SELECT level, directed,
       CASE WHEN grouping(year) = 0 THEN year WHEN grouping(month) = 0 THEN month ELSE 'all' END AS period,
       CASE WHEN grouping(year) = 0 THEN 'year' WHEN grouping(month) = 0 THEN 'month' ELSE 'all' END AS granularity,
       actor_a, actor_b,
       count(*) AS n_events, CAST(sum(n_reports) AS BIGINT) AS n_reports,
       count(*) FILTER (quad_class = 1) AS n_verbal_coop, count(*) FILTER (quad_class = 2) AS n_material_coop,
       count(*) FILTER (quad_class = 3) AS n_verbal_conflict, count(*) FILTER (quad_class = 4) AS n_material_conflict,
       sum(goldstein) AS goldstein_sum, avg(goldstein) AS goldstein_mean, sum(weight) AS weight_sum,
       sum(coop) AS coop_mass, sum(conflict) AS conflict_mass,
       (sum(coop) - sum(conflict)) / (sum(coop) + sum(conflict) + {SHRINKAGE}) AS score,
       min(date_start) AS first_date, max(date_end) AS last_date
FROM dyads
GROUP BY GROUPING SETS ((level, directed, actor_a, actor_b), (level, directed, year, actor_a, actor_b),
                        (level, directed, month, actor_a, actor_b))
) WHERE period IS NOT NULL  -- the month grouping's group of incidents that span months
ORDER BY level, directed, period, actor_a, actor_b;
"""


def main(raw: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute(MACROS)
    for table in ("articles", "actors", "events"):
        con.execute(f"CREATE TABLE {table}_raw AS SELECT * FROM read_csv({sql_list(table_files(raw, table))}, {CSV})")
    con.execute(
        f"CREATE TABLE paths AS SELECT atom(article_id) AS article_id, "
        f"{sql_string(str(raw))} || '/' || atom(text_path) AS filename FROM articles_raw"
    )
    files = [f for (f,) in con.execute("SELECT filename FROM paths").fetchall()]
    con.execute(
        "CREATE TABLE texts AS SELECT article_id, content FROM paths JOIN read_text(?) USING (filename)", [files]
    )
    con.execute(TRANSFORMS)
    for table in ("events", "relationship_scores"):
        con.execute(f"COPY {table} TO {sql_string(str(out / f'{table}.parquet'))} ({PARQUET})")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
