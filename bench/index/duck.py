"""The dossier-level metrics of index-766 (spec/index-766.md) in DuckDB SQL, as the
benchmark's peer of `motcua index compute`.

Metrics: DOSSIER_SYNC (1 D), PROGRESS_ON_TIME (2), ONLINE_DOSSIERS (3 C),
PAYMENT_DOSSIERS (4 A), DOSSIER_RECEIVING_SATISFACTION (5) and all of group 6.
Only numerators and denominators are computed: they are exact counts, which the
comparison checks for every unit.

Limitation, on purpose: a null `due_at` needs the working calendar (holidays, make-up
days, working windows), which SQL does not have; the script refuses a bundle with a
received, top-level dossier whose `due_at` is null (`motcua gen --null-due-share 0`).

Usage:
  duck.py --bundle DIR --from 2025-01-01 --to 2025-03-31 [--out FILE]
          [--live N]   # also load into a table and time N re-queries after an update
"""

import argparse
import datetime as dt
import json
import statistics
import sys
import time

import duckdb

METRICS = [
    "DOSSIER_SYNC",
    "PROGRESS_ON_TIME",
    "ONLINE_DOSSIERS",
    "PAYMENT_DOSSIERS",
    "DOSSIER_RECEIVING_SATISFACTION",
    "ORIGINAL_RESULT_AVAILABLE",
    "SO_HOA_GIAY_TO_GIAI_QUYET",
    "ELECTRONIC_CERTIFIED_COPY",
    "REUSED_DIGITIZED_DATA",
    "SYNCED_WITH_DVCQG_PERSONAL_STORAGE",
    "CITIZEN_DATA_CONNECTED_DOSSIER",
    "CITIZEN_DATA_CONNECTED_FORMALITY",
]

DOSSIER_COLUMNS = """{
  code: 'VARCHAR', procedure: 'VARCHAR', unit: 'VARCHAR', parent: 'VARCHAR',
  channel: 'VARCHAR', received_at: 'TIMESTAMPTZ', due_at: 'TIMESTAMPTZ',
  events: 'STRUCT(kind VARCHAR, "at" TIMESTAMPTZ)[]',
  fee_due: 'BIGINT', paid_online: 'BOOLEAN', synced: 'BOOLEAN',
  component_files: 'BOOLEAN', reused_component: 'BOOLEAN', from_data_store: 'BOOLEAN',
  result_file: 'BOOLEAN', result_to_data_store: 'BOOLEAN', citizen_data: 'BOOLEAN',
  rating: 'VARCHAR', complained: 'BOOLEAN'
}"""


def sql_literal(s):
    return "'" + s.replace("'", "''") + "'"


def setup_catalogue(con, bundle):
    """Units, the scope closure (unit → every ancestor, itself included) and procedures."""
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE units AS
    SELECT * FROM read_json({sql_literal(bundle + '/units.jsonl')},
      format = 'newline_delimited',
      columns = {{code: 'VARCHAR', kind: 'VARCHAR', parent: 'VARCHAR',
                  e_certified_copy: 'BOOLEAN'}});
    CREATE OR REPLACE TEMP TABLE scope AS
    WITH RECURSIVE up(unit, anc) AS (
      SELECT code, code FROM units
      UNION ALL
      SELECT up.unit, u.parent FROM up JOIN units u ON u.code = up.anc
      WHERE u.parent IS NOT NULL)
    SELECT unit, anc FROM up;
    CREATE OR REPLACE TEMP TABLE procs AS
    SELECT code, units,
           coalesce(written_result, false) AS written_result,
           coalesce(citizen_applicant, false) AS citizen_applicant
    FROM read_json({sql_literal(bundle + '/procedures.jsonl')},
      format = 'newline_delimited',
      columns = {{code: 'VARCHAR', units: 'VARCHAR[]', written_result: 'BOOLEAN',
                  citizen_applicant: 'BOOLEAN'}});
    """)


def dossier_source(bundle):
    return (f"read_json({sql_literal(bundle + '/dossiers.jsonl')}, "
            f"format = 'newline_delimited', columns = {DOSSIER_COLUMNS})")


def metrics_sql(source, s, e):
    """One pass over the dossiers; `source` is a table name or a read_json call."""
    return f"""
