#!/usr/bin/env python3
"""Writes the seed corpora from the project's real data: the demo bundle of Huế, the
built-in e-forms, the shipped official days, and dossier lines of `motcua gen` when a
bundle it wrote is given (python3 fuzz/seed.py [GEN_BUNDLE_DIR]). The committed corpus is
these seeds and what the long runs found, minimised (README.md, "Corpus")."""
import hashlib, json, os, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.environ.get("FUZZ_CORPUS", os.path.join(ROOT, "fuzz", "corpus"))


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def lines(path):
    with open(path, encoding="utf-8") as f:
        return [l for l in f.read().splitlines() if l.strip()]


forms = os.path.join(ROOT, "crates/domain/src/eform/forms")
defs = {n: open(os.path.join(forms, n), encoding="utf-8").read() for n in sorted(os.listdir(forms))}
example = defs.pop("to_khai_khai_sinh.example.json")
order = ["to_khai_khai_sinh.json", "to_khai_ket_hon.json", "to_khai_khai_tu.json"]
for i, name in enumerate(order):
    for data in (example, "{}", "[]"):
        put("eform_validate", bytes([i]) + b"\xff" + data.encode())
        # Selector 3: the same definition read from the input.
        put("eform_validate", b"\x03" + defs[name].encode() + b"\xff" + data.encode())

hue = os.path.join(ROOT, "demo/hue")
# Whole units and processes files (small); one procedure line in eight (they are long).
for name in ("units.jsonl", "processes.jsonl"):
    put("bundle_read", "\n".join(lines(os.path.join(hue, name))) + "\n")
for l in lines(os.path.join(hue, "procedures.jsonl"))[::8]:
    put("bundle_read", l + "\n")
if len(sys.argv) > 1:
    ls = lines(os.path.join(sys.argv[1], "dossiers.jsonl"))
    kinds = {}
    for l in ls:
        r = json.loads(l)
        key = (tuple(e["kind"] for e in r["events"]), r["due_at"] is None, r["rating"], r["parent"] is None)
        kinds.setdefault(key, l)
    for l in list(kinds.values())[:60]:
        put("bundle_read", l + "\n")

official = lines(os.path.join(ROOT, "crates/calendar/data/official-days.jsonl"))
limits = set()
for l in lines(os.path.join(hue, "procedures.jsonl")):
    t = json.loads(l).get("time_limit")
    if t:
        limits.add((str(t["value"]), t["unit"]))
starts = ["2025-04-25T10:00:00+07:00", "2025-01-24T16:59:59.5+07:00", "2024-12-31T23:00:00Z", "1735689600"]
windows = ["", "07:30-11:30,13:00-17:00", "08:00-12:00", "00:00-23:59"]
for n, (value, unit) in enumerate(sorted(limits)):
    for mode in ("end_of_day", "working_time"):
        put("calendar_parse", "\n".join([starts[n % 4], value, unit, mode, windows[n % 4],
                                         "2025-04-29", str(n), official[n % len(official)]]) + "\n")
put("calendar_parse", "\n".join([starts[0], '{"value": 0.5, "unit": "working_days"}', "", "", "",
                                 "1900-01-01", "100000"] + official[:5]) + "\n")
