"""Driver of run.sh: generate (cached), time `motcua index compute` and duck.py as whole
processes, check that every numerator and denominator agrees for every unit, and write
RESULTS.md. Exits 1 on any disagreement (after printing the first ones), 2 when the
index CLI is missing (the DuckDB side still runs and is reported).
"""

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
from duck import METRICS  # noqa: E402

SEED = 20250101


def run_timed(cmd, stdout_path=None):
    """Wall seconds and peak RSS (MiB) of one child process, via wait4's own rusage."""
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE)
    _, stderr = b"", b""
    # stderr is small (errors, a hidden progress bar); read it after exit.
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    stderr = proc.stderr.read() if proc.stderr else b""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if stdout_path:
        out.close()
    if proc.returncode != 0:
        sys.stderr.write(stderr.decode(errors="replace"))
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}")
    return wall, usage.ru_maxrss / 1024


def gen_stamp(args_list):
    # The generator's sources: a change to any of them makes a cached bundle stale.
    h = hashlib.sha256()
    for f in sorted((ROOT / "crates/motcua/src/gen_cmd").rglob("*.rs")):
        h.update(f.read_bytes())
    return " ".join(args_list) + " " + h.hexdigest()


def ensure_bundle(bin_path, data, n):
    d = data / f"d{n}"
    gen_args = ["--units", "55", "--procedures", "126", "--dossiers", str(n),
                "--seed", str(SEED), "--null-due-share", "0"]
    stamp = gen_stamp(gen_args)
    stamp_file = d / ".stamp"
    if stamp_file.exists() and stamp_file.read_text() == stamp:
        return d, None
    d.mkdir(parents=True, exist_ok=True)
    print(f"generating {n} dossiers into {d.name} …", flush=True)
    wall, _ = run_timed([bin_path, "gen", "--bundle", str(d), *gen_args])
    stamp_file.write_text(stamp)
    return d, wall


def index_available(bin_path):
    r = subprocess.run([bin_path, "index", "compute", "--help"],
                       capture_output=True)
    return r.returncode == 0


def motcua_counts(path):
    doc = json.loads(Path(path).read_text())
    out = {}
    for u in doc["units"]:
        m = {}
        for g in u["groups"]:
            for x in g["metrics"]:
                m[x["code"]] = [x["numerator"], x["denominator"]]
        out[u["code"]] = m
    return out


def compare(ours, duck, limit=20):
    diffs = []
    for unit in sorted(set(ours) | set(duck)):
        if unit not in ours or unit not in duck:
            diffs.append(f"{unit}: only in {'motcua' if unit in ours else 'duckdb'}")
            continue
        for m in METRICS:
            a, b = ours[unit].get(m), duck[unit].get(m)
            if a != b:
                diffs.append(f"{unit} {m}: motcua {a} duckdb {b}")
    for line in diffs[:limit]:
        print("  DIFF " + line)
    return diffs


