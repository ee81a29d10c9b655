#!/usr/bin/env python3
"""PyTorch twin of packages/train/bench/seed-step.ts: the seed preset's generator (record 31f31449) and the StarGAN
discriminator, one training step = D step (WGAN-GP + classification) then G step (adversarial +
classification + L1 cycle), batch 2, 256 x 256, 1479 labels, RMSprop. Prints JSON: parameter counts and the
median step time. Usage: python3 stargan_step.py [threads] [steps]
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)
L = 1479


def cbr(cin, cout, k, s, p):
    return [nn.Conv2d(cin, cout, k, s, p, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class ResBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.main = nn.Sequential(nn.Conv2d(c, c, (3, 5), 1, (1, 2), bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True),
                                  nn.Conv2d(c, c, (3, 5), 1, (1, 2), bias=False), nn.BatchNorm2d(c))

    def forward(self, x):
        return x + self.main(x)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.down = nn.Sequential(*cbr(1, 32, 7, 1, 3), *cbr(32, 64, 4, 2, 1), *cbr(64, 128, 4, 2, 1), *cbr(128, 256, 4, 2, 1))
        self.merge = nn.Sequential(*cbr(256 + L, 256, (3, 5), 1, (1, 2)))
        self.res = nn.Sequential(*[ResBlock(256) for _ in range(6)])
        up = []
        for cin, cout in [(256, 128), (128, 64), (64, 32)]:
            up += [nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
        up += [nn.ConvTranspose2d(32, 1, 7, 1, 3), nn.Sigmoid()]
        self.up = nn.Sequential(*up)

    def forward(self, x, c):
        h = self.down(x)
        c = c.view(c.size(0), c.size(1), 1, 1).repeat(1, 1, h.size(2), h.size(3))
        return self.up(self.res(self.merge(torch.cat([h, c], 1))))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        layers, cin, cout = [], 1, 64
        for _ in range(6):
            layers += [nn.Conv2d(cin, cout, 4, 2, 1), nn.LeakyReLU(0.01)]
            cin, cout = cout, cout * 2
        self.main = nn.Sequential(*layers)
        self.src = nn.Conv2d(cin, 1, 3, 1, 1, bias=False)
        self.cls = nn.Conv2d(cin, L, 4, bias=False)

    def forward(self, x):
        h = self.main(x)
        return self.src(h), self.cls(h).view(x.size(0), -1)


G, D = Generator(), Discriminator()
g_opt = torch.optim.RMSprop(G.parameters(), 1e-5)
d_opt = torch.optim.RMSprop(D.parameters(), 1e-5)
x = torch.rand(2, 1, 256, 256)
org = (torch.rand(2, L) < 0.01).float()
trg = (torch.rand(2, L) < 0.01).float()


def step():
    # D: WGAN-GP + classification on real.
    src_real, cls_real = D(x)
    fake = G(x, trg).detach()
    src_fake, _ = D(fake)
    alpha = torch.rand(2, 1, 1, 1)
    x_hat = (alpha * x + (1 - alpha) * fake).requires_grad_(True)
    src_hat, _ = D(x_hat)
    grad = torch.autograd.grad(src_hat, x_hat, torch.ones_like(src_hat), retain_graph=True, create_graph=True)[0]
    gp = ((grad.view(2, -1).norm(2, dim=1) - 1) ** 2).mean()
    d_loss = -src_real.mean() + src_fake.mean() + F.binary_cross_entropy_with_logits(cls_real, org) + 10 * gp
    d_opt.zero_grad()
    d_loss.backward()
    d_opt.step()
    # G: adversarial + classification + L1 cycle.
    fake = G(x, trg)
    src, cls = D(fake)
    rec = G(fake, org)
    g_loss = -src.mean() + F.binary_cross_entropy_with_logits(cls, trg) + 10 * (x - rec).abs().mean()
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
