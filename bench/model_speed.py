#!/usr/bin/python3
"""PyTorch peer of `segspark bench models`: training and inference images/s of one registry
model's reference implementation (the ones bench/model_refs.py and bench/torch_ref.py count) at a
given input size, on CPU. Training steps are Adam 1e-3 with the model's
loss (cross-entropy; binary cross-entropy for the sigmoid head), each on a fresh random batch made
outside the timed step (on one fixed batch the network memorises it and its gradients turn
denormal, which slows both frameworks several times); inference is eval mode without gradients
on one batch. Prints one JSON object. Needs python3-torch, python3-torchvision and
libopenblas0-pthread from Debian; run with /usr/bin/python3.
Each phase lasts the longer of its steps and its seconds.
With --serve it builds the model once, prints {"ready": ...} and then answers one JSON request per
stdin line, {"phase": "train"|"infer", "warmup": N, "warmup_seconds": S, "steps": N, "seconds": S},
with {"phase": ..., "step_s": median, "steps": timed} on one stdout line, until "quit" or the end of
its input: `segspark bench models` takes turns with it in slices of a few seconds.
Usage: model_speed.py --model NAME [--size 128] [--batch 4] [--warmup 2] [--warmup-seconds 0] [--steps 5] [--seconds 0]
                      [--threads 2] [--memory-format contiguous|channels-last]
"""
import argparse, json, os, statistics, sys, time
import torch, torch.nn as nn, torch.nn.functional as F, torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_refs as R  # noqa: E402
import torch_ref as T  # noqa: E402

tv = torchvision.models
# registry name -> (builder, task, classes at the registry's default)
MODELS = {
    'mobilenet-v1': (lambda: R.MobileNetV1(10, 1.0), 'classification', 10),
    'mobilenet-v2': (lambda: tv.mobilenet_v2(weights=None, num_classes=10), 'classification', 10),
    'mobilenet-v3-small': (lambda: tv.mobilenet_v3_small(weights=None, num_classes=10), 'classification', 10),
    'mobilenet-v3-large': (lambda: tv.mobilenet_v3_large(weights=None, num_classes=10), 'classification', 10),
    'vgg16': (lambda: tv.vgg16(weights=None, num_classes=10), 'classification', 10),
    'unet': (lambda: R.UNet(2, 1), 'segmentation', 2),
    'unet-mobilenetv2': (lambda: T.UNetMobileNetV2(3), 'segmentation', 3),
    'unet-vgg16': (lambda: R.UNetVGG16(1, True), 'binary', 1),
    'fcn-32s': (lambda: R.FCN(21, 32), 'segmentation', 21),
    'fcn-16s': (lambda: R.FCN(21, 16), 'segmentation', 21),
    'fcn-8s': (lambda: R.FCN(21, 8), 'segmentation', 21),
    'deeplabv3plus-mobilenetv2': (lambda: R.DeepLabV3PlusMobileNetV2(21, 16), 'segmentation', 21),
}


LAYOUTS = {'contiguous': torch.contiguous_format, 'channels-last': torch.channels_last}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', required=True, choices=sorted(MODELS))
    ap.add_argument('--size', type=int, default=128)
    ap.add_argument('--batch', type=int, default=4)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--steps', type=int, default=5)
    ap.add_argument('--warmup-seconds', type=float, default=0.0,
                    help='keep warming up at least this long after the warm-up steps (as the DL4J side does)')
    ap.add_argument('--seconds', type=float, default=0.0,
                    help='keep timing steps at least this long after the timed steps (the median is reported)')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--serve', action='store_true', help='answer timing requests on stdin (see above)')
    ap.add_argument('--memory-format', default='contiguous', choices=sorted(LAYOUTS),
                    help="the network's and the batch's layout (channels-last: NHWC)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    build, task, classes = MODELS[a.model]
    layout = LAYOUTS[a.memory_format]
    m = build().to(memory_format=layout)
    def fresh_batch():
        x = (torch.rand(a.batch, 3, a.size, a.size) * 2 - 1).contiguous(memory_format=layout)
        if task == 'classification':
            y = torch.randint(0, classes, (a.batch,))
        elif task == 'binary':
            y = torch.randint(0, 2, (a.batch, 1, a.size, a.size)).float()
        else:
            y = torch.randint(0, classes, (a.batch, a.size, a.size))
        return x, y
    loss_of = F.binary_cross_entropy_with_logits if task == 'binary' else F.cross_entropy
    opt = torch.optim.Adam([p for p in m.parameters() if p.requires_grad], 1e-3)
    def train_step(batch):
        x, y = batch
        opt.zero_grad()
        loss = loss_of(m(x), y)
        loss.backward()
        opt.step()

    def timed(step, next_batch, warmup, warmup_seconds, steps, seconds):
        until = time.perf_counter() + warmup_seconds
        i = 0
        while i < warmup or time.perf_counter() < until:
            step(next_batch())
            i += 1
        times = []
        stop = time.perf_counter() + seconds
        while len(times) < steps or time.perf_counter() < stop:
            batch = next_batch()
            t = time.perf_counter()
            step(batch)
            times.append(time.perf_counter() - t)
        return statistics.median(times), len(times)

    x, _ = fresh_batch()

    def phase(name, warmup, warmup_seconds, steps, seconds):
        if name not in ('train', 'infer'):
            raise SystemExit(f'unknown phase {name!r}: train or infer')
        if name == 'train':
            m.train()
            return timed(train_step, fresh_batch, warmup, warmup_seconds, steps, seconds)
        # inference: eval mode without gradients on one batch
        m.eval()
        with torch.no_grad():
            return timed(lambda batch: m(batch), lambda: x, warmup, warmup_seconds, steps, seconds)

    if a.serve:
        print(json.dumps({'ready': True, 'model': a.model, 'torch': torch.__version__}), flush=True)
        for line in sys.stdin:
            if line.strip() in ('', 'quit'):
                break
            r = json.loads(line)
            step_s, n = phase(r['phase'], r['warmup'], r['warmup_seconds'], r['steps'], r['seconds'])
            print(json.dumps({'phase': r['phase'], 'step_s': step_s, 'steps': n}), flush=True)
        return
    train, _ = phase('train', a.warmup, a.warmup_seconds, a.steps, a.seconds)
    infer, _ = phase('infer', a.warmup, a.warmup_seconds, a.steps, a.seconds)
    print(json.dumps({'model': a.model, 'size': a.size, 'batch': a.batch, 'train_step_s': train,
                      'infer_step_s': infer, 'train_images_per_s': a.batch / train,
                      'infer_images_per_s': a.batch / infer, 'memory_format': a.memory_format,
                      'torch': torch.__version__}))


if __name__ == '__main__':
    main()