WITH base AS (
  -- Top-level dossiers received before E; only events before E exist.
  SELECT unit, procedure, channel, received_at, due_at, fee_due, paid_online, synced,
         component_files, reused_component, from_data_store, result_file,
         result_to_data_store, citizen_data, rating, complained,
         [x FOR x IN events IF x.at < {e}] AS ev
  FROM {source}
  WHERE parent IS NULL AND received_at IS NOT NULL AND received_at < {e}
), t AS (
  SELECT *,
    list_min([x.at FOR x IN ev IF x.kind = 'completed']) AS t_completed,
    list_min([x.at FOR x IN ev IF x.kind = 'returned']) AS t_returned,
    list_min([x.at FOR x IN ev IF x.kind IN ('stopped', 'rejected', 'withdrawn')]) AS t_end,
    len([x FOR x IN ev IF x.kind = 'supplement_requested']) AS k,
    list_min([x.at FOR x IN ev IF x.kind = 'supplement_requested']) AS q,
    list_min([x.at FOR x IN ev IF x.kind IN ('completed', 'returned')]) AS t_result
  FROM base
), f AS (
  SELECT *,
    coalesce(t_completed, t_returned, t_end) AS finish,
    list_min([x.at FOR x IN ev IF x.kind = 'supplement_completed' AND x.at > q]) AS c
  FROM t
), g AS (
  SELECT f.*, p.written_result, p.citizen_applicant,
    received_at >= {s} AS in_r,
    (finish IS NULL OR finish >= {s}) AS in_d,
    t_result IS NOT NULL AS with_result,
    CASE
      WHEN k >= 2 THEN false
      -- One request never answered: the clock stopped when it went out.
      WHEN k = 1 AND c IS NULL THEN q <= due_at
      WHEN k = 1 THEN epoch_us(coalesce(finish, {e})) - (epoch_us(c) - epoch_us(q))
                      <= epoch_us(due_at)
      ELSE coalesce(finish, {e}) <= due_at
    END AS on_time
  FROM f JOIN procs p ON p.code = f.procedure
), per_unit AS (
  SELECT unit,
    count(*) FILTER (in_r) AS r,
    count(*) FILTER (in_r AND synced) AS r_synced,
    count(*) FILTER (in_d) AS d,
    count(*) FILTER (in_d AND on_time) AS d_on_time,
    count(*) FILTER (in_r AND channel = 'online'
                     AND NOT (written_result AND with_result AND NOT result_file)) AS r_online,
    count(*) FILTER (in_r AND fee_due > 0) AS r_fee,
    count(*) FILTER (in_r AND fee_due > 0 AND paid_online) AS r_fee_online,
    count(*) FILTER (in_d AND on_time AND rating IS DISTINCT FROM 'unsatisfied'
                     AND NOT complained) AS d_satisfied,
    count(*) FILTER (written_result AND t_result >= {s} AND t_result < {e}) AS res_den,
    count(*) FILTER (written_result AND t_result >= {s} AND t_result < {e}
                     AND result_file) AS res_num,
    count(*) FILTER (in_r AND component_files
                     AND (NOT (written_result AND with_result) OR result_file)) AS r_digitised,
    count(*) FILTER (in_r AND reused_component) AS r_reused,
    count(*) FILTER (in_r AND (from_data_store OR result_to_data_store)) AS r_store,
    count(*) FILTER (in_r AND citizen_applicant) AS r_cit,
    count(*) FILTER (in_r AND citizen_applicant AND citizen_data) AS r_cit_data
  FROM g GROUP BY unit
), unit_procs AS (
  -- (unit, procedure) pairs with a dossier in R that used citizen data.
  SELECT DISTINCT unit, procedure FROM g WHERE in_r AND citizen_data AND citizen_applicant
), rolled AS (
  SELECT s.anc AS code,
    sum(r)::BIGINT AS r, sum(r_synced)::BIGINT AS r_synced, sum(d)::BIGINT AS d,
    sum(d_on_time)::BIGINT AS d_on_time, sum(r_online)::BIGINT AS r_online,
    sum(r_fee)::BIGINT AS r_fee, sum(r_fee_online)::BIGINT AS r_fee_online,
    sum(d_satisfied)::BIGINT AS d_satisfied, sum(res_den)::BIGINT AS res_den,
    sum(res_num)::BIGINT AS res_num, sum(r_digitised)::BIGINT AS r_digitised,
    sum(r_reused)::BIGINT AS r_reused, sum(r_store)::BIGINT AS r_store,
    sum(r_cit)::BIGINT AS r_cit, sum(r_cit_data)::BIGINT AS r_cit_data
  FROM per_unit JOIN scope s ON s.unit = per_unit.unit GROUP BY s.anc
), proc_scope AS (
  -- Procedures in scope: any unit of the scope is listed in `units`.
  SELECT DISTINCT s.anc, p.code AS procedure
  FROM procs p, unnest(p.units) AS pu(u) JOIN scope s ON s.unit = pu.u
  WHERE p.citizen_applicant
), formality AS (
  SELECT ps.anc AS code, count(*) AS den,
    count(*) FILTER (EXISTS (
      SELECT 1 FROM unit_procs up JOIN scope s2 ON s2.unit = up.unit
      WHERE s2.anc = ps.anc AND up.procedure = ps.procedure)) AS num
  FROM proc_scope ps GROUP BY ps.anc
), communes AS (
  SELECT s.anc AS code,
    count(*) FILTER (u.kind = 'commune') AS den,
    count(*) FILTER (u.kind = 'commune' AND u.e_certified_copy) AS num
  FROM scope s JOIN units u ON u.code = s.unit GROUP BY s.anc
)
SELECT u.code,
  coalesce(x.r, 0), coalesce(x.r_synced, 0), coalesce(x.d, 0), coalesce(x.d_on_time, 0),
  coalesce(x.r_online, 0), coalesce(x.r_fee, 0), coalesce(x.r_fee_online, 0),
  coalesce(x.d_satisfied, 0), coalesce(x.res_den, 0), coalesce(x.res_num, 0),
  coalesce(x.r_digitised, 0), coalesce(x.r_reused, 0), coalesce(x.r_store, 0),
  coalesce(x.r_cit, 0), coalesce(x.r_cit_data, 0),
  coalesce(fm.den, 0), coalesce(fm.num, 0), cm.den, cm.num
