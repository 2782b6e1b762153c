#!/usr/bin/env python3
"""Check the Huế demo catalogue (units.jsonl, procedures.jsonl) against the bundle
rules and the demo's honesty rules, then print a summary.

Usage:
    python3 check.py [--dir DIR] [--original PROCEDURES_JSONL]

--dir       folder holding units.jsonl and procedures.jsonl (default: this file's folder)
--original  the shared source procedures.jsonl; when given, every field that is new or
            changed compared with it must have a provenance entry, and every original
            field must still be present with its original value (except `components`,
            whose original list is kept as `components_raw`).

Exit status 0 when every line passes, 1 otherwise. Standard library only.
"""
import argparse
import json
import os
import re
import sys
import unicodedata
from collections import Counter

UNIT_KINDS = {"province", "department", "commune", "service_centre", "other"}
ONLINE_LEVELS = {"none", "partial", "full"}
TIME_UNITS = {"hours", "working_days", "days", "months"}
CHANNELS = {"direct", "online", "postal"}
APPLICANT_KINDS = {"citizen", "business", "household_business"}
FEE_NAMES = {"Lệ phí", "Phí"}
PART_KEYS = ["name", "steps", "method", "dossier", "time_limit", "applicants", "agency"]
UNVERIFIED_PREFIX = "chưa xác minh:"

# Fields the demo adds to every procedure; each needs a provenance entry.
COMPLETION_FIELDS = ["online_level", "full_online_eligible", "steps", "channels", "components",
                     "fees", "applicant_kinds", "legal_basis", "publications"]
# Fields whose value may be unverified (listed in `unverified`).
CHECKABLE = set(COMPLETION_FIELDS) | {"time_limit", "time_note", "authority", "result", "written_result",
                                      "has_fee", "citizen_applicant", "parts"}
CHANGEABLE = {"parts", "result"}
# an absolute local file path (e.g. a build folder) must not leak into the data
WORKPLACE_PATH = re.compile(r"(^|[\s(\"'])/[A-Za-z_.-]+/")


class Errors:
    def __init__(self):
        self.items = []

    def add(self, file, line, msg):
        self.items.append(f"{file}:{line}: {msg}")


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def walk_strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, list):
        for x in obj:
            yield from walk_strings(x)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from walk_strings(v)


def check_text(obj, err, file, ln):
    for s in walk_strings(obj):
        if unicodedata.normalize("NFC", s) != s:
            err.add(file, ln, f"text not NFC-normalised: {s[:60]!r}")
        if WORKPLACE_PATH.search(s):
            err.add(file, ln, f"local file path in text: {s[:80]!r}")


