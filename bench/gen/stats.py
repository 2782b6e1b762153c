"""Measured shares of a generated bundle, for the table in README.md.

Usage: python3 stats.py DIR [ASOF]   (ASOF = the day after `motcua gen --until`,
default 2025-05-01). Plain Python; a 200k-dossier bundle takes a few seconds.
"""

import collections
import datetime as dt
import json
import sys

d = sys.argv[1]
asof = dt.datetime.fromisoformat((sys.argv[2] if len(sys.argv) > 2 else "2025-05-01")
                                 + "T00:00:00+07:00")
procs = {}
with open(d + "/procedures.jsonl", encoding="utf-8") as fh:
    for line in fh:
        p = json.loads(line)
        procs[p["code"]] = p

c = collections.Counter()
n = 0
with open(d + "/dossiers.jsonl", encoding="utf-8") as fh:
    for line in fh:
        x = json.loads(line)
        n += 1
        c["channel:" + x["channel"]] += 1
        c["applicant:" + x["applicant_kind"]] += 1
        if x["parent"] is not None:
            c["child"] += 1
            continue
        if x["received_at"] is None:
            c["never_received"] += 1
            continue
        c["received"] += 1
        kinds = [e["kind"] for e in x["events"]]
        k = kinds.count("supplement_requested")
        c["supp>=1"] += k >= 1
        c["supp>=2"] += k >= 2
        c["payment_requested"] += "payment_requested" in kinds
        c["extended"] += "extended" in kinds
        for end in ("stopped", "rejected", "withdrawn"):
            c[end] += end in kinds and "completed" not in kinds and "returned" not in kinds
        with_result = "completed" in kinds or "returned" in kinds
        c["with_result"] += with_result
        c["open"] += not with_result and not any(
            e in kinds for e in ("stopped", "rejected", "withdrawn"))
        c["due_null"] += x["due_at"] is None
        c["fee>0"] += x["fee_due"] > 0
        c["paid_online|fee>0"] += x["fee_due"] > 0 and x["paid_online"]
        if x["rating"] is not None:
            c["rated"] += 1
            c["satisfied"] += x["rating"] == "satisfied"
        c["returned"] += "returned" in kinds
        c["rated_of_returned"] += "returned" in kinds and x["rating"] is not None
        for f in ("complained", "synced", "component_files", "reused_component",
                  "from_data_store", "result_file", "result_to_data_store", "citizen_data"):
            c[f] += x[f]
        # Lateness at the snapshot, by the index's rule (one supplement pause).
        if x["due_at"] is not None:
            ev = [(e["kind"], dt.datetime.fromisoformat(e["at"])) for e in x["events"]]
            due = dt.datetime.fromisoformat(x["due_at"])
            fin = [t for kk, t in ev if kk == "completed"] or [t for kk, t in ev if kk == "returned"] \
                or [t for kk, t in ev if kk in ("stopped", "rejected", "withdrawn")]
            end = min(fin) if fin else asof
            req = [t for kk, t in ev if kk == "supplement_requested"]
            pause = dt.timedelta(0)
            if len(req) == 1:
                done = [t for kk, t in ev if kk == "supplement_completed" and t > req[0]]
                if done:
                    pause = min(done) - req[0]
                else:
                    end = req[0]
            late = len(req) >= 2 or end - pause > due
            c["timed"] += 1
            c["late"] += late
            c["late>10d"] += late and end - pause - due > dt.timedelta(days=10)
            c["late_open"] += late and not fin

r = c["received"]
pct = lambda a, b: f"{100 * a / b:.1f} %" if b else "–"
rows = [
    ("dossiers", str(n)),
    ("online / direct / postal", " / ".join(pct(c["channel:" + k], n) for k in ("online", "direct", "postal"))),
    ("citizen / household business / business", " / ".join(
        pct(c["applicant:" + k], n) for k in ("citizen", "household_business", "business"))),
    ("inter-agency children (`parent` set)", pct(c["child"], n)),
    ("never received (refused at the desk, or waiting)", pct(c["never_received"], n)),
    ("received: ≥ 1 supplement request", pct(c["supp>=1"], r)),
    ("… of those, two requests", pct(c["supp>=2"], c["supp>=1"])),
    ("late at the snapshot (index rule)", pct(c["late"], c["timed"])),
    ("… late by more than 10 days", pct(c["late>10d"], c["late"])),
    ("… late and still open", pct(c["late_open"], c["late"])),
    ("`extended` (apology, form 04)", pct(c["extended"], r)),
    ("finished with a result", pct(c["with_result"], r)),
    ("stopped / rejected / withdrawn", " / ".join(pct(c[k], r) for k in ("stopped", "rejected", "withdrawn"))),
    ("still open at the snapshot", pct(c["open"], r)),
    ("`due_at` null (procedure has a time limit)", pct(c["due_null"], r)),
    ("`fee_due` > 0", pct(c["fee>0"], r)),
    ("`paid_online` among `fee_due` > 0", pct(c["paid_online|fee>0"], c["fee>0"])),
    ("`payment_requested` event", pct(c["payment_requested"], r)),
    ("rated, among returned", pct(c["rated_of_returned"], c["returned"])),
    ("satisfied, among rated", pct(c["satisfied"], c["rated"])),
    ("complained", pct(c["complained"], r)),
    ("synced", pct(c["synced"], r)),
    ("component_files", pct(c["component_files"], r)),
    ("reused_component", pct(c["reused_component"], r)),
    ("from_data_store", pct(c["from_data_store"], r)),
    ("result_file", pct(c["result_file"], r)),
    ("result_to_data_store", pct(c["result_to_data_store"], r)),
    ("citizen_data", pct(c["citizen_data"], r)),
]
print("| measure | share |\n|---|---|")
for a, b in rows:
    print(f"| {a} | {b} |")
