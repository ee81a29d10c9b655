#!/usr/bin/env python3
"""PyTorch twin of the demo recipe's training step (packages/train/bench/seed-step.ts with recipe "demo"): the
`tiny` preset's generator (16 channels, 7x7 first conv, two 4x4 stride-2 downsamplings, labels tiled at the
bottleneck into a 3x5 merge conv, two 3x5 residual blocks, BatchNorm, mirrored transposed convs) and either its StarGAN
discriminator (`stargan:<levels>`: 4x4 stride-2 convs + LeakyReLU(0.01), src and cls heads) or the temporal one
(`temporal:<c1,c2,...>:<kernel>`: the rows as channels, 1-D convs over time, the first at stride 1 and each later at
stride 2, LeakyReLU(0.01), src and per-patch cls heads of kernel 3). One step = D (LSGAN on real and converted +
softmax classification of real, per patch for the temporal one) then G (LSGAN + classification + 10 x L1 cycle + 5 x
L1 identity), Adam 1e-3.
Usage: python3 tiny_step.py bins frames batch labels discriminator output threads steps [condition]    prints one JSON line
(condition: target, the default, or source-and-target: the source's and the target's one-hot side by side)
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

bins, frames, batch, labels = (int(v) for v in sys.argv[1:5])
discriminator = sys.argv[5].split(":")
output = sys.argv[6]
threads, steps = int(sys.argv[7]), int(sys.argv[8])
both = len(sys.argv) > 9 and sys.argv[9] == "source-and-target"
width = 2 * labels if both else labels
torch.set_num_threads(threads)
torch.manual_seed(0)


def cbr(cin, cout, k, s, p):
    return [nn.Conv2d(cin, cout, k, s, p, bias=False), nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1), nn.ReLU()]


class ResBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.main = nn.Sequential(*cbr(c, c, (3, 5), 1, (1, 2)), nn.Conv2d(c, c, (3, 5), 1, (1, 2), bias=False),
                                  nn.BatchNorm2d(c))

    def forward(self, x):
        return x + self.main(x)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.down = nn.Sequential(*cbr(1, 16, 7, 1, 3), *cbr(16, 32, 4, 2, 1), *cbr(32, 64, 4, 2, 1))
        self.merge = nn.Sequential(*cbr(64 + width, 64, (3, 5), 1, (1, 2)))
        self.res = nn.Sequential(ResBlock(64), ResBlock(64))
        up = []
        for cin, cout in [(64, 32), (32, 16)]:
            up += [nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
        up += [nn.ConvTranspose2d(16, 1, 7, 1, 3)]
        if output == "sigmoid":
            up += [nn.Sigmoid()]
        self.up = nn.Sequential(*up)

    def forward(self, x, c):
        h = self.down(x)
        c = c.view(c.size(0), c.size(1), 1, 1).repeat(1, 1, h.size(2), h.size(3))
        return self.up(self.res(self.merge(torch.cat([h, c], 1))))


class StarGanDiscriminator(nn.Module):
    def __init__(self, levels):
        super().__init__()
        layers, cin, cout = [], 1, 16
        for level in range(levels):
            layers += [nn.Conv2d(cin, cout, 4, 2, 1), nn.LeakyReLU(0.01)]
            cin = cout
            if level < levels - 1:
                cout *= 2
        self.main = nn.Sequential(*layers)
        self.src = nn.Conv2d(cin, 1, 3, 1, 1, bias=False)
        self.cls = nn.Conv2d(cin, labels, (bins // 2 ** levels, frames // 2 ** levels), bias=False)

    def forward(self, x):
        h = self.main(x)
        return self.src(h), self.cls(h).view(x.size(0), -1)


class TemporalDiscriminator(nn.Module):
    def __init__(self, channels, kernel):
        super().__init__()
        layers, cin = [], bins
        for i, cout in enumerate(channels):
            layers += [nn.Conv1d(cin, cout, kernel, 1 if i == 0 else 2, kernel // 2), nn.LeakyReLU(0.01)]
            cin = cout
        self.main = nn.Sequential(*layers)
        self.src = nn.Conv1d(cin, 1, 3, 1, 1, bias=False)
        self.cls = nn.Conv1d(cin, labels, 3, 1, 1, bias=False)

    def forward(self, x):
        # (n, 1, bins, frames) -> (n, bins, frames): every conv spans all rows.
        h = self.main(x.squeeze(1))
        return self.src(h), self.cls(h)


def build_discriminator():
    if discriminator[0] == "stargan":
        return StarGanDiscriminator(int(discriminator[1]))
    return TemporalDiscriminator([int(c) for c in discriminator[1].split(",")], int(discriminator[2]))


G, D = Generator(), build_discriminator()
g_opt = torch.optim.Adam(G.parameters(), 1e-3, betas=(0.5, 0.999))
d_opt = torch.optim.Adam(D.parameters(), 1e-3, betas=(0.5, 0.999))
x = torch.randn(batch, 1, bins, frames)
source = torch.randint(0, labels, (batch,))
target = (source + 1 + torch.randint(0, labels - 1, (batch,))) % labels
one_hot = lambda v: F.one_hot(v, labels).float()
# The generator's condition for from -> to: the target's label, or both side by side.
code = lambda frm, to: torch.cat([one_hot(frm), one_hot(to)], 1) if both else one_hot(to)


def classification(logits, speakers):
    # Per-patch logits (n, labels, patches): every patch classified, the loss their mean.
    if logits.dim() == 3:
        speakers = speakers.unsqueeze(1).expand(-1, logits.size(2))
    return F.cross_entropy(logits, speakers)


def step():
    # D: LSGAN on real and converted, softmax classification of real.
    fake = G(x, code(source, target)).detach()
    src, cls = D(torch.cat([x, fake]))
    real_src, fake_src = src[:batch], src[batch:]
    d_loss = ((real_src - 1) ** 2).mean() + (fake_src ** 2).mean() + classification(cls[:batch], source)
    d_opt.zero_grad()
    d_loss.backward()
    d_opt.step()
    # G: LSGAN + classification of the converted + 10 x L1 cycle + 5 x L1 identity.
    fake = G(x, code(source, target))
    out, logits = D(fake)
    cycle = (x - G(fake, code(target, source))).abs().mean()
    identity = (x - G(x, code(source, source))).abs().mean()
    g_loss = ((out - 1) ** 2).mean() + classification(logits, target) + 10 * cycle + 5 * identity
    g_opt.zero_grad()
    g_loss.backward()
    g_opt.step()


step()
times = []
for _ in range(steps):
    start = time.perf_counter()
    step()
    times.append(time.perf_counter() - start)
times.sort()
count = lambda m: sum(p.numel() for p in m.parameters())
print(json.dumps({"threads": threads, "generatorParameters": count(G), "discriminatorParameters": count(D),
                  "stepSeconds": times[len(times) // 2], "torch": torch.__version__}))
