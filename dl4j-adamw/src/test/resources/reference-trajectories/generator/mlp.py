"""The MLP of the network cases, in torch float64 with DL4J's orientation.

h = tanh(X W0 + b0); logits = h W1 + b1; loss = mean cross-entropy of softmax(logits) over the minibatch
(DL4J: DenseLayer tanh, OutputLayer SOFTMAX + MCXENT). W is [nIn, nOut] so the flattened arrays are the
files' row-major layout directly.
"""
import torch

NAMES = ("W0", "b0", "W1", "b1")


class Mlp(torch.nn.Module):
    def __init__(self, case):
        super().__init__()
        n_in, hidden, n_out = dims(case)
        shapes = {"W0": (n_in, hidden), "b0": (hidden,), "W1": (hidden, n_out), "b1": (n_out,)}
        for n in NAMES:
            t = torch.tensor(case["init"][n], dtype=torch.float64).reshape(shapes[n])
            self.register_parameter(n, torch.nn.Parameter(t))
        self.n_in = n_in

    def named(self):
        return [(n, getattr(self, n)) for n in NAMES]

    def loss(self, features, labels):
        x = torch.tensor(features, dtype=torch.float64).reshape(-1, self.n_in)
        y = torch.tensor(labels, dtype=torch.long)
        logits = torch.tanh(x @ self.W0 + self.b0) @ self.W1 + self.b1
        return torch.nn.functional.cross_entropy(logits, y)

    def snapshot(self):
        return {n: p.detach().reshape(-1).tolist() for n, p in self.named()}


def dims(case):
    layers = case["network"]["layers"] if "network" in case else None
    if layers is None:
        return case["dims"]
    return [layers[0]["nIn"], layers[0]["nOut"], layers[1]["nOut"]]


def network_field(case, format1):
    n_in, hidden, n_out = dims(case)
    net = {"layers": [{"type": "dense", "nIn": n_in, "nOut": hidden, "activation": "tanh"},
                      {"type": "output", "nIn": hidden, "nOut": n_out, "activation": "softmax",
                       "loss": "mcxent_mean"}],
           "param_layout": "W[nIn,nOut] row-major (C order) flat; b[nOut]"}
    if format1:
        net["decay_applies_to"] = "W only (biases are not decayed)"
    return net
