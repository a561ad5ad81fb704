-- Plumb summary file, format v1 (docs/summary-input.md), in DuckDB.
--
-- Input: a table or view `predictions(score, label, ts, segment)`:
--   score    probability in [0, 1] (rows outside, or NULL, are left out),
--   label    0 or 1 (other values left out; map e.g. 'fraud' first: CASE WHEN ... END),
--   ts       TIMESTAMP of the prediction (rows without one are left out),
--   segment  any grouping value; NULL becomes '(all)'. No segment column: `NULL AS segment`.
-- Parameters: edit `params` below (k cells; split_at). One window only: replace the
-- `CASE WHEN p.ts < ...` expression by 'all' and drop the ts filter.
--
-- Output: the CSV Plumb reads. Write it with
--   COPY (<this query>) TO 'summary.csv' (HEADER, DELIMITER ',');
-- e.g. duckdb -c "CREATE VIEW predictions AS SELECT ...; COPY ( $(cat sql/summary_duckdb.sql) ) TO 'summary.csv' (HEADER)"
-- Tested: tests/fixtures/make_summary.py runs it with the `duckdb` Python package.
WITH params AS (
    -- Parameters: K equal-width cells of [0, 1], and the window split (rows with ts before
    -- split_at are `reference`, the rest `current`).
    SELECT 1000 AS k,
           TIMESTAMP '2026-01-01 04:10:00' AS split_at
),
scored AS (
    SELECT CAST(p.score AS DOUBLE) AS s,
           CAST(p.label AS INTEGER) AS y,
           CASE WHEN p.ts < params.split_at THEN 'reference' ELSE 'current' END AS window_name,
           COALESCE(CAST(p.segment AS STRING), '(all)') AS segment,
           params.k AS k
    FROM predictions AS p
    CROSS JOIN params
    WHERE p.score >= 0 AND p.score <= 1
      AND p.label IN (0, 1)
      AND p.ts IS NOT NULL
),
floored AS (
    SELECT s, y, window_name, segment, k,
           CAST(FLOOR(s * k) AS INTEGER) AS j0
    FROM scored
),
cells AS (
    -- j: the cell with j/k <= s < (j+1)/k, compared in DOUBLE exactly as Plumb compares
    -- (s * k can round across an edge; one step either way corrects it).
    SELECT s, y, window_name, segment, k,
           CASE
               WHEN j0 > 0 AND s < CAST(j0 AS DOUBLE) / k THEN j0 - 1
               WHEN j0 < k AND s >= CAST(j0 + 1 AS DOUBLE) / k THEN j0 + 1
               ELSE j0
           END AS j
    FROM floored
),
slots AS (
    -- atom = 1: the score is exactly the edge j/k (kept apart so that every comparison with
    -- an edge is exact); atom = 0: the open cell (j/k, (j+1)/k).
    SELECT s, y, window_name, segment, k, j,
           CASE WHEN s = CAST(j AS DOUBLE) / k THEN 1 ELSE 0 END AS atom
    FROM cells
)
SELECT 'v1' AS plumb_summary,
       k AS buckets,
       window_name,
       segment,
       y AS label,
       CAST(j AS DOUBLE) / k AS bucket_lo,
       CASE WHEN atom = 1 THEN CAST(j AS DOUBLE) / k
            ELSE CAST(j + 1 AS DOUBLE) / k END AS bucket_hi,
       COUNT(*) AS row_count,
       SUM(s) AS score_sum,
       SUM(s * s) AS score_sq_sum,
       -- log loss per row: -ln(clip(q)), q = s for label 1, 1 - s for label 0,
       -- clip to [eps, 1 - eps] with eps = 2^-52 (scikit-learn >= 1.5 for float64).
       SUM(-LN(GREATEST(LEAST(CASE WHEN y = 1 THEN s ELSE 1 - s END,
                              1 - 2.220446049250313e-16),
                        2.220446049250313e-16))) AS log_loss_sum
FROM slots
GROUP BY k, window_name, segment, y, j, atom
ORDER BY window_name, segment, label, bucket_lo, bucket_hi
;
