#!/usr/bin/python3
"""Reference peer: the same UNet-MobileNetV2 (pix2pix decoder) in PyTorch on CPU.

Prints parameter counts of reference models, MACs per image, and training /
inference throughput (images/s) for the UNet at a given size and batch.
Needs Debian packages python3-torch, python3-torchvision and libopenblas0-pthread (without
OpenBLAS, Debian's torch falls back to the reference BLAS and runs ~10x slower); run with
/usr/bin/python3.
Usage: torch_ref.py [--size 128] [--batch 8] [--classes 3] [--warmup 2] [--warmup-seconds 0] [--steps 10] [--seconds 0]
                    [--threads 2]
"""
import argparse, time, statistics, json
import torch, torch.nn as nn, torchvision

def upsample(cin, cout):
    return nn.Sequential(
        nn.ConvTranspose2d(cin, cout, 3, stride=2, padding=1, output_padding=1, bias=False),
        nn.BatchNorm2d(cout), nn.ReLU(inplace=True))

class UNetMobileNetV2(nn.Module):
    # taps: block_1_expand_relu, block_3_expand_relu, block_6_expand_relu,
    #       block_13_expand_relu, block_16_project (Keras names)
    def __init__(self, classes):
        super().__init__()
        f = torchvision.models.mobilenet_v2(weights=None).features
        self.stages = nn.ModuleList([
            nn.Sequential(f[0], f[1], f[2].conv[0]),                       # 96 @ /2
            nn.Sequential(*f[2].conv[1:], f[3], f[4].conv[0]),              # 144 @ /4
            nn.Sequential(*f[4].conv[1:], f[5], f[6], f[7].conv[0]),        # 192 @ /8
            nn.Sequential(*f[7].conv[1:], *f[8:14], f[14].conv[0]),         # 576 @ /16
            nn.Sequential(*f[14].conv[1:], f[15], f[16], f[17]),            # 320 @ /32
        ])
        # blocks split at a tap (f[2], f[4], f[7], f[14]) have no residual add (stride 2 or
        # channel change), so running their convs in two pieces computes the same function.
        self.ups = nn.ModuleList([upsample(320, 512), upsample(512 + 576, 256),
                                  upsample(256 + 192, 128), upsample(128 + 144, 64)])
        self.last = nn.ConvTranspose2d(64 + 96, classes, 3, stride=2, padding=1, output_padding=1)

    def forward(self, x):
        skips = []
        for s in self.stages:
            x = s(x); skips.append(x)
        x = skips.pop()
        for up in self.ups:
            x = torch.cat([up(x), skips.pop()], 1)
        return self.last(x)

def params(m):
    return sum(p.numel() for p in m.parameters())

def macs(model, shape):
    """Multiply-accumulates per image of convolutions, transposed convolutions and linear layers."""
    total = [0]
    def hook(mod, inp, out):
        k = getattr(mod, 'kernel_size', (1, 1))
        kh, kw = k if isinstance(k, tuple) else (k, k)
        if isinstance(mod, nn.Conv2d):
            total[0] += out.numel() * kh * kw * mod.in_channels // mod.groups
        elif isinstance(mod, nn.ConvTranspose2d):
            total[0] += inp[0].numel() * kh * kw * mod.out_channels // mod.groups
        elif isinstance(mod, nn.Linear):
            total[0] += out.numel() * mod.in_features
    hs = [m.register_forward_hook(hook) for m in model.modules()]
    model.eval()
    with torch.no_grad():
        model(torch.randn(*shape))
    for h in hs: h.remove()
    return total[0] // shape[0]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--size', type=int, default=128)
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--classes', type=int, default=3)
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--warmup-seconds', type=float, default=0.0, help='warm up at least this long, past --warmup steps')
    ap.add_argument('--seconds', type=float, default=0.0, help='time steps at least this long, past --steps')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--refs', action='store_true', help='print reference model parameter counts')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    out = {}
    if a.refs:
        tv = torchvision.models
        for name, ctor, shape in [
            ('mobilenet_v2', lambda: tv.mobilenet_v2(weights=None), 224),
            ('mobilenet_v3_large', lambda: tv.mobilenet_v3_large(weights=None), 224),
            ('mobilenet_v3_small', lambda: tv.mobilenet_v3_small(weights=None), 224),
            ('vgg16', lambda: tv.vgg16(weights=None), 224),
            ('vgg16_features', lambda: tv.vgg16(weights=None).features, 224),
            ('fcn_resnet50_21', lambda: tv.segmentation.fcn_resnet50(weights=None, weights_backbone=None, aux_loss=False, num_classes=21), 224),
            ('deeplabv3_mobilenet_v3_large_21', lambda: tv.segmentation.deeplabv3_mobilenet_v3_large(weights=None, weights_backbone=None, aux_loss=False, num_classes=21), 224),
            ('lraspp_mobilenet_v3_large_21', lambda: tv.segmentation.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=21), 224)]:
            m = ctor()
            out[name] = {'params': params(m), 'macs_per_image': macs(m, (1, 3, shape, shape))}
    m = UNetMobileNetV2(a.classes)
    out['unet_mobilenetv2'] = {'params': params(m), 'size': a.size,
                               'macs_per_image': macs(m, (1, 3, a.size, a.size))}
    opt = torch.optim.Adam(m.parameters(), 1e-3)
    lossf = nn.CrossEntropyLoss()
    def timed(step):
        until = time.perf_counter() + a.warmup_seconds
        i = 0
        while i < a.warmup or time.perf_counter() < until:
            step()
            i += 1
        times = []
        stop = time.perf_counter() + a.seconds
        while len(times) < a.steps or time.perf_counter() < stop:
            times.append(step())
        return statistics.median(times)

    def train_step():
        # a fresh batch every step, made outside the timing: one fixed batch gets memorised and
        # its gradients turn denormal, which slows the step several times
        x = torch.randn(a.batch, 3, a.size, a.size)
        y = torch.randint(0, a.classes, (a.batch, a.size, a.size))
        t = time.perf_counter()
        opt.zero_grad(); loss = lossf(m(x), y); loss.backward(); opt.step()
        took = time.perf_counter() - t
        last[0] = float(loss)
        return took

    last = [float('nan')]
    m.train()
    med = timed(train_step)
    out['train'] = {'batch': a.batch, 'step_s_median': med, 'images_per_s': a.batch / med,
                    'loss_last': last[0]}
    m.eval()
    x = torch.randn(a.batch, 3, a.size, a.size)

    def infer_step():
        t = time.perf_counter()
        m(x)
        return time.perf_counter() - t

    with torch.no_grad():
        med = timed(infer_step)
    out['infer'] = {'batch': a.batch, 'step_s_median': med, 'images_per_s': a.batch / med}
    print(json.dumps(out, indent=1))

if __name__ == '__main__':
    main()
