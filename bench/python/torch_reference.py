"""PyTorch reference for bench/gpu-check.sh: the same calls GpuBench times, on the same GPU.

SGEMM 4096^3 and the first All-CNN-BN convolution ([128, 3, 32, 32] -> 96 filters 3x3, padding 1) forward,
backward-data and backward-filter, fp32 with TF32 off (torch.backends.*.allow_tf32 = False) and cuDNN
autotuning on (benchmark = True, as PyTorch users run it); each timed with CUDA events around one call,
median of N after warm-up. Prints lines "RESULT <case> <median ms> <min ms>", like GpuBench.
"""
import sys

import torch

reps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.backends.cudnn.benchmark = True
dev = torch.device("cuda:0")
print("DEVICE", torch.cuda.get_device_name(0), "torch", torch.__version__, "cudnn", torch.backends.cudnn.version())


def time(fn, warmup=3):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    start = torch.cuda.Event(enable_timing=True)
    end = torch.cuda.Event(enable_timing=True)
    ms = []
    for _ in range(reps):
        start.record()
        fn()
        end.record()
        end.synchronize()
        ms.append(start.elapsed_time(end))
    ms.sort()
    return ms[reps // 2], ms[0]


def report(name, r):
    print("RESULT %s %.4f %.4f" % (name, r[0], r[1]))


n = 4096
a = torch.rand(n, n, device=dev) * 2 - 1
b = torch.rand(n, n, device=dev) * 2 - 1
c = torch.empty(n, n, device=dev)
report("sgemm4096", time(lambda: torch.mm(a, b, out=c)))

x = torch.rand(128, 3, 32, 32, device=dev) * 2 - 1
w = (torch.rand(96, 3, 3, 3, device=dev) * 2 - 1) * 0.1
dy = torch.rand(128, 96, 32, 32, device=dev) * 2 - 1
conv = torch.nn.functional.conv2d
grad_input = torch.nn.grad.conv2d_input
grad_weight = torch.nn.grad.conv2d_weight
report("conv1_fwd", time(lambda: conv(x, w, padding=1)))
report("conv1_bwd_data", time(lambda: grad_input(x.shape, w, dy, padding=1)))
report("conv1_bwd_filter", time(lambda: grad_weight(x, w.shape, dy, padding=1)))


def fwd_bwd():
    conv(x, w, padding=1)
    grad_input(x.shape, w, dy, padding=1)
    grad_weight(x, w.shape, dy, padding=1)


report("conv1_fwd_bwd", time(fwd_bwd))
