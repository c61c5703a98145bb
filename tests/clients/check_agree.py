"""Checks `dyadflow agree --format json` against an independent computation
of Krippendorff's alpha (the `krippendorff` package): for every field, alpha
over the matched pairs' values as dyadflow printed them must equal
dyadflow's own alpha. Also checks that the figures add up.

Usage: check_agree.py FIGURES.json [FIGURES.json ...]
       check_agree.py --perturb RAW_DIR   (changes codes, dates and modes of a
                                           copy of a generated corpus in place)
"""

import csv
import glob
import json
import sys

import krippendorff
import numpy as np


def check(path):
    with open(path, encoding="utf-8") as f:
        fig = json.load(f)
    pairs = fig["pairs"]
    ev = fig["events"]
    assert ev["matched"] == len(pairs), (ev["matched"], len(pairs))
    assert ev["matched"] + ev["only_a"] == ev["a"], ev
    assert ev["matched"] + ev["only_b"] == ev["b"], ev
    checked = 0
    for field in fig["fields"]:
        name, level = field["field"], field["level"]
        values = [p["values"][name] for p in pairs]
        equal = sum(1 for a, b in values if a == b)
        assert equal == field["equal"], (name, equal, field["equal"])
        ours = field["alpha"]
        if ours is None:
            assert len(pairs) < 1, name
            continue
        if level == "nominal":
            domain = sorted({v for pair in values for v in pair})
            code = {v: i for i, v in enumerate(domain)}
            data = np.array([[code[a] for a, _ in values], [code[b] for _, b in values]], dtype=float)
        else:
            data = np.array([[a for a, _ in values], [b for _, b in values]], dtype=float)
        if ours["single_value"]:
            # one value only: the formula is 0/0 (krippendorff refuses it); dyadflow reports 1
            assert len(np.unique(data)) == 1 and ours["alpha"] == 1.0, name
            continue
        theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
        assert abs(theirs - ours["alpha"]) < 1e-9, (path, name, theirs, ours["alpha"])
        checked += 1
        print(f"  {name:<12} {level:<9} dyadflow {ours['alpha']:.6f}  krippendorff {theirs:.6f}")
    assert checked > 0, f"{path}: no field to check"
    print(f"{path}: alpha of {checked} field(s) agrees with the krippendorff package")


def perturb(raw):
    """Every 7th event another code, every 11th another date, every 13th
    another mode: disagreements of known fields for alpha to measure."""
    for path in sorted(glob.glob(f"{raw}/events/*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        head = rows[0]
        code, date, mode = head.index("code"), head.index("date"), head.index("mode")
        for i, row in enumerate(rows[1:], start=1):
            if i % 7 == 0:
                row[code] = "042" if row[code].startswith("19") else "190"
            if i % 11 == 0:
                row[date] = "2001-09-11"
            if i % 13 == 0:
                row[mode] = "planned" if row[mode] != "planned" else "asserted"
        with open(path, "w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == "--perturb":
        perturb(sys.argv[2])
        sys.exit(0)
    for p in sys.argv[1:]:
        check(p)
