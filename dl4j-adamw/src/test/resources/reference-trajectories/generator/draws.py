"""Random inputs from a seed: one numpy Generator (PCG64, np.random.default_rng) drawn case after case.

With the committed seeds (specs.PUBLIC_SEED, specs.RECIPE_SEED) this reproduces the committed files' inputs
bit for bit (checked with numpy 1.24.2; the committed public files were drawn with numpy 2.5.2, whose
Generator gives the same normal, uniform and integer streams). Inputs are kept as float64 even for float32
cases: the peer rounds them to float32 when it builds its tensors, as the committed files were made.
"""
import numpy as np

import specs


def _flat(a):
    return np.asarray(a, dtype=np.float64).ravel().tolist()


def tensor_inputs(rng, spec):
    """param0 ~ N(0,1); grads[t] = scale * N(0,1) * U(0.2, 3.0), zero from spec['zero_from'] on."""
    shape = tuple(spec["shape"])
    scale = spec.get("grad_scale", 1)
    lo, hi = specs.GRAD_UNIFORM
    param0 = rng.standard_normal(shape)
    grads = []
    for t in range(spec["steps"]):
        g = scale * rng.standard_normal(shape) * rng.uniform(lo, hi, shape)
        if spec.get("zero_from") is not None and t >= spec["zero_from"]:
            g = np.zeros(shape)
        grads.append(_flat(g))
    return {"param0": _flat(param0), "grads": grads}


def network_inputs(rng, spec):
    """W ~ 0.5 N(0,1) in DL4J orientation [nIn, nOut], b ~ 0.1 N(0,1); features ~ x_scale N(0,1) per step
    [batch, nIn]; labels uniform over the classes."""
    n_in, hidden, n_out = spec["dims"]
    steps, batch = spec["steps"], spec["batch"]
    init = {
        "W0": _flat(0.5 * rng.standard_normal((n_in, hidden))),
        "b0": _flat(0.1 * rng.standard_normal(hidden)),
        "W1": _flat(0.5 * rng.standard_normal((hidden, n_out))),
        "b1": _flat(0.1 * rng.standard_normal(n_out)),
    }
    x = rng.standard_normal((steps, batch, n_in))
    if spec.get("x_scale", 1.0) != 1.0:
        x = spec["x_scale"] * x
    labels = rng.integers(0, n_out, (steps, batch))
    return {"init": init, "features": [_flat(x[t]) for t in range(steps)],
            "labels": [[int(v) for v in labels[t]] for t in range(steps)]}


def public_inputs(seed=specs.PUBLIC_SEED):
    """Inputs of public-tensor then public-network, from one Generator (in that order, as committed)."""
    rng = np.random.default_rng(seed)
    tensor = [dict(spec, **tensor_inputs(rng, spec)) for spec in specs.TENSOR_CASES]
    network = [dict(spec, **network_inputs(rng, spec)) for spec in specs.NETWORK_CASES]
    return tensor, network


def recipe_inputs(seed=specs.RECIPE_SEED):
    rng = np.random.default_rng(seed)
    return [dict(spec, **network_inputs(rng, spec)) for spec in specs.RECIPE_CASES]
