"""Largest differences between a generated file and a reference file, per case.

The error is the README's (section "Tolerances that conformance must meet"): per step,
max|expected - actual| / max|expected| over the whole array; for network cases each of W0, b0, W1, b1
is one array; the largest over all steps and arrays is reported. Scalars per step (lr, eta, loss,
grad norm) are compared as |expected - actual| / |expected|. Inputs must be identical.
"""
import numpy as np

TOLERANCE = {"float64": 1e-9, "float32": 1e-5}
INPUT_FIELDS = ("param0", "grads", "init", "features", "labels")
SCALAR_FIELDS = ("lr_per_step", "eta_per_step", "loss_per_step", "grad_norm_per_step")


def array_error(expected, actual):
    e = np.asarray(expected, dtype=np.float64)
    a = np.asarray(actual, dtype=np.float64)
    if e.shape != a.shape:
        return float("inf")
    scale = np.abs(e).max() if e.size else 0.0
    diff = np.abs(e - a).max() if e.size else 0.0
    return float(diff / scale) if scale > 0 else float(diff)


def _steps_error(expected, actual):
    """expected/actual: list over steps of flat arrays or of {name: flat array}."""
    if len(expected) != len(actual):
        return float("inf")
    worst = 0.0
    for e, a in zip(expected, actual):
        if isinstance(e, dict):
            if set(e) != set(a):
                return float("inf")
            for n in e:
                worst = max(worst, array_error(e[n], a[n]))
        else:
            worst = max(worst, array_error(e, a))
    return worst


def _scalars_error(expected, actual):
    if len(expected) != len(actual):
        return float("inf")
    worst = 0.0
    for e, a in zip(expected, actual):
        worst = max(worst, abs(e - a) / abs(e) if e != 0 else abs(a))
    return worst


def compare_case(expected, actual):
    r = {"name": expected["name"], "dtype": expected.get("dtype", "float64")}
    r["params"] = _steps_error(expected["params"], actual["params"])
    if "ema_params" in expected:
        r["ema_params"] = _steps_error(expected["ema_params"], actual.get("ema_params", []))
    if expected.get("state_final"):
        r["state_final"] = max(array_error(expected["state_final"][k], actual["state_final"].get(k, []))
                               for k in expected["state_final"])
    for f in SCALAR_FIELDS:
        if f in expected:
            r[f] = _scalars_error(expected[f], actual.get(f, []))
    if "clipped_per_step" in expected:
        r["clipped_mismatches"] = sum(1 for e, a in zip(expected["clipped_per_step"], actual["clipped_per_step"])
                                      if e != a) + abs(len(expected["clipped_per_step"])
                                                       - len(actual["clipped_per_step"]))
    r["inputs_identical"] = all(expected.get(f) == actual.get(f) for f in INPUT_FIELDS)
    r["within_tolerance"] = max(r["params"], r.get("ema_params", 0.0)) <= TOLERANCE[r["dtype"]]
    return r


def compare_files(expected_doc, actual_cases):
    """actual_cases: {name: case}. Returns one row per expected case found among actual_cases, and the
    names of expected cases that were not generated."""
    rows, missing = [], []
    for e in expected_doc["cases"]:
        a = actual_cases.get(e["name"])
        if a is None:
            missing.append(e["name"])
        else:
            rows.append(compare_case(e, a))
    return rows, missing


def _fmt(x):
    return "%.2e" % x if isinstance(x, float) else str(x)


def format_rows(rows, labels=None):
    labels = labels or {}
    cols = ["params", "ema_params", "state_final"] + list(SCALAR_FIELDS) + ["clipped_mismatches"]
    cols = [c for c in cols if any(c in r for r in rows)]
    lines = ["| case | dtype | " + " | ".join(cols) + " | inputs identical | within tolerance |",
             "|---|---|" + "---|" * len(cols) + "---|---|"]
    for r in rows:
        name = r["name"] + (" " + labels[r["name"]] if r["name"] in labels else "")
        lines.append("| %s | %s | " % (name, r["dtype"]) + " | ".join(_fmt(r[c]) if c in r else "" for c in cols)
                     + " | %s | %s |" % ("yes" if r["inputs_identical"] else "NO",
                                         "yes" if r["within_tolerance"] else "NO"))
    return "\n".join(lines)