def machine():
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import duckdb
    git = lambda *a: subprocess.run(["git", "-C", str(ROOT), *a],  # noqa: E731
                                    capture_output=True, text=True).stdout.strip()
    rev = git("rev-parse", "--short", "HEAD")
    # Measured on a worktree with another branch merged in but not committed (e.g. the
    # index CLI before its merge): say so.
    merging = git("rev-parse", "--short", "-q", "--verify", "MERGE_HEAD")
    if merging:
        rev += f" with {merging} merged in (uncommitted)"
    if git("status", "--porcelain", "--untracked-files=no"):
        rev += ", uncommitted changes present"
    return {"nproc": os.cpu_count(), "memory": mem, "cpu": cpu,
            "os": platform.platform(), "duckdb": duckdb.__version__,
            "python": platform.python_version(), "git": rev}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--sizes", nargs="+", type=int, default=[1_000_000, 10_000_000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--live", type=int, default=5)
    ap.add_argument("--selfcheck", type=int, default=20_000,
                    help="dossiers of the bundle on which duck.py is checked against ref.py "
                         "(0: skip)")
    ap.add_argument("--from", dest="frm", default="2025-01-01")
    ap.add_argument("--to", default="2025-03-31")
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite RESULTS.md from data/out/results.json without running")
    a = ap.parse_args()
    if a.report_only:
        results = json.loads((a.data / "out" / "results.json").read_text())
        write_report(a, results, machine(), all("motcua" in r for r in results))
        return
    if a.runs < 1:
        raise SystemExit("--runs must be at least 1")

    py = sys.executable
    have_index = index_available(a.bin)
    if not have_index:
        print("`motcua index compute` is not in this build: DuckDB side only", flush=True)
    outdir = a.data / "out"
    outdir.mkdir(parents=True, exist_ok=True)
    if a.selfcheck:
        # The SQL against a plain-Python reading of the spec (ref.py) on a small bundle,
        # so that a DuckDB/motcua disagreement is not the SQL's fault.
        d, _ = ensure_bundle(a.bin, a.data, a.selfcheck)
        period = ["--from", a.frm, "--to", a.to]
        run_timed([py, str(HERE / "duck.py"), "--bundle", str(d), *period,
                   "--out", str(outdir / "selfcheck-duck.json")])
        run_timed([py, str(HERE / "ref.py"), "--bundle", str(d), *period,
                   "--out", str(outdir / "selfcheck-ref.json")])
        diffs = compare(json.loads((outdir / "selfcheck-ref.json").read_text())["units"],
                        json.loads((outdir / "selfcheck-duck.json").read_text())["units"])
        if diffs:
            raise SystemExit(f"duck.py and ref.py disagree ({len(diffs)}; 'motcua' above "
                             "means ref.py)")
        print(f"self-check: duck.py = ref.py on {a.selfcheck} dossiers", flush=True)
    results, failed = [], False
    for n in a.sizes:
        d, gen_wall = ensure_bundle(a.bin, a.data, n)
        sizes = {f: (d / f).stat().st_size for f in
                 ("units.jsonl", "procedures.jsonl", "dossiers.jsonl", "petitions.jsonl")}
        row = {"n": n, "gen_seconds": gen_wall, "bytes": sizes}
        period = ["--from", a.frm, "--to", a.to]
        duck_out = outdir / f"duck-{n}.json"
        duck_cmd = [py, str(HERE / "duck.py"), "--bundle", str(d), *period,
                    "--out", str(duck_out)]
        ours_out = outdir / f"motcua-{n}.json"
        ours_cmd = [a.bin, "index", "compute", "--bundle", str(d), *period,
                    "--format", "json"]
        duck_t, ours_t, loads = [], [], []
        # Interleaved, so that drift in the machine's state hits both sides alike.
        for i in range(a.runs):
            print(f"[{n}] run {i + 1}/{a.runs}", flush=True)
            # The 1-minute load average before each run: on a shared machine it tells
            # which runs had company.
            loads.append(os.getloadavg()[0])
            if have_index:
                ours_t.append(run_timed(ours_cmd, ours_out))
            duck_t.append(run_timed(duck_cmd))
        row["load_before_runs"] = loads
        row["duck"] = {"seconds": [t for t, _ in duck_t],
                       "median": statistics.median(t for t, _ in duck_t),
                       "rss_mib": max(r for _, r in duck_t)}
        if have_index:
            row["motcua"] = {"seconds": [t for t, _ in ours_t],
                             "median": statistics.median(t for t, _ in ours_t),
                             "rss_mib": max(r for _, r in ours_t)}
            diffs = compare(motcua_counts(ours_out),
                            json.loads(duck_out.read_text())["units"])
            row["diffs"] = len(diffs)
            if diffs:
                failed = True
                print(f"[{n}] {len(diffs)} disagreement(s)", flush=True)
            else:
                print(f"[{n}] all numerators and denominators agree", flush=True)
        if a.live:
            live_out = outdir / f"duck-live-{n}.json"
            run_timed([py, str(HERE / "duck.py"), "--bundle", str(d), *period,
                       "--out", str(live_out), "--live", str(a.live)])
            row["duck_live"] = json.loads(live_out.read_text())["live"]
        results.append(row)
        (outdir / "results.json").write_text(json.dumps(results, indent=1))

    write_report(a, results, machine(), have_index)
    if failed:
        raise SystemExit(1)
    if not have_index:
        raise SystemExit(2)


def fmt_s(x):
    return f"{x:.2f} s" if x is not None else "–"


