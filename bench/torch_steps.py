#!/usr/bin/python3
"""PyTorch peer of bench/SteadySteps.java: training steps of a registry model's reference
implementation (bench/model_speed.py's), each on a fresh random batch, timed for SECONDS after
10 warm-up steps; prints the median, p10 and p90 in ms.
Usage: torch_steps.py MODEL THREADS SIZE BATCH SECONDS   (run with /usr/bin/python3)"""
import os, sys, time
import torch, torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_speed as M  # noqa: E402


def main():
    model, threads, size, batch, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    build, task, classes = M.MODELS[model]
    m = build()
    m.train()
    opt = torch.optim.Adam(m.parameters(), 1e-3)
    loss_of = F.binary_cross_entropy_with_logits if task == 'binary' else F.cross_entropy

    def batch_of():
        x = torch.rand(batch, 3, size, size) * 2 - 1
        if task == 'classification':
            return x, torch.randint(0, classes, (batch,))
        if task == 'binary':
            return x, torch.randint(0, 2, (batch, 1, size, size)).float()
        return x, torch.randint(0, classes, (batch, size, size))

    def step(x, y):
        opt.zero_grad()
        loss_of(m(x), y).backward()
        opt.step()

    for _ in range(10):
        step(*batch_of())
    times = []
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        x, y = batch_of()
        t = time.perf_counter()
        step(x, y)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    n = len(times)
    print(f"pytorch {model} {size}x{size} batch {batch}, {threads} threads: {n} steps, median {times[n // 2]:.1f} ms, "
          f"p10 {times[n // 10]:.1f}, p90 {times[n * 9 // 10]:.1f}")


if __name__ == '__main__':
    main()
