#!/usr/bin/python3
"""Reference figures for segspark's model registry, from PyTorch.

torchvision 0.14 where it has the architecture (mobilenet_v2, mobilenet_v3_small/large, vgg16);
for the rest, PyTorch implementations written here from the papers' descriptions (and, for
MobileNet v1, from Keras Applications' layer list). Prints one JSON object: per model and
configuration, trainable parameters and multiply-accumulates per image (conv, transposed conv
and linear layers), the figures the registry records and its tests check.
Needs Debian's python3-torch and python3-torchvision; run with /usr/bin/python3.
"""
import json
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


def params(m):
    return sum(p.numel() for p in m.parameters() if p.requires_grad)


def params_all(m):
    return sum(p.numel() for p in m.parameters())


def macs(model, shape):
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
    for h in hs:
        h.remove()
    return total[0] // shape[0]


def bn_relu(c, act=nn.ReLU):
    return [nn.BatchNorm2d(c), act()]


class MobileNetV1(nn.Module):
    """Keras Applications' MobileNet (v1): int(c * alpha) channels, conv_preds as a 1x1 conv with bias."""
    def __init__(self, classes=10, alpha=1.0):
        super().__init__()
        c = lambda n: int(n * alpha)
        layers = [nn.Conv2d(3, c(32), 3, 2, 1, bias=False), *bn_relu(c(32), nn.ReLU6)]
        cfg = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
        cin = c(32)
        for out, s in cfg:
            layers += [nn.Conv2d(cin, cin, 3, s, 1, groups=cin, bias=False), *bn_relu(cin, nn.ReLU6),
                       nn.Conv2d(cin, c(out), 1, bias=False), *bn_relu(c(out), nn.ReLU6)]
            cin = c(out)
        self.features = nn.Sequential(*layers)
        self.preds = nn.Conv2d(cin, classes, 1)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), 1)
        return self.preds(x).flatten(1)


def vgg16_features(bn_after_pools=()):
    """VGG16's conv base as a list of stages; each stage ends with its max pool."""
    cfg = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]
    stages, cin = [], 3
    for i, stage in enumerate(cfg):
        layers = []
        for c in stage:
            layers += [nn.Conv2d(cin, c, 3, 1, 1), nn.ReLU()]
            cin = c
        layers.append(nn.MaxPool2d(2))
        if i + 1 in bn_after_pools:
            layers.append(nn.BatchNorm2d(cin))
        stages.append(nn.Sequential(*layers))
    return stages


