#!/usr/bin/env python3
"""Regenerate the reference trajectories (see README.md beside this file).

  /usr/bin/python3 regenerate.py [SET ...] [--inputs-from PATH]... [--seed N] [--out DIR] [--overwrite]
                                 [--compare-with PATH]... [--optax-transcription]

SET is public-tensor, public-network or public-recipes-network (default: all three). Without
--inputs-from the inputs are drawn from the seed (draws.py); with it every output is recomputed from the
inputs of an existing file. Files are written to --out (default: a new temporary folder), never over an
existing file unless --overwrite is given.
"""
import argparse
import hashlib
import json
import os
import platform
import sys
import tempfile

import numpy as np
import torch

import compare
import draws
import mlp
import peers_network
import peers_recipe
import peers_tensor
import specs

SETS = ("public-tensor", "public-network", "public-recipes-network")
FORMATS = {"public-tensor": "adamw-trajectory/1", "public-network": "adamw-network-trajectory/1",
           "public-recipes-network": "adamw-network-trajectory/2"}
OUTPUT_FIELDS = {"lr_per_step", "eta_per_step", "params", "state_final", "loss_per_step", "grad_norm_per_step",
                 "clipped_per_step", "ema_params", "format"}
TV = torch.__version__
TRANSCRIPTION_LABEL = "[numpy float32 transcription of optax.adamw, NOT optax]"


def _ordered(case, keys):
    return {k: case[k] for k in keys if k in case}


# ---- what each peer is called in the files' "source" field ----

def tensor_peer(case):
    if case.get("peer"):
        return case["peer"]
    if case["semantics"] == "schedule_multiplier":
        return "paper"
    return "optax" if case.get("source", "").startswith("optax") else "torch"


def network_peer(case):
    if case.get("peer"):
        return case["peer"]
    return "paper" if case["semantics"] == "schedule_multiplier" else "torch"


def tensor_source(case, peer, optax_version=None):
    if peer == "paper":
        return "paper formulas (Algorithm %d), float64 numpy" % (1 if case["algorithm"] == "sgdw" else 2)
    if peer == "optax":
        if optax_version:
            return "optax %s optax.adamw" % optax_version
        return ("numpy %s float32 transcription of optax.adamw's chain (optax not installed): not optax itself"
                % np.__version__)
    s = "torch %s torch.optim.%s" % (TV, "Adam" if case["algorithm"] == "adam_l2" else "AdamW")
    if case["schedule"]["type"] == "cosine_warm_restarts":
        s += " + CosineAnnealingWarmRestarts stepped per iteration"
    return s


def network_source(case, peer):
    if peer == "paper":
        return "paper Algorithm 2 (schedule multiplier), gradients by torch %s autograd" % TV
    if case["semantics"] == "coupled_l2":
        return "torch %s Adam(weight_decay) = coupled L2 on weights" % TV
    return "torch %s AdamW, param groups: weights decayed, biases not" % TV


def recipe_source(case):
    s = "torch %s AdamW (param groups)" % TV
    if case.get("clip_global_norm") is not None:
        s += ", clip_grad_norm_ after the accumulated backward"
    if case.get("accumulate", 1) > 1:
        s += ", loss/%d accumulated" % case["accumulate"]
    s += ", LambdaLR with transformers' schedule formula"
    if case.get("ema"):
        s += ", swa_utils.AveragedModel EMA"
    return s


# ---- one set ----

TENSOR_KEYS = ["format", "name", "note", "source", "dtype", "algorithm", "semantics", "hyper", "schedule",
               "eta_per_step", "lr_per_step", "shape", "param0", "grads", "params", "state_final"]
NETWORK_KEYS = ["format", "name", "note", "source", "dtype", "semantics", "hyper", "schedule", "lr_per_step",
                "network", "init", "features", "labels", "batch", "loss_per_step", "params"]
RECIPE_KEYS = ["format", "name", "note", "source", "dtype", "semantics", "hyper", "schedule", "lr_per_step",
               "grad_norm_per_step", "network", "decay_applies_to", "lr_scale", "accumulate", "init", "features",
               "labels", "batch", "loss_per_step", "params", "clip_global_norm", "clipped_per_step", "ema",
               "ema_params"]


def run_tensor(inputs, optax_transcription):
    """Returns (cases to write, checks not written, labels of rows)."""
    have_optax = peers_tensor.optax_available()
    optax_version = None
    if have_optax:
        import optax
        optax_version = optax.__version__
    cases, checks, labels = [], [], {}
    for c in inputs:
        peer = tensor_peer(c)
        if peer == "torch":
            out = peers_tensor.torch_case(c)
        elif peer == "paper":
            out = peers_tensor.paper_case(c)
        elif have_optax:
            out = peers_tensor.optax_case(c)
        else:
            out = peers_tensor.optax_transcription_case(c)
            labels[c["name"]] = TRANSCRIPTION_LABEL
        case = dict(c, **out)
        case["format"] = FORMATS["public-tensor"]
        case["source"] = tensor_source(c, peer, optax_version)
        case = _ordered(case, TENSOR_KEYS)
        if peer == "optax" and not have_optax and not optax_transcription:
            checks.append(case)
        else:
            cases.append(case)
    return cases, checks, labels


def run_network(inputs):
    cases = []
    for c in inputs:
        peer = network_peer(c)
        out = peers_network.paper_case(c) if peer == "paper" else peers_network.torch_case(c)
        case = dict(c, **out)
        case.update(format=FORMATS["public-network"], source=network_source(c, peer), dtype="float64",
                    network=mlp.network_field(c, True))
        cases.append(_ordered(case, NETWORK_KEYS))
    return cases


