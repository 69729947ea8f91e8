#!/usr/bin/python3
"""Fixed tensors from PyTorch for segspark's layer-equivalence tests.

Writes models/src/test/resources/fixtures/convtranspose2d_k3s2p1op1.json: a
ConvTranspose2d(k=3, stride=2, padding=1, output_padding=1) with bias, its input, output and the
gradients for a fixed upstream gradient. Needs Debian's python3-torch; run with /usr/bin/python3
from the repository root.
"""
import json, sys
import torch

def main(out):
    torch.manual_seed(0)
    m = torch.nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1, bias=True).double()
    x = torch.randn(2, 4, 5, 6, dtype=torch.double, requires_grad=True)
    y = m(x)
    g = torch.randn_like(y)
    (y * g).sum().backward()
    flat = lambda t: [float(v) for v in t.detach().reshape(-1)]
    json.dump({
        "source": "bench/make_fixtures.py, PyTorch " + torch.__version__,
        "module": "ConvTranspose2d(4, 3, kernel_size=3, stride=2, padding=1, output_padding=1, bias=True)",
        "input_shape": list(x.shape), "input": flat(x),
        "weight_shape": list(m.weight.shape), "weight": flat(m.weight),
        "bias": flat(m.bias),
        "output_shape": list(y.shape), "output": flat(y),
        "grad_output": flat(g),
        "grad_input": flat(x.grad), "grad_weight": flat(m.weight.grad), "grad_bias": flat(m.bias.grad),
    }, open(out, "w"))

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "models/src/test/resources/fixtures/convtranspose2d_k3s2p1op1.json")
