#!/usr/bin/python3
"""The PyTorch peer of `segspark train` for classification, on the same tensors.

Reads a shard set exported with `segspark shards export` (train-images.npy, train-labels.npy,
val-*.npy, export.json) and trains torchvision's network of the same name as segspark's registry
model with segspark's recipe: the manifest's per-channel normalisation, left-right flips with
probability 1/2, moves of up to --shift pixels (augment.shift), Adam, and segspark's epoch learning-rate schedule (linear warm-up epochs, then
constant, step or cosine, as jobs/train/EpochLrSchedule.java computes it). Prints one JSON line
per epoch: seconds, train loss, validation loss and top-1.

The network runs in PyTorch's channels-last layout unless --memory-format contiguous is given: with
oneDNN's convolutions on this CPU it trains MobileNetV2 (alpha 0.5, 64x64 grey, batch 64) 2.4x
faster than the default layout, so the peer's epoch times are its best, not its default's.

  segspark shards export --data fashion-shards --out fashion-npy
  /usr/bin/python3 bench/classifier_torch.py --data fashion-npy --model mobilenet-v2 --epochs 15 \
      --batch 64 --lr 1e-3 --schedule cosine --warmup-epochs 1

Debian: python3-torch python3-torchvision (torch 1.13).
"""
import argparse
import json
import math
import time

import numpy as np
import torch
import torch.nn.functional as F
import torchvision

MODELS = {
    'mobilenet-v2': lambda k, a: torchvision.models.mobilenet_v2(weights=None, num_classes=k, width_mult=a),
    'mobilenet-v3-small': lambda k, a: torchvision.models.mobilenet_v3_small(weights=None, num_classes=k, width_mult=a),
    'mobilenet-v3-large': lambda k, a: torchvision.models.mobilenet_v3_large(weights=None, num_classes=k, width_mult=a),
}


LAYOUTS = {'channels-last': torch.channels_last, 'contiguous': torch.contiguous_format}


def take_channels(model, channels):
    """The network's first convolution made to take the shards' channels (grey shards have one)."""
    for parent in model.modules():
        for name, m in parent.named_children():
            if isinstance(m, torch.nn.Conv2d):
                if m.in_channels != channels:
                    setattr(parent, name, torch.nn.Conv2d(channels, m.out_channels, m.kernel_size, m.stride, m.padding,
                                                          bias=m.bias is not None))
                return model
    raise ValueError('no convolution in the model')


def epoch_lr(lr, epoch, epochs, warmup, schedule, step_epochs, gamma):
    """segspark's EpochLrSchedule: epoch counts finished epochs."""
    if epoch < warmup:
        return lr * (epoch + 1) / (warmup + 1)
    e = epoch - warmup
    if schedule == 'step':
        return lr * gamma ** (e // step_epochs)
    if schedule == 'cosine':
        return lr * 0.5 * (1 + math.cos(math.pi * e / max(1, epochs - warmup)))
    return lr


def tensors(folder, split, mean, std):
    x = np.load(f'{folder}/{split}-images.npy')  # N, H, W, C uint8
    y = np.load(f'{folder}/{split}-labels.npy')
    x = torch.from_numpy(x).permute(0, 3, 1, 2).float()
    x = (x - mean.view(1, -1, 1, 1)) / std.view(1, -1, 1, 1)
    return x.contiguous(), torch.from_numpy(y)


def shifted(x, shift, g, fill):
    """segspark's augment.shift: each image moved by whole pixels in [-shift, shift] on each axis,
    pixel (y, x) showing (y - dy, x - dx), a black (raw 0) border where it moved away."""
    n, c, h, w = x.shape
    padded = fill.view(1, -1, 1, 1).expand(n, c, h + 2 * shift, w + 2 * shift).clone()
    padded[:, :, shift:shift + h, shift:shift + w] = x
    d = torch.randint(-shift, shift + 1, (n, 2), generator=g)
    out = torch.empty_like(x)
    for i, (dy, dx) in enumerate(d.tolist()):
        out[i] = padded[i, :, shift - dy:shift - dy + h, shift - dx:shift - dx + w]
    return out


def evaluate(model, x, y, batch, layout):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(y), batch):
            out = model(x[i:i + batch].contiguous(memory_format=layout))
            loss += F.cross_entropy(out, y[i:i + batch], reduction='sum').item()
            correct += (out.argmax(1) == y[i:i + batch]).sum().item()
    return loss / len(y), correct / len(y)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True, help='folder written by segspark shards export')
    ap.add_argument('--model', default='mobilenet-v2', choices=sorted(MODELS))
    ap.add_argument('--width-multiplier', type=float, default=1.0, help='segspark --width-multiplier (alpha)')
    ap.add_argument('--epochs', type=int, default=15)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--schedule', default='cosine', choices=['constant', 'step', 'cosine'])
    ap.add_argument('--warmup-epochs', type=int, default=1)
    ap.add_argument('--step-epochs', type=int, default=10)
    ap.add_argument('--step-gamma', type=float, default=0.1)
    ap.add_argument('--no-flip', action='store_true')
    ap.add_argument('--shift', type=int, default=0, help='segspark augment.shift (pixels)')
    ap.add_argument('--memory-format', default='channels-last', choices=sorted(LAYOUTS))
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=42)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    info = json.load(open(f'{a.data}/export.json'))
    mean = torch.tensor(info['normalization']['mean'], dtype=torch.float32)
    std = torch.tensor(info['normalization']['std'], dtype=torch.float32)
    xt, yt = tensors(a.data, 'train', mean, std)
    xv, yv = tensors(a.data, 'val', mean, std)
    layout = LAYOUTS[a.memory_format]
    model = take_channels(MODELS[a.model](len(info['classes']), a.width_multiplier), xt.shape[1])
    model = model.to(memory_format=layout)
    print(json.dumps({'model': a.model, 'width_multiplier': a.width_multiplier, 'input': list(xt.shape[1:]),
                      'params': sum(p.numel() for p in model.parameters()), 'memory_format': a.memory_format}),
          flush=True)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    g = torch.Generator().manual_seed(a.seed)
    for epoch in range(a.epochs):
        for group in opt.param_groups:
            group['lr'] = epoch_lr(a.lr, epoch, a.epochs, a.warmup_epochs, a.schedule, a.step_epochs, a.step_gamma)
        model.train()
        order = torch.randperm(len(yt), generator=g)
        start, seen, total = time.perf_counter(), 0, 0.0
        for i in range(0, len(yt), a.batch):
            idx = order[i:i + a.batch]
            x = xt[idx]
            if a.shift > 0:
                x = shifted(x, a.shift, g, -mean / std)
            if not a.no_flip:
                flip = torch.rand(len(idx), generator=g) < 0.5
                x[flip] = x[flip].flip(3)
            opt.zero_grad()
            loss = F.cross_entropy(model(x.contiguous(memory_format=layout)), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            seen += len(idx)
        train_s = time.perf_counter() - start
        val_loss, top1 = evaluate(model, xv, yv, 256, layout)
        print(json.dumps({'epoch': epoch + 1, 'lr': opt.param_groups[0]['lr'], 'train_seconds': round(train_s, 1),
                          'images_per_s': round(seen / train_s, 1), 'train_loss': round(total / seen, 4),
                          'val_loss': round(val_loss, 4), 'top1': top1, 'torch': torch.__version__}), flush=True)


if __name__ == '__main__':
    main()