def write_report(a, results, mach, have_index):
    lines = [
        "# Index benchmark: `motcua index compute` vs DuckDB",
        "",
        "Written by `bench/index/run.sh`; do not edit by hand. Whole-process wall time "
        "(start to exit, reading the JSONL bundle and printing the figures), median of "
        f"{a.runs} interleaved runs. Period {a.frm} … {a.to}. DuckDB computes the "
        "dossier-level metrics only (groups 2, 3 C, 4 A, 5 DOSSIER_RECEIVING_SATISFACTION, "
        "6, and 1 DOSSIER_SYNC); `motcua` computes the whole index, so the comparison "
        "favours DuckDB slightly.",
        "",
        "## Machine",
        "",
        f"- nproc: {mach['nproc']}; memory: {mach['memory']}; CPU: {mach['cpu']}",
        f"- {mach['os']}; Python {mach['python']}; DuckDB {mach['duckdb']}; "
        f"motcua at {mach['git']}",
        "",
        "## Data",
        "",
        "`motcua gen --units 55 --procedures 126 --seed 20250101 --null-due-share 0` "
        "(received 2024-10-01 … 2025-04-30, snapshot at the end; see bench/gen/README.md).",
        "",
        "| dossiers | dossiers.jsonl | petitions.jsonl | procedures + units | generation |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        b = r["bytes"]
        lines.append(
            f"| {r['n']:,} | {b['dossiers.jsonl'] / 2**20:,.0f} MiB | "
            f"{b['petitions.jsonl'] / 2**20:,.1f} MiB | "
            f"{(b['procedures.jsonl'] + b['units.jsonl']) / 2**10:,.0f} KiB | "
            f"{fmt_s(r['gen_seconds']) if r['gen_seconds'] else 'cached'} |")
    lines += [
        "",
        "## Full recomputation from a bundle",
        "",
        "| dossiers | motcua median | DuckDB median | DuckDB / motcua | motcua peak RSS "
        "| DuckDB peak RSS | agreement |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        m = r.get("motcua")
        dk = r["duck"]
        ratio = f"{dk['median'] / m['median']:.2f}×" if m else "–"
        rss = f"{m['rss_mib']:,.0f} MiB" if m else "–"
        agree = ("–" if not m else "all units, all counts" if r["diffs"] == 0
                 else f"**{r['diffs']} differences**")
        lines.append(
            f"| {r['n']:,} | {fmt_s(m['median']) if m else 'not built'} | "
            f"{fmt_s(dk['median'])} | {ratio} | "
            f"{rss} | {dk['rss_mib']:,.0f} MiB | {agree} |")
    busy = max((x for r in results for x in r.get("load_before_runs", [])), default=0)
    if busy > (mach["nproc"] or 1):
        lines += ["", f"**The machine was shared**: the 1-minute load average reached "
                  f"{busy:.1f} on {mach['nproc']} CPUs during the runs (other builds and "
                  "tests). Absolute times are inflated and noisy; the ratios, from "
                  "interleaved runs, are the figures to read."]
    lines += ["", "Raw times (s):", ""]
    for r in results:
        m = r.get("motcua")
        lines.append(f"- {r['n']:,}: motcua {[round(x, 2) for x in m['seconds']] if m else '–'}; "
                     f"DuckDB {[round(x, 2) for x in r['duck']['seconds']]}; "
                     f"1-min load average before each run "
                     f"{[round(x, 1) for x in r.get('load_before_runs', [])]}")
        if m:
            lines.append(f"  - fastest runs: motcua {min(m['seconds']):.2f} s, DuckDB "
                         f"{min(r['duck']['seconds']):.2f} s, DuckDB / motcua "
                         f"{min(r['duck']['seconds']) / min(m['seconds']):.2f}×")
    lines += [
        "",
        "## Live part (event → updated figure)",
        "",
        "DuckDB's peer of the live engine: the dossiers sit in an in-memory DuckDB table; "
        "one dossier gets a `completed` event (UPDATE), then the same metrics query runs "
        "again over the table. Median of the rounds; the load into the table is paid "
        "once and shown apart.",
        "",
        "| dossiers | load into table | UPDATE + re-query, median | rounds |",
        "|---:|---:|---:|---:|",
    ]
    for r in results:
        lv = r.get("duck_live")
        if lv:
            lines.append(f"| {r['n']:,} | {fmt_s(lv['load_seconds'])} | "
                         f"{fmt_s(lv['median_seconds'])} | {len(lv['update_and_requery_seconds'])} |")
    if not have_index:
        lines += ["", "`motcua index compute` was not available in the measured build; "
                  "only the DuckDB side ran."]
    a.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