FROM units u
LEFT JOIN rolled x ON x.code = u.code
LEFT JOIN formality fm ON fm.code = u.code
LEFT JOIN communes cm ON cm.code = u.code
"""


def shape(rows):
    """{unit: {metric: [numerator, denominator]}}."""
    out = {}
    for (code, r, r_synced, d, d_on_time, r_online, r_fee, r_fee_online, d_sat,
         res_den, res_num, r_dig, r_reused, r_store, r_cit, r_cit_data,
         f_den, f_num, c_den, c_num) in rows:
        out[code] = {
            "DOSSIER_SYNC": [r_synced, r],
            "PROGRESS_ON_TIME": [d_on_time, d],
            "ONLINE_DOSSIERS": [r_online, r],
            "PAYMENT_DOSSIERS": [r_fee_online, r_fee],
            "DOSSIER_RECEIVING_SATISFACTION": [d_sat, d],
            "ORIGINAL_RESULT_AVAILABLE": [res_num, res_den],
            "SO_HOA_GIAY_TO_GIAI_QUYET": [r_dig, r],
            "ELECTRONIC_CERTIFIED_COPY": [c_num, c_den],
            "REUSED_DIGITIZED_DATA": [r_reused, r],
            "SYNCED_WITH_DVCQG_PERSONAL_STORAGE": [r_store, r],
            "CITIZEN_DATA_CONNECTED_DOSSIER": [r_cit_data, r_cit],
            "CITIZEN_DATA_CONNECTED_FORMALITY": [f_num, f_den],
        }
    return out


def bounds(frm, to):
    """S and E of the spec as +07:00 TIMESTAMPTZ literals."""
    end = dt.date.fromisoformat(to) + dt.timedelta(days=1)
    s = f"TIMESTAMPTZ '{dt.date.fromisoformat(frm).isoformat()} 00:00:00+07:00'"
    e = f"TIMESTAMPTZ '{end.isoformat()} 00:00:00+07:00'"
    return s, e


def check_no_null_due(con, source, e):
    n = con.execute(f"""
      SELECT count(*) FROM {source}
      WHERE parent IS NULL AND received_at IS NOT NULL AND received_at < {e}
        AND due_at IS NULL""").fetchone()[0]
    if n:
        sys.exit(f"duck.py: {n} received dossier(s) with null due_at; the SQL has no "
                 "working calendar (generate with --null-due-share 0)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--from", dest="frm", required=True)
    ap.add_argument("--to", required=True)
    ap.add_argument("--out")
    ap.add_argument("--threads", type=int)
    ap.add_argument("--live", type=int, default=0,
                    help="load dossiers into a table and time N update+re-query rounds")
    ap.add_argument("--skip-null-check", action="store_true")
    a = ap.parse_args()

    con = duckdb.connect()
    if a.threads:
        con.execute(f"SET threads = {a.threads}")
    s, e = bounds(a.frm, a.to)
    setup_catalogue(con, a.bundle)
    source = dossier_source(a.bundle)
    if not a.skip_null_check:
        check_no_null_due(con, source, e)
    result = {"units": shape(con.execute(metrics_sql(source, s, e)).fetchall())}

    if a.live:
        # The peer of "event → updated figure": the dossiers live in a DuckDB table; an
        # event arrives (one dossier gets a new `completed` event), then the figures are
        # recomputed by the same query. Load time is reported separately.
        t0 = time.perf_counter()
        con.execute(f"CREATE TEMP TABLE dossiers AS SELECT * FROM {source}")
        load = time.perf_counter() - t0
        code = con.execute(
            "SELECT code FROM dossiers WHERE parent IS NULL AND len(events) = 0 "
            "AND received_at IS NOT NULL ORDER BY code LIMIT 1").fetchone()
        rounds = []
        for i in range(a.live):
            t0 = time.perf_counter()
            if code:
                con.execute(
                    "UPDATE dossiers SET events = list_append(events, {'kind': 'completed', "
                    "'at': received_at + INTERVAL 1 HOUR}) WHERE code = ?", [code[0]])
            con.execute(metrics_sql("dossiers", s, e)).fetchall()
            rounds.append(time.perf_counter() - t0)
        result["live"] = {"load_seconds": load, "update_and_requery_seconds": rounds,
                          "median_seconds": statistics.median(rounds)}
    text = json.dumps(result, indent=1, sort_keys=True)
    if a.out:
        with open(a.out, "w") as fh:
            fh.write(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
