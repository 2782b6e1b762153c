"""Turns bench/journey/data/results.jsonl into RESULTS.md: medians per backend."""
import json
import os
import platform
import statistics
import subprocess
import sys


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return f"nproc {os.cpu_count()}; memory {mem:.1f} GiB; CPU {cpu}; {platform.platform()}; motcua at {commit}"


def main(path):
    runs = [json.loads(l) for l in open(path) if l.strip()]
    print("# Journey benchmark: dossier transitions through the HTTP API vs plain INSERTs\n")
    print("Written by `bench/journey/run.sh`; do not edit by hand. Each run: concurrent clients "
          "repeat create → submit → receive → forward → complete → return (six transitions, each "
          "a `POST` committing events, projection and outbox rows in one transaction) against "
          "`motcua serve` on the same machine; then the peer writes the same rows (event + "
          "dossier state) with plain `INSERT`s, one transaction per transition, same concurrency, "
          "same database. Latencies are per request at the client. Medians over runs.\n")
    print(f"Machine: {machine()}\n")
    print("| backend | dossiers in db | start-up without image | start-up from image | clients | transitions/s | p50 | p99 | p99.9 | "
          "errors | plain INSERT tx/s | p99 plain | motcua / plain | load avg |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for backend in sorted({r["backend"] for r in runs}):
        rs = [r for r in runs if r["backend"] == backend]
        med = lambda f: statistics.median(f(r) for r in rs)
        api = lambda k: med(lambda r: r["result"]["api"][k])
        peer = lambda k: med(lambda r: r["result"]["peer"][k])
        full = rs[0].get("startup_full_s")
        full = f"{full:.1f} s" if full is not None else "not measured"
        print(f"| {backend} | {rs[0]['dossiers']:,} | {full} | {rs[0]['startup_s']:.1f} s | "
              f"{rs[0]['result']['clients']} | {api('per_second'):,.0f} | {api('p50_ms'):.1f} ms | "
              f"{api('p99_ms'):.1f} ms | {api('p999_ms'):.1f} ms | {api('errors'):.0f} | "
              f"{peer('per_second'):,.0f} | {peer('p99_ms'):.1f} ms | "
              f"{med(lambda r: r['result']['ratio']):.2f} | {med(lambda r: r['load']):.1f} |")
    print("\nRaw runs:\n")
    for r in runs:
        a, p = r["result"]["api"], r["result"]["peer"]
        print(f"- {r['backend']}: {a['per_second']:,.0f} transitions/s (p99 {a['p99_ms']:.1f} ms), "
              f"plain {p['per_second']:,.0f}/s (p99 {p['p99_ms']:.1f} ms), load {r['load']}")


if __name__ == "__main__":
    main(sys.argv[1])