def load_jsonl(path, err, name):
    rows = []
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            if not line.strip():
                err.add(name, ln, "empty line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                err.add(name, ln, f"invalid JSON: {e}")
                continue
            if not isinstance(obj, dict):
                err.add(name, ln, "line is not a JSON object")
                continue
            rows.append((ln, obj))
    return rows


def check_units(rows, err):
    name = "units.jsonl"
    codes = {}
    for ln, u in rows:
        check_text(u, err, name, ln)
        for k, t in (("code", str), ("name", str), ("kind", str), ("e_certified_copy", bool)):
            if not isinstance(u.get(k), t):
                err.add(name, ln, f"field {k!r} missing or not {t.__name__}")
        if "parent" not in u or not (u["parent"] is None or isinstance(u["parent"], str)):
            err.add(name, ln, "field 'parent' missing or not string/null")
        if u.get("kind") not in UNIT_KINDS:
            err.add(name, ln, f"bad kind {u.get('kind')!r}")
        c = u.get("code")
        if c in codes:
            err.add(name, ln, f"duplicate code {c}")
        codes[c] = u
    for ln, u in rows:
        p = u.get("parent")
        if p is not None and p not in codes:
            err.add(name, ln, f"parent {p} not in units.jsonl")
    roots = [u for _, u in rows if u.get("parent") is None]
    if len(roots) != 1:
        err.add(name, 0, f"expected exactly one root unit, found {len(roots)}")
    return set(codes)


def check_procedure(ln, p, unit_codes, err, original=None):
    f = "procedures.jsonl"
    e = lambda msg: err.add(f, ln, f"{p.get('code', '?')}: {msg}")
    check_text(p, err, f, ln)

    # --- bundle fields ---
    for k in ("code", "name"):
        if not isinstance(p.get(k), str) or not p.get(k):
            e(f"{k!r} missing or not a non-empty string")
    units = p.get("units")
    if not isinstance(units, list) or not units or not all(isinstance(x, str) for x in units):
        e("'units' must be a non-empty array of strings")
    else:
        for u in units:
            if u not in unit_codes:
                e(f"unit {u} not in units.jsonl")
    if p.get("online_level") not in ONLINE_LEVELS:
        e(f"bad online_level {p.get('online_level')!r}")
    for k in ("full_online_eligible", "written_result", "has_fee", "citizen_applicant"):
        if not isinstance(p.get(k), bool):
            e(f"{k!r} missing or not bool")
    if p.get("full_online_eligible") is True and p.get("online_level") != "full":
        e("full_online_eligible=true but online_level is not 'full'")
    if "time_limit" not in p:
        e("'time_limit' missing (use null when unknown)")
    tl = p.get("time_limit")
    if tl is not None:
        if not isinstance(tl, dict) or not is_num(tl.get("value")) or tl.get("value") <= 0 \
                or tl.get("unit") not in TIME_UNITS:
            e(f"bad time_limit {tl!r}")
    parts = p.get("parts")
    if not isinstance(parts, dict) or set(parts) != set(PART_KEYS) or not all(isinstance(v, bool) for v in parts.values()):
        e("'parts' must hold exactly the 7 booleans " + ", ".join(PART_KEYS))
    pubs = p.get("publications")
    if not isinstance(pubs, list):
        e("'publications' must be an array")
    else:
        for pub in pubs:
            if not isinstance(pub, dict) or not isinstance(pub.get("decision_date"), str) \
                    or not isinstance(pub.get("legal_basis_effective_date"), str) \
                    or not (pub.get("made_public_on") is None or isinstance(pub.get("made_public_on"), str)):
                e(f"bad publication {pub!r}")

    # --- citizen-facing fields ---
    if not isinstance(p.get("field"), str):
        e("'field' missing or not string")
    if not isinstance(p.get("level"), list) or not all(isinstance(x, str) for x in p.get("level", [])):
        e("'level' missing or not array of strings")
    if not isinstance(p.get("authority"), str) or not p.get("authority"):
        e("'authority' missing or not a non-empty string")
    steps = p.get("steps")
    if not isinstance(steps, list) or not all(isinstance(s, str) and s.strip() for s in steps):
        e("'steps' must be an array of non-empty strings")
    ch = p.get("channels")
    if not isinstance(ch, list) or not ch or any(c not in CHANNELS for c in ch) or len(set(ch)) != len(ch):
        e(f"bad channels {ch!r}")
    elif ("online" in ch) != (p.get("online_level") in ("partial", "full")):
        e("channels and online_level disagree (online channel <=> partial/full)")
    if "time_note" not in p or not (p["time_note"] is None or isinstance(p["time_note"], str)):
        e("'time_note' missing or not string/null")
    comps = p.get("components")
    if not isinstance(comps, list):
        e("'components' must be an array")
    else:
        for c in comps:
            if not isinstance(c, dict) or not isinstance(c.get("name"), str) or not c.get("name") \
                    or not isinstance(c.get("required"), bool) or not is_int(c.get("originals")) \
                    or not is_int(c.get("copies")) or c.get("originals") < 0 or c.get("copies") < 0 \
                    or "form" not in c or not (c["form"] is None or isinstance(c["form"], str)):
                e(f"bad component {c!r}")
    fees = p.get("fees")
    if not isinstance(fees, list):
        e("'fees' must be an array")
    else:
        for fe in fees:
            if not isinstance(fe, dict) or fe.get("name") not in FEE_NAMES \
                    or not (fe.get("amount_vnd") is None or is_int(fe.get("amount_vnd"))) \
                    or "note" not in fe or not (fe["note"] is None or isinstance(fe["note"], str)):
                e(f"bad fee {fe!r}")
            elif fe.get("amount_vnd") is None and not fe.get("note"):
                e("fee with amount_vnd null needs a note saying why")
        if p.get("has_fee") is True and not fees:
            e("has_fee=true but fees is empty")
    ak = p.get("applicant_kinds")
    if not isinstance(ak, list) or not ak or any(a not in APPLICANT_KINDS for a in ak):
        e(f"bad applicant_kinds {ak!r}")
    elif ("citizen" in ak) != p.get("citizen_applicant"):
        e("citizen_applicant and applicant_kinds disagree")
    if not isinstance(p.get("result"), str):
        e("'result' missing or not string")
    if not (p.get("result_code") is None or isinstance(p.get("result_code"), str)):
        e("'result_code' not string/null")
    lb = p.get("legal_basis")
    if not isinstance(lb, list) or not all(isinstance(x, str) and x for x in lb):
        e("'legal_basis' must be an array of strings")

    # --- provenance and unverified ---
    prov = p.get("provenance")
    unv = p.get("unverified")
    if not isinstance(prov, dict) or not all(isinstance(v, str) and v for v in prov.values()):
        e("'provenance' must be an object of non-empty strings")
        return
    if not isinstance(unv, list) or not all(isinstance(x, str) for x in unv) or len(set(unv)) != len(unv):
        e("'unverified' must be an array of distinct strings")
        return
    for k in prov:
        if k not in p:
            e(f"provenance names field {k!r} that the record does not have")
    for k in COMPLETION_FIELDS:
        if k not in prov:
            e(f"added field {k!r} has no provenance entry")
    if p.get("time_limit") is None and "time_limit" not in prov:
        e("time_limit is null but has no provenance entry")
    for k in unv:
        if k not in p:
            e(f"unverified names field {k!r} that the record does not have")
        if not prov.get(k, "").startswith(UNVERIFIED_PREFIX):
            e(f"unverified field {k!r} needs a provenance entry starting with {UNVERIFIED_PREFIX!r}")
    for k, v in prov.items():
        if v.startswith(UNVERIFIED_PREFIX) and k not in unv:
            e(f"provenance of {k!r} says unverified but {k!r} is not in 'unverified'")
    if p.get("time_limit") is None and "time_limit" not in unv:
        e("time_limit is null (unknown) but not listed in 'unverified'")
    if p.get("online_level") == "full" and "online_level" in unv:
        e("online_level 'full' must come from a source, not be inferred")
    if p.get("full_online_eligible") is True and "full_online_eligible" in unv:
        e("full_online_eligible=true must come from a source")

    # --- against the original shared record ---
    if original is not None:
        o = original.get(p.get("code"))
        if o is None:
            e("code not in the original procedures file")
        else:
            for k, v in o.items():
                if k == "components":
                    if p.get("components_raw") != v:
                        e("original 'components' list not kept as 'components_raw'")
                elif k not in p:
                    e(f"original field {k!r} was dropped")
                elif p[k] != v:
                    # only a completion may change a value: `parts` (what the record now holds)
                    # and a null `result` filled in; both need provenance.
                    if not (k in CHANGEABLE and (k != "result" or v is None)):
                        e(f"original field {k!r} was changed")
                    elif k not in prov:
                        e(f"changed field {k!r} has no provenance entry")
            skip = {"provenance", "unverified", "components_raw"}
            for k in p:
                if k in skip:
                    continue
                if k not in o or k == "components":
                    if p[k] is None and k not in COMPLETION_FIELDS:
                        continue  # an added null (e.g. time_note) asserts nothing
                    if k not in prov:
                        e(f"new field {k!r} has no provenance entry")


def summarise(procs):
    n = len(procs)
    c = Counter()
    by_level = Counter(p.get("detail_level") for p in procs)
    for p in procs:
        unv = set(p["unverified"])
        if p["time_limit"] is not None and "time_limit" not in unv:
            c["time_limit_verified"] += 1
        elif p["time_limit"] is not None:
            c["time_limit_unverified_value"] += 1
        else:
            c["time_limit_null"] += 1
        if "fees" in unv:
            c["fees_unverified"] += 1
        elif not p["fees"]:
            c["fees_free_verified"] += 1
        elif any(f["amount_vnd"] is None for f in p["fees"]):
            if all(f["amount_vnd"] is None for f in p["fees"]):
                c["fees_amount_pending"] += 1
            else:
                c["fees_national_plus_pending"] += 1
        else:
            c["fees_national_amount"] += 1
        if p["full_online_eligible"] and "full_online_eligible" not in unv:
            c["full_online_verified"] += 1
        c["online_" + p["online_level"]] += 1
        if "online_level" not in unv:
            c["online_level_verified"] += 1
        for k in ("steps", "components", "legal_basis", "channels", "authority", "applicant_kinds"):
            if k not in unv:
                c[k + "_verified"] += 1
        if all(p["parts"].values()):
            c["parts_all_7"] += 1
    lines = [f"procedures: {n} (" + ", ".join(f"{k}: {v}" for k, v in sorted(by_level.items())) + ")",
             f"time_limit: verified {c['time_limit_verified']}, null/unknown {c['time_limit_null']}, "
             f"value present but unverified {c['time_limit_unverified_value']}",
             f"fees: national amount {c['fees_national_amount']}, national + HĐND-pending {c['fees_national_plus_pending']}, "
             f"amount pending (HĐND/other, null with note) {c['fees_amount_pending']}, free (verified) {c['fees_free_verified']}, "
             f"unverified {c['fees_unverified']}",
             f"online_level: none {c['online_none']}, partial {c['online_partial']}, full {c['online_full']}; "
             f"verified {c['online_level_verified']}; full-online flag verified true: {c['full_online_verified']}"]
    for k in ("steps", "components", "legal_basis", "channels", "authority", "applicant_kinds"):
        lines.append(f"{k}: verified {c[k + '_verified']}, unverified {n - c[k + '_verified']}")
    lines.append(f"parts: all 7 present in {c['parts_all_7']} records")
    return lines


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default=here)
    ap.add_argument("--original")
    a = ap.parse_args()
    err = Errors()
    units = load_jsonl(os.path.join(a.dir, "units.jsonl"), err, "units.jsonl")
    unit_codes = check_units(units, err)
    procs = load_jsonl(os.path.join(a.dir, "procedures.jsonl"), err, "procedures.jsonl")
    original = None
    if a.original:
        original = {}
        with open(a.original, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    o = json.loads(line)
                    original[o["code"]] = o
    seen = set()
    for ln, p in procs:
        if p.get("code") in seen:
            err.add("procedures.jsonl", ln, f"duplicate code {p.get('code')}")
        seen.add(p.get("code"))
        check_procedure(ln, p, unit_codes, err, original)
    if original is not None and set(original) != seen:
        err.add("procedures.jsonl", 0, f"codes differ from original: missing {sorted(set(original) - seen)}, extra {sorted(seen - set(original))}")
    print(f"units: {len(units)}")
    if not err.items:
        for line in summarise([p for _, p in procs]):
            print(line)
    if err.items:
        print(f"FAILED: {len(err.items)} problem(s)")
        for m in err.items[:200]:
            print("  " + m)
        return 1
    print("OK: all lines pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