def run_recipes(inputs):
    cases = []
    for c in inputs:
        case = dict(c, **peers_recipe.recipe_case(c))
        case.update(format=FORMATS["public-recipes-network"], source=recipe_source(c), dtype="float64",
                    semantics="lr_coupled", network=mlp.network_field(c, False))
        cases.append(_ordered(case, RECIPE_KEYS))
    return cases


# ---- inputs ----

def find_file(paths, set_name):
    for p in paths:
        if os.path.isfile(p) and os.path.basename(p) == set_name + ".json":
            return p
        candidate = os.path.join(p, set_name + ".json")
        if os.path.isdir(p) and os.path.isfile(candidate):
            return candidate
    return None


def inputs_of(doc, expected_format):
    cases = []
    for c in doc["cases"]:
        if c.get("format") != expected_format:
            raise SystemExit("case %s has format %r, expected %r" % (c.get("name"), c.get("format"),
                                                                     expected_format))
        cases.append({k: v for k, v in c.items() if k not in OUTPUT_FIELDS})
    return cases


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="*", metavar="SET",
                    help="which files to generate: %s (default: all)" % ", ".join(SETS))
    ap.add_argument("--inputs-from", action="append", default=[], metavar="PATH",
                    help="recompute every output from the inputs of SET.json found at PATH (a file or a "
                         "folder; may be repeated) instead of drawing them from a seed")
    ap.add_argument("--seed", type=int, help="seed for drawn inputs (default: the committed files' seeds, "
                                             "%d for public-*, %d for recipes)" % (specs.PUBLIC_SEED,
                                                                                  specs.RECIPE_SEED))
    ap.add_argument("--out", help="folder to write SET.json into (default: a new temporary folder)")
    ap.add_argument("--overwrite", action="store_true", help="allow replacing existing files in --out")
    ap.add_argument("--compare-with", action="append", default=[], metavar="PATH",
                    help="compare each generated SET.json with SET.json at PATH (file or folder; repeatable)")
    ap.add_argument("--optax-transcription", action="store_true",
                    help="where optax is not installed, write the optax case computed by the numpy "
                         "transcription (labelled so in its source) instead of leaving it out")
    args = ap.parse_args(argv)
    sets = args.sets or list(SETS)
    unknown = [s for s in sets if s not in SETS]
    if unknown:
        ap.error("unknown SET %s; the sets are %s" % (", ".join(unknown), ", ".join(SETS)))

    out_dir = args.out or tempfile.mkdtemp(prefix="trajectories-")
    os.makedirs(out_dir, exist_ok=True)
    targets = {s: os.path.join(out_dir, s + ".json") for s in sets}
    existing = [p for p in targets.values() if os.path.exists(p)]
    if existing and not args.overwrite:
        raise SystemExit("refusing to overwrite %s (pass --overwrite to replace)" % ", ".join(existing))

    drawn_public = None
    have_optax = peers_tensor.optax_available()
    status = 0
    for s in sets:
        meta = {"generated_by": "dl4j-adamw/src/test/resources/reference-trajectories/generator/regenerate.py",
                "torch": TV, "numpy": np.__version__, "python": platform.python_version()}
        if args.inputs_from:
            src = find_file(args.inputs_from, s)
            if src is None:
                raise SystemExit("no %s.json in --inputs-from %s" % (s, args.inputs_from))
            with open(src) as f:
                doc = json.load(f)
            inputs = inputs_of(doc, FORMATS[s])
            meta["seed"] = doc.get("meta", {}).get("seed")
            meta["inputs"] = "recomputed from the inputs of %s (sha256 %s)" % (os.path.basename(src), sha256(src))
        else:
            seed = args.seed
            if s == "public-recipes-network":
                seed = specs.RECIPE_SEED if seed is None else seed
                inputs = draws.recipe_inputs(seed)
            else:
                seed = specs.PUBLIC_SEED if seed is None else seed
                if drawn_public is None:
                    drawn_public = draws.public_inputs(seed)
                inputs = drawn_public[0] if s == "public-tensor" else drawn_public[1]
            meta["seed"] = seed
            meta["inputs"] = ("drawn from numpy.random.default_rng(seed)"
                              + (", after the inputs of public-tensor" if s == "public-network" else ""))
        checks, labels = [], {}
        if s == "public-tensor":
            if have_optax:
                import optax
                meta["optax"] = optax.__version__
            else:
                meta["optax"] = ("not installed: case public_optax_adamw_f32 "
                                 + ("computed by a numpy float32 transcription of optax.adamw, not by optax"
                                    if args.optax_transcription else "left out"))
            cases, checks, labels = run_tensor(inputs, args.optax_transcription)
        elif s == "public-network":
            cases = run_network(inputs)
        else:
            cases = run_recipes(inputs)
        with open(targets[s], "w") as f:
            json.dump({"meta": meta, "cases": cases}, f)
        print("wrote %s (%d cases)%s" % (targets[s], len(cases),
                                       "; not written: " + ", ".join(c["name"] for c in checks) if checks else ""))
        ref = find_file(args.compare_with, s) if args.compare_with else None
        if args.compare_with and ref is None:
            print("  no %s.json in --compare-with; nothing compared" % s)
        if ref:
            with open(ref) as f:
                ref_doc = json.load(f)
            generated = {c["name"]: c for c in cases + checks}
            rows, missing = compare.compare_files(ref_doc, generated)
            print("  compared with %s (largest relative error per case):" % ref)
            print("  " + compare.format_rows(rows, labels).replace("\n", "\n  "))
            if missing:
                print("  not generated: " + ", ".join(missing))
            if not all(r["within_tolerance"] and r["inputs_identical"] for r in rows):
                status = 1
    print("output folder: %s" % out_dir)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
