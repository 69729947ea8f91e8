#!/usr/bin/python3
"""Fixed tensors from PyTorch for segspark's layer-equivalence tests.

Writes into models/src/test/resources/fixtures/: for a transposed convolution
(k=3, stride=2, padding=1, output_padding=1), dilated convolutions (regular and depthwise),
bilinear upsampling (align_corners=False), hard-swish and the squeeze-and-excite gate: inputs,
parameters, outputs and the gradients of sum(output * grad_output) for a fixed grad_output.
Needs Debian's python3-torch; run with /usr/bin/python3 from the repository root.
"""
import json, os, sys
import torch
import torch.nn.functional as F

def flat(t):
    return [float(v) for v in t.detach().reshape(-1)]

def case(path, fn, inputs, **params):
    """Runs fn(*inputs, **params) in float64 and writes inputs, params, output and gradients."""
    ins = [i.double().requires_grad_(True) for i in inputs]
    ps = {k: v.double().requires_grad_(True) for k, v in params.items()}
    y = fn(*ins, **ps)
    g = torch.randn_like(y)
    (y * g).sum().backward()
    rec = {"source": "bench/make_fixtures.py, PyTorch " + torch.__version__,
           "output_shape": list(y.shape), "output": flat(y), "grad_output": flat(g)}
    for n, t in enumerate(ins):
        rec[f"input{n}_shape"] = list(t.shape); rec[f"input{n}"] = flat(t); rec[f"grad_input{n}"] = flat(t.grad)
    for k, t in ps.items():
        rec[k + "_shape"] = list(t.shape); rec[k] = flat(t); rec["grad_" + k] = flat(t.grad)
    json.dump(rec, open(path, "w"))

def more(folder):
    torch.manual_seed(1)
    case(os.path.join(folder, "conv2d_k3_d2.json"),
         lambda x, weight, bias: F.conv2d(x, weight, bias, stride=1, padding=2, dilation=2),
         [torch.randn(2, 4, 9, 10)], weight=torch.randn(3, 4, 3, 3), bias=torch.randn(3))
    case(os.path.join(folder, "depthwise_k3_d2.json"),
         lambda x, weight: F.conv2d(x, weight, None, stride=1, padding=2, dilation=2, groups=4),
         [torch.randn(2, 4, 8, 8)], weight=torch.randn(4, 1, 3, 3))
    case(os.path.join(folder, "bilinear_x4.json"),
         lambda x: F.interpolate(x, scale_factor=4, mode="bilinear", align_corners=False),
         [torch.randn(2, 3, 5, 6)])
    case(os.path.join(folder, "hardswish.json"), lambda x: F.hardswish(x),
         [torch.linspace(-5, 5, 101).reshape(1, 1, 1, 101) + 0.013])
    case(os.path.join(folder, "se_gate.json"), lambda x, s: x * F.hardsigmoid(s),
         [torch.randn(2, 3, 4, 5), torch.randn(2, 3, 1, 1) * 3])

def main(out):
    torch.manual_seed(0)
    m = torch.nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1, bias=True).double()
    x = torch.randn(2, 4, 5, 6, dtype=torch.double, requires_grad=True)
    y = m(x)
    g = torch.randn_like(y)
    (y * g).sum().backward()
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
    folder = sys.argv[1] if len(sys.argv) > 1 else "models/src/test/resources/fixtures"
    main(os.path.join(folder, "convtranspose2d_k3s2p1op1.json"))
    more(folder)