class UNet(nn.Module):
    """Ronneberger et al. 2015: 64..1024 channels, 3x3 convs with ReLU, 2x2 up-convolutions, 1x1 head."""
    def __init__(self, classes=2, padding=1):
        super().__init__()
        self.pad = padding
        dbl = lambda i, o: nn.Sequential(nn.Conv2d(i, o, 3, 1, padding), nn.ReLU(), nn.Conv2d(o, o, 3, 1, padding), nn.ReLU())
        self.down = nn.ModuleList([dbl(3, 64), dbl(64, 128), dbl(128, 256), dbl(256, 512)])
        self.bottom = dbl(512, 1024)
        self.ups = nn.ModuleList([nn.ConvTranspose2d(c, c // 2, 2, 2) for c in (1024, 512, 256, 128)])
        self.convs = nn.ModuleList([dbl(c, c // 2) for c in (1024, 512, 256, 128)])
        self.head = nn.Conv2d(64, classes, 1)

    def forward(self, x):
        skips = []
        for d in self.down:
            x = d(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.bottom(x)
        for up, conv in zip(self.ups, self.convs):
            x = up(x)
            s = skips.pop()
            dh, dw = (s.shape[2] - x.shape[2]) // 2, (s.shape[3] - x.shape[3]) // 2
            s = s[:, :, dh:dh + x.shape[2], dw:dw + x.shape[3]]
            x = conv(torch.cat([x, s], 1))
        return self.head(x)


class UNetVGG16(nn.Module):
    """Design C: VGG16 conv base (frozen) with BN after pools 1-4; five decoder steps
    [ConvTranspose k4 s2 (no bias) -> concat skip -> dropout 0.3 -> two conv k4 'same' + ReLU]
    with 256/128/64/32/16 filters; skips from block1_conv2 and (BN'd) pools 1-4; 1x1 head."""
    def __init__(self, classes=1, frozen=True):
        super().__init__()
        self.stages = nn.ModuleList(vgg16_features(bn_after_pools=(1, 2, 3, 4)))
        if frozen:
            for st in self.stages:
                for m in st:
                    if isinstance(m, nn.Conv2d):
                        for p in m.parameters():
                            p.requires_grad = False
        skip_ch = [512, 256, 128, 64, 64]
        cin = 512
        self.ups, self.convs = nn.ModuleList(), nn.ModuleList()
        for f, sc in zip([256, 128, 64, 32, 16], skip_ch):
            self.ups.append(nn.ConvTranspose2d(cin, f, 4, 2, 1, bias=False))
            self.convs.append(nn.Sequential(nn.Dropout(0.3), nn.Conv2d(f + sc, f, 4, 1, 'same'), nn.ReLU(),
                                            nn.Conv2d(f, f, 4, 1, 'same'), nn.ReLU()))
            cin = f
        self.head = nn.Conv2d(16, classes, 1)

    def forward(self, x):
        skips = []
        st0 = self.stages[0]
        h = st0[:4](x)          # through block1_conv2 + ReLU
        skips.append(h)
        h = st0[4:](h)          # pool1 + BN
        skips.append(h)
        for st in self.stages[1:]:
            h = st(h)
            skips.append(h)
        x = skips.pop()         # pool5 (no BN)
        for up, conv in zip(self.ups, self.convs):
            x = conv(torch.cat([up(x), skips.pop()], 1))
        return self.head(x)


def bilinear_kernel(c, k):
    f = (k + 1) // 2
    center = f - 1 if k % 2 == 1 else f - 0.5
    og = torch.arange(k, dtype=torch.float32)
    w1 = 1 - torch.abs(og - center) / f
    w = w1[:, None] * w1[None, :]
    weight = torch.zeros(c, c, k, k)
    for i in range(c):
        weight[i, i] = w
    return weight


class FCN(nn.Module):
    """Long et al. 2015 on VGG16: fc6 (7x7, 4096) and fc7 (1x1, 4096) as convolutions, score layers;
    2x upsamplings learned (bilinear init), the final upsampling fixed bilinear."""
    def __init__(self, classes=21, variant=32):
        super().__init__()
        self.variant = variant
        self.stages = nn.ModuleList(vgg16_features())
        self.fc = nn.Sequential(nn.Conv2d(512, 4096, 7, 1, 3), nn.ReLU(), nn.Dropout(0.5),
                                nn.Conv2d(4096, 4096, 1), nn.ReLU(), nn.Dropout(0.5), nn.Conv2d(4096, classes, 1))
        final = {32: (64, 32, 16), 16: (32, 16, 8), 8: (16, 8, 4)}[variant]
        self.final = nn.ConvTranspose2d(classes, classes, final[0], final[1], final[2], bias=False)
        self.final.weight.data = bilinear_kernel(classes, final[0])
        self.final.weight.requires_grad = False
        if variant <= 16:
            self.up2 = nn.ConvTranspose2d(classes, classes, 4, 2, 1, bias=False)
            self.score_pool4 = nn.Conv2d(512, classes, 1)
        if variant == 8:
            self.up_pool4 = nn.ConvTranspose2d(classes, classes, 4, 2, 1, bias=False)
            self.score_pool3 = nn.Conv2d(256, classes, 1)

    def forward(self, x):
        feats = []
        for st in self.stages:
            x = st(x)
            feats.append(x)
        s = self.fc(x)
        if self.variant <= 16:
            s = self.up2(s) + self.score_pool4(feats[3])
        if self.variant == 8:
            s = self.up_pool4(s) + self.score_pool3(feats[2])
        return self.final(s)


class DeepLabV3PlusMobileNetV2(nn.Module):
    """Chen et al. 2018 on an atrous MobileNetV2 (torchvision features[0:18]): ASPP (1x1, three 3x3
    atrous, image pooling; 256 each; 1x1 projection), decoder with the stride-4 features (24 ch ->
    48), two 3x3 convs of 256, 1x1 classifier, bilinear upsampling."""
    def __init__(self, classes=21, output_stride=16):
        super().__init__()
        f = torchvision.models.mobilenet_v2(weights=None).features
        # atrous: a stride that would pass the output stride becomes 1, and later depthwise convs
        # dilate instead (the first block of that group keeps the previous rate)
        stride, rate = 2, 1
        for i in range(1, 18):
            conv = f[i].conv
            dw = conv[0][0] if len(conv) == 3 else conv[1][0]
            if dw.stride[0] == 2 and stride == output_stride:
                dw.stride = (1, 1)
                block_rate, rate = rate, rate * 2
            else:
                stride *= dw.stride[0]
                block_rate = rate
            dw.dilation = (block_rate, block_rate)
            dw.padding = (block_rate, block_rate)
        self.low = f[0:4]
        self.high = f[4:18]
        rates = (6, 12, 18) if output_stride == 16 else (12, 24, 36)
        cbr = lambda i, o, k=1, d=1: nn.Sequential(nn.Conv2d(i, o, k, 1, d * (k // 2), dilation=d, bias=False),
                                                   nn.BatchNorm2d(o), nn.ReLU())
        self.aspp = nn.ModuleList([cbr(320, 256)] + [cbr(320, 256, 3, r) for r in rates])
        self.pool = cbr(320, 256)
        self.project = nn.Sequential(cbr(5 * 256, 256), nn.Dropout(0.1))
        self.low_proj = cbr(24, 48)
        self.decoder = nn.Sequential(cbr(304, 256, 3), cbr(256, 256, 3))
        self.cls = nn.Conv2d(256, classes, 1)
        self.output_stride = output_stride

    def forward(self, x):
        size = x.shape[2:]
        low = self.low(x)
        h = self.high(low)
        pooled = self.pool(F.adaptive_avg_pool2d(h, 1)).expand(-1, -1, h.shape[2], h.shape[3])
        h = self.project(torch.cat([b(h) for b in self.aspp] + [pooled], 1))
        h = F.interpolate(h, size=low.shape[2:], mode='bilinear', align_corners=False)
        h = self.decoder(torch.cat([h, self.low_proj(low)], 1))
        return F.interpolate(self.cls(h), size=size, mode='bilinear', align_corners=False)


def entry(m, shape):
    return {'params_trainable': params(m), 'params_all': params_all(m), 'macs': macs(m, shape)}


def main():
    tv = torchvision.models
    out = {}
    for a in (1.0, 0.5):
        out[f'mobilenet-v1 alpha={a} 10@224'] = entry(MobileNetV1(10, a), (2, 3, 224, 224))
    out['mobilenet-v1 alpha=1.0 1000@224'] = entry(MobileNetV1(1000, 1.0), (2, 3, 224, 224))
    out['mobilenet-v1 alpha=1.0 10@128'] = entry(MobileNetV1(10, 1.0), (2, 3, 128, 128))
    for a in (1.0, 0.5):
        out[f'mobilenet-v2 alpha={a} 10@224'] = entry(tv.mobilenet_v2(weights=None, num_classes=10, width_mult=a), (2, 3, 224, 224))
    out['mobilenet-v3-small 10@224'] = entry(tv.mobilenet_v3_small(weights=None, num_classes=10), (2, 3, 224, 224))
    out['mobilenet-v3-large 10@224'] = entry(tv.mobilenet_v3_large(weights=None, num_classes=10), (2, 3, 224, 224))
    out['vgg16 10@224'] = entry(tv.vgg16(weights=None, num_classes=10), (2, 3, 224, 224))
    out['unet same 2@256'] = entry(UNet(2, 1), (2, 3, 256, 256))
    out['unet valid 2@572'] = entry(UNet(2, 0), (2, 3, 572, 572))
    out['unet-vgg16 sigmoid frozen 1@256'] = entry(UNetVGG16(1, True), (2, 3, 256, 256))
    out['unet-vgg16 softmax 2@256'] = entry(UNetVGG16(2, False), (2, 3, 256, 256))
    for v in (32, 16, 8):
        out[f'fcn-{v}s 21@224'] = entry(FCN(21, v), (2, 3, 224, 224))
    for os_ in (16, 8):
        out[f'deeplabv3plus-mobilenetv2 os={os_} 21@512'] = entry(DeepLabV3PlusMobileNetV2(21, os_), (2, 3, 512, 512))
    print(json.dumps(out, indent=1))


if __name__ == '__main__':
    main()
