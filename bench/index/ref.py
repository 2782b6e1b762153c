"""A plain-Python reading of the same metrics as duck.py, written separately from the
spec text, to check the SQL on small bundles (a third opinion when the two engines
disagree). Slow on purpose: one dossier at a time, no cleverness.

Usage: ref.py --bundle DIR --from 2025-01-01 --to 2025-03-31 [--out FILE]
"""

import argparse
import collections
import datetime as dt
import json

TZ = dt.timezone(dt.timedelta(hours=7))


def ts(s):
    return None if s is None else dt.datetime.fromisoformat(s)


def lines(path):
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--from", dest="frm", required=True)
    ap.add_argument("--to", required=True)
    ap.add_argument("--out")
    a = ap.parse_args()
    S = dt.datetime.combine(dt.date.fromisoformat(a.frm), dt.time(), TZ)
    E = dt.datetime.combine(dt.date.fromisoformat(a.to) + dt.timedelta(days=1), dt.time(), TZ)

    units = list(lines(a.bundle + "/units.jsonl"))
    parent = {u["code"]: u["parent"] for u in units}

    def ancestors(code):
        while code is not None:
            yield code
            code = parent[code]

    procs = {p["code"]: p for p in lines(a.bundle + "/procedures.jsonl")}
    c = collections.defaultdict(collections.Counter)
    cit_pairs = collections.defaultdict(set)  # scope unit -> procedures with citizen data

    for d in lines(a.bundle + "/dossiers.jsonl"):
        if d["parent"] is not None or d["received_at"] is None:
            continue
        received = ts(d["received_at"])
        if received >= E:
            continue
        p = procs[d["procedure"]]
        events = [(e["kind"], ts(e["at"])) for e in d["events"] if ts(e["at"]) < E]

        def first(*kinds):
            ats = [t for k, t in events if k in kinds]
            return min(ats) if ats else None

        finish = first("completed") or first("returned") or first("stopped", "rejected", "withdrawn")
        with_result = first("completed", "returned")
        in_r = received >= S
        in_d = finish is None or finish >= S
        requests = [t for k, t in events if k == "supplement_requested"]
        due = ts(d["due_at"])
        if due is None:
            raise SystemExit(f"{d['code']}: null due_at needs the calendar")
        if len(requests) >= 2:
            on_time = False
        elif len(requests) == 1:
            q = requests[0]
            done = [t for k, t in events if k == "supplement_completed" and t > q]
            if done:
                end, pause = (finish or E), min(done) - q
            else:
                end, pause = q, dt.timedelta(0)
            on_time = end - pause <= due
        else:
            on_time = (finish or E) <= due
        written = bool(p.get("written_result"))
        citizen = bool(p.get("citizen_applicant"))
        k = collections.Counter()
        if in_r:
            k["r"] += 1
            k["r_synced"] += d["synced"]
            online_counted = d["channel"] == "online" and not (
                written and with_result is not None and not d["result_file"])
            k["r_online"] += online_counted
            if d["fee_due"] > 0:
                k["r_fee"] += 1
                k["r_fee_online"] += d["paid_online"]
            k["r_dig"] += d["component_files"] and (
                not (written and with_result is not None) or d["result_file"])
            k["r_reused"] += d["reused_component"]
            k["r_store"] += d["from_data_store"] or d["result_to_data_store"]
            if citizen:
                k["r_cit"] += 1
                k["r_cit_data"] += d["citizen_data"]
        if in_d:
            k["d"] += 1
            k["d_on_time"] += on_time
            k["d_sat"] += on_time and d["rating"] != "unsatisfied" and not d["complained"]
        if written and with_result is not None and S <= with_result < E:
            k["res_den"] += 1
            k["res_num"] += d["result_file"]
        for anc in ancestors(d["unit"]):
            c[anc].update(k)
            if in_r and citizen and d["citizen_data"]:
                cit_pairs[anc].add(d["procedure"])

    out = {}
    for u in units:
        code = u["code"]
        scope = {x["code"] for x in units if code in ancestors(x["code"])}
        in_scope = {pc for pc, p in procs.items() if p.get("citizen_applicant")
                    and scope.intersection(p["units"])}
        communes = [x for x in units if x["code"] in scope and x["kind"] == "commune"]
        k = c[code]
        out[code] = {
            "DOSSIER_SYNC": [k["r_synced"], k["r"]],
            "PROGRESS_ON_TIME": [k["d_on_time"], k["d"]],
            "ONLINE_DOSSIERS": [k["r_online"], k["r"]],
            "PAYMENT_DOSSIERS": [k["r_fee_online"], k["r_fee"]],
            "DOSSIER_RECEIVING_SATISFACTION": [k["d_sat"], k["d"]],
            "ORIGINAL_RESULT_AVAILABLE": [k["res_num"], k["res_den"]],
            "SO_HOA_GIAY_TO_GIAI_QUYET": [k["r_dig"], k["r"]],
            "ELECTRONIC_CERTIFIED_COPY": [sum(x["e_certified_copy"] for x in communes),
                                          len(communes)],
            "REUSED_DIGITIZED_DATA": [k["r_reused"], k["r"]],
            "SYNCED_WITH_DVCQG_PERSONAL_STORAGE": [k["r_store"], k["r"]],
            "CITIZEN_DATA_CONNECTED_DOSSIER": [k["r_cit_data"], k["r_cit"]],
            "CITIZEN_DATA_CONNECTED_FORMALITY": [len(in_scope & cit_pairs[code]),
                                                 len(in_scope)],
        }
    text = json.dumps({"units": out}, indent=1, sort_keys=True)
    if a.out:
        with open(a.out, "w") as fh:
            fh.write(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
