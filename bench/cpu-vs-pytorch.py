#!/usr/bin/env python3
"""DeepRelax's CPU backend beside PyTorch on the CPU, in one sitting, paired round by round.

Usage:
    bench/cpu-vs-pytorch.py [--rounds 2] [--threads N] [--models mnistfc,lenet,allcnn]
                            [--rows sgd,esgd,langevin] [--out FILE]

Rows, each at batch 128 in training mode (dropout and batch-norm on), the same networks on both sides:
  sgd       one SGD step: forward, cross-entropy, backward, Nesterov momentum update.
            Ours: JMH TrainStepBenchmark.step.
  esgd      one Entropy-SGD inner step: forward, backward and the Langevin update of the reference
            code (ucla-vision python/optim.py: Nesterov momentum on the raw gradient, coupling, noise
            eps/sqrt(0.5 lr'), then the average), PyTorch per parameter tensor as that code does it.
            Ours: JMH TrainStepBenchmark.entropySgdStep (L inner steps and the outer step) divided by L.
  langevin  the inner step's update alone over the network's parameters: PyTorch's per-tensor update
            beside ours, the fused one-pass LangevinBenchmark.fusedInnerStep over an arena of the same
            size, and that benchmark's copy floor (the 32 bytes a parameter the step must move).

Each round runs, for every network, one side and then the other, and the next round swaps the order,
so both sides of a row see the machine within a minute of each other; the ratio is taken per round and
the table shows each round's ratio, their median and range. Both sides use --threads threads (default:
every core): PyTorch through torch.set_num_threads and OMP_NUM_THREADS / OPENBLAS_NUM_THREADS, DeepRelax
through -Ddeeprelax.threads.

Before timing anything it checks that the PyTorch networks are ours: the layer list and every
parameter and buffer shape, in order, against bench's NetworkSpec, and stops on any difference.

The PyTorch side needs Debian's python3-torch and OpenBLAS (apt-get install python3-torch
libopenblas0-pthread); the script finds a python3 that imports torch (this one, else /usr/bin/python3)
and says what to install if none does. JDK 25 comes from JAVA_HOME or /usr/lib/jvm/temurin-25*; the
benchmark jar is rebuilt with Maven when a source is newer.
"""
import argparse
import csv
import glob
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = os.path.join(ROOT, "bench", "target", "benchmarks.jar")
BATCH = 128
INPUT = {"mnistfc": (1, 28, 28), "lenet": (1, 28, 28), "allcnn": (3, 32, 32)}
# Inner steps per timed Entropy-SGD step on our side. All-CNN-BN takes 5 so that one JMH operation stays
# under half a minute; the outer update it amortises is one pass over the arena (milliseconds against
# seconds), so the per-inner-step time moves by well under 1 %.
INNER_STEPS = {"mnistfc": 20, "lenet": 20, "allcnn": 5}
# The reference code's inner loop: lr' = 0.1, Nesterov momentum 0.9, gamma = 1e-4, noise 1e-4 as
# eps/sqrt(0.5 lr'), average weight 0.25; the same values as TrainStepBenchmark's Entropy-SGD.
INNER_LR, MOMENTUM, GAMMA, NOISE, ALPHA = 0.1, 0.9, 1e-4, 1e-4, 0.25
INSTALL = "apt-get install python3-torch libopenblas0-pthread"


# ---- the PyTorch side (runs in a python3 that imports torch, one process per measurement) -------------

def torch_networks():
    import torch.nn as nn

    def mnistfc(p=0.2):
        return nn.Sequential(nn.Flatten(), nn.Dropout(p),
                             nn.Linear(784, 1024), nn.ReLU(), nn.BatchNorm1d(1024), nn.Dropout(p),
                             nn.Linear(1024, 1024), nn.ReLU(), nn.BatchNorm1d(1024), nn.Dropout(p),
                             nn.Linear(1024, 10))

    def lenet(p=0.25):
        return nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(3, 3), nn.BatchNorm2d(20), nn.Dropout(p),
                             nn.Conv2d(20, 50, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.BatchNorm2d(50), nn.Dropout(p),
                             nn.Flatten(), nn.Linear(200, 500), nn.ReLU(), nn.Dropout(p), nn.Linear(500, 10))

    def conv_bn_relu(cin, cout, k, stride, pad):   # no bias before batch-norm, as ours
        return nn.Sequential(nn.Conv2d(cin, cout, k, stride, pad, bias=False), nn.BatchNorm2d(cout), nn.ReLU())

    def allcnn():
        return nn.Sequential(nn.Dropout(0.2),
                             conv_bn_relu(3, 96, 3, 1, 1), conv_bn_relu(96, 96, 3, 1, 1), conv_bn_relu(96, 96, 3, 2, 1),
                             nn.Dropout(0.5),
                             conv_bn_relu(96, 192, 3, 1, 1), conv_bn_relu(192, 192, 3, 1, 1),
                             conv_bn_relu(192, 192, 3, 2, 1),
                             nn.Dropout(0.5),
                             conv_bn_relu(192, 192, 3, 1, 1), conv_bn_relu(192, 192, 3, 1, 1),
                             conv_bn_relu(192, 10, 1, 1, 0),
                             nn.AvgPool2d(8), nn.Flatten())

    return {"mnistfc": mnistfc, "lenet": lenet, "allcnn": allcnn}


def describe(module):
    """One torch leaf module in the words of DeepRelax's toString()."""
    import torch.nn as nn
    m = module
    if isinstance(m, nn.Conv2d):
        return "Conv2d(%d → %d, %d×%d, stride %d, pad %d)" % (m.in_channels, m.out_channels, m.kernel_size[0],
                                                             m.kernel_size[1], m.stride[0], m.padding[0])
    if isinstance(m, nn.Linear):
        return "Linear(%d → %d)" % (m.in_features, m.out_features)
    if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
        return "%s(%d, stride %d)" % (type(m).__name__, as_int(m.kernel_size), as_int(m.stride))
    if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        return "%s(%d)" % (type(m).__name__, m.num_features)
    if isinstance(m, nn.Dropout):
        return "Dropout(%s)" % m.p
    return type(m).__name__


def as_int(v):
    return v[0] if isinstance(v, (tuple, list)) else v


def worker_spec(models):
    """Prints each network as NetworkSpec prints ours."""
    import torch
    for name in models:
        net = torch_networks()[name]()
        for m in net.modules():
            if len(list(m.children())) == 0:
                print("LAYER", name, describe(m))
        for m in net.modules():
            for _, p in m.named_parameters(recurse=False):
                print("PARAM", name, list(p.shape))
            for bname, b in m.named_buffers(recurse=False):
                if bname != "num_batches_tracked":     # PyTorch's step counter; no numbers of ours
                    print("BUFFER", name, list(b.shape))
        print("COUNT", name, sum(p.numel() for p in net.parameters()))


class ReferenceInnerUpdate:
    """The reference code's Langevin update, per parameter tensor, as it writes it (about ten in-place
    operations and one temporary per tensor)."""

    def __init__(self, params):
        import torch
        self.params = params
        self.anchor = [p.detach().clone() for p in params]
        self.average = [p.detach().clone() for p in params]
        self.momentum = [torch.zeros_like(p) for p in params]
        self.eta = [torch.empty_like(p) for p in params]

    def __call__(self):
        import torch
        with torch.no_grad():
            for w, x, m, mu, eta in zip(self.params, self.anchor, self.momentum, self.average, self.eta):
                dw = w.grad
                m.mul_(MOMENTUM).add_(dw)                   # momentum on the raw gradient
                dw.add_(m, alpha=MOMENTUM)                  # Nesterov
                eta.normal_()
                dw.add_(x - w, alpha=-GAMMA).add_(eta, alpha=NOISE / (0.5 * INNER_LR) ** 0.5)
                w.add_(dw, alpha=-INNER_LR)
                mu.mul_(1 - ALPHA).add_(w, alpha=ALPHA)


def timed(fn, warmup, seconds, least):
    """Mean, median and count of fn's wall time in ms, after warmup calls, over about `seconds`."""
    for _ in range(warmup):
        fn()
    times = []
    end = time.perf_counter() + seconds
    while len(times) < least or time.perf_counter() < end:
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.mean(times), statistics.median(times), len(times)


def worker_time(name, rows, threads, seconds):
    import torch
    import torch.nn as nn
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net = torch_networks()[name]().train()
    x = torch.randn(BATCH, *INPUT[name])
    y = torch.arange(BATCH) % 10
    loss_fn = nn.CrossEntropyLoss()
    slow = name == "allcnn"
    warmup, least = (2, 3) if slow else (5, 10)
    params = list(net.parameters())
    if "sgd" in rows:
        opt = torch.optim.SGD(params, lr=0.01, momentum=0.9, nesterov=True)

        def sgd_step():
            opt.zero_grad()
            loss_fn(net(x), y).backward()
            opt.step()
        report(name, "sgd", timed(sgd_step, warmup, seconds, least))
    update = ReferenceInnerUpdate(params)
    if "esgd" in rows:
        def inner_step():
            for p in params:
                p.grad = None
            loss_fn(net(x), y).backward()
            update()
        report(name, "esgd", timed(inner_step, warmup, seconds, least))
    if "langevin" in rows:
        for p in params:
            p.grad = torch.randn_like(p)
        report(name, "langevin", timed(update, 20, min(seconds, 4), 50))


def report(name, row, stats):
    mean, median, n = stats
    print("TORCH %s %s mean_ms=%.4f median_ms=%.4f n=%d" % (name, row, mean, median, n), flush=True)


def worker_info(threads):
    """Which PyTorch, BLAS and threads ran, as one line."""
    import torch
    torch.set_num_threads(threads)
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))   # loads the BLAS
    blas = "unknown BLAS"
    with open("/proc/self/maps") as maps:
        libs = sorted({line.split()[-1] for line in maps if "blas" in line.split()[-1]})
    for lib in libs:
        try:
            import ctypes
            h = ctypes.CDLL(lib)
            h.openblas_get_config.restype = ctypes.c_char_p
            blas = "%s (%s, %d threads)" % (h.openblas_get_config().decode(), os.path.realpath(lib),
                                           h.openblas_get_num_threads())
            break
        except (OSError, AttributeError):
            blas = os.path.realpath(lib)
    cpu = [line.split(":", 1)[1].strip() for line in torch.__config__.show().splitlines() if "CPU capability" in line]
    dnn = [line.strip(" -") for line in torch.__config__.show().splitlines() if "MKL-DNN" in line or "oneDNN" in line]
    print("TORCHINFO PyTorch %s; %s; oneDNN: %s; CPU capability %s; torch threads %d" % (
        torch.__version__, blas, dnn[0] if dnn else "none", cpu[0] if cpu else "?", torch.get_num_threads()))


def worker(argv):
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["spec", "time", "info"])
    p.add_argument("--models", default="mnistfc,lenet,allcnn")
    p.add_argument("--rows", default="sgd,esgd")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--seconds", type=float, default=8)
    a = p.parse_args(argv)
    models = a.models.split(",")
    if a.what == "spec":
        worker_spec(models)
    elif a.what == "info":
        worker_info(a.threads)
    else:
        for m in models:
            worker_time(m, a.rows.split(","), a.threads, a.seconds)


# ---- the driver --------------------------------------------------------------------------------------

def torch_python():
    for py in [sys.executable, "/usr/bin/python3"]:
        if os.path.exists(py) and subprocess.run([py, "-c", "import torch"], capture_output=True).returncode == 0:
            return py
    sys.exit("cpu-vs-pytorch: no python3 here imports torch; install Debian's PyTorch and OpenBLAS:\n    " + INSTALL)


def java():
    home = os.environ.get("JAVA_HOME")
    candidates = ([home] if home else []) + sorted(glob.glob("/usr/lib/jvm/temurin-25*"))
    for h in candidates:
        exe = os.path.join(h, "bin", "java")
        if os.path.exists(exe) and 'version "25' in subprocess.run([exe, "-version"], capture_output=True,
                                                                   text=True).stderr:
            return h
    sys.exit("cpu-vs-pytorch: no JDK 25 (set JAVA_HOME)")


def build_if_stale(jdk):
    sources = [f for d in ["core/src", "nn/src", "optim/src", "bench/src"] for f in
               glob.glob(os.path.join(ROOT, d, "**", "*.java"), recursive=True)]
    sources += glob.glob(os.path.join(ROOT, "*", "pom.xml")) + [os.path.join(ROOT, "pom.xml")]
    if os.path.exists(JAR) and all(os.path.getmtime(f) <= os.path.getmtime(JAR) for f in sources):
        return
    print("== building", JAR, flush=True)
    env = dict(os.environ, JAVA_HOME=jdk, MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow")
    subprocess.run(["mvn", "-q", "-B", "-DskipTests", "-pl", "bench", "-am", "package"], cwd=ROOT, env=env,
                   check=True)


def jvm_flags(threads):
    return ["--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
            "-Ddeeprelax.threads=%d" % threads]


def check_networks(py, jdk, models, env):
    ours = subprocess.run([os.path.join(jdk, "bin", "java")] + jvm_flags(1) + ["-cp", JAR,
                          "org.deeprelax.bench.NetworkSpec"] + models, capture_output=True, text=True, check=True)
    theirs = subprocess.run([py, __file__, "--worker", "spec", "--models", ",".join(models)], capture_output=True,
                            text=True, check=True, env=env)
    a = [l for l in ours.stdout.splitlines() if l.split(" ", 1)[0] in ("LAYER", "PARAM", "BUFFER", "COUNT")]
    b = theirs.stdout.splitlines()
    if a != b:
        diff = [("ours:    " + x, "PyTorch: " + y) for x, y in zip(a, b) if x != y][:5]
        sys.exit("cpu-vs-pytorch: the PyTorch networks differ from ours (%d vs %d lines); first differences:\n%s"
                 % (len(a), len(b), "\n".join("  %s\n  %s" % d for d in diff)))
    counts = {l.split()[1]: int(l.split()[2]) for l in a if l.startswith("COUNT")}
    print("== networks checked layer by layer against NetworkSpec:",
          ", ".join("%s %d layers, %d parameters" % (m, sum(1 for l in a if l.startswith("LAYER " + m + " ")),
                                                      counts[m]) for m in models), flush=True)
    return counts


def run_torch(py, env, model, rows, threads, seconds):
    out = subprocess.run([py, __file__, "--worker", "time", "--models", model, "--rows", ",".join(rows),
                          "--threads", str(threads), "--seconds", str(seconds)],
                         capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit("cpu-vs-pytorch: the PyTorch side failed:\n" + out.stderr)
    res = {}
    for line in out.stdout.splitlines():
        if line.startswith("TORCH "):
            f = line.split()
            res[f[2]] = float(f[3].split("=")[1])
    return res


def run_jmh(jdk, args, threads, expected):
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as tmp:
        path = tmp.name
    cmd = [os.path.join(jdk, "bin", "java")] + jvm_flags(threads) + ["-jar", JAR] + args + [
        "-jvmArgsAppend", " ".join(jvm_flags(threads)), "-rf", "csv", "-rff", path]
    out = subprocess.run(cmd, capture_output=True, text=True)
    rows = list(csv.DictReader(open(path))) if os.path.getsize(path) else []
    os.unlink(path)
    # JMH exits 0 when a benchmark throws, and leaves that benchmark out of its results.
    if out.returncode != 0 or len(rows) != expected:
        sys.exit("cpu-vs-pytorch: JMH failed (%s; %d of %d results):\n%s" % (" ".join(cmd), len(rows), expected,
                 out.stdout[-3000:] + out.stderr[-3000:]))
    return rows


def run_ours(jdk, model, rows, threads):
    slow = model == "allcnn"
    # All-CNN-BN's step takes seconds, so each JMH iteration is one call; its first calls run before the
    # kernels are compiled (6.5-8 s, later ones 3-5.5 s), so one warm-up call left the measured ones cold.
    timing = ["-f", "1", "-wi", "3", "-w", "1s", "-i", "4", "-r", "1s"] if slow else \
        ["-f", "1", "-wi", "3", "-w", "2s", "-i", "5", "-r", "2s"]
    pattern = "TrainStepBenchmark\\.(%s)$" % "|".join({"sgd": "step", "esgd": "entropySgdStep"}[r] for r in rows)
    res = {}
    for r in run_jmh(jdk, [pattern, "-p", "model=" + model, "-p", "innerSteps=%d" % INNER_STEPS[model]] + timing,
                     threads, len(rows)):
        score = float(r["Score"])
        if r["Benchmark"].endswith(".step"):
            res["sgd"] = score
        else:
            res["esgd"] = score / INNER_STEPS[model]
    return res


def run_langevin(jdk, counts, threads):
    sizes = ",".join(str(counts[m]) for m in counts)
    res = {}
    for r in run_jmh(jdk, ["LangevinBenchmark", "-p", "size=" + sizes, "-f", "1", "-wi", "5", "-w", "1s", "-i", "6",
                           "-r", "1s"], threads, 2 * len(counts)):
        size = int(r["Param: size"])
        kind = "fused" if r["Benchmark"].endswith("fusedInnerStep") else "copy"
        res[(size, kind)] = float(r["Score"]) / 1e3      # µs → ms
    return res


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2:])
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=2, help="rounds of every row, the order of the two sides swapped each round (default 2)")
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="threads on both sides (default: every core, here %(default)s)")
    p.add_argument("--models", default="mnistfc,lenet,allcnn", help="networks, comma-separated, of mnistfc, lenet, allcnn (default: all)")
    p.add_argument("--rows", default="sgd,esgd,langevin", help="rows, comma-separated, of sgd, esgd, langevin (default: all; see the top of this file)")
    p.add_argument("--seconds", type=float, default=8, help="timed seconds per PyTorch row (All-CNN-BN: 3 steps or more)")
    p.add_argument("--out", help="also write the table to this file")
    a = p.parse_args()
    models, rows = a.models.split(","), a.rows.split(",")
    py, jdk = torch_python(), java()
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads), OPENBLAS_NUM_THREADS=str(a.threads))
    build_if_stale(jdk)
    counts = check_networks(py, jdk, models, env)
    info = subprocess.run([py, __file__, "--worker", "info", "--threads", str(a.threads)], capture_output=True,
                          text=True, env=env, check=True).stdout.strip().replace("TORCHINFO ", "")
    jv = subprocess.run([os.path.join(jdk, "bin", "java"), "-version"], capture_output=True, text=True).stderr
    print("== PyTorch side:", info, flush=True)
    results = {}   # (model, row) -> list of (ours_ms, torch_ms) per round
    step_rows = [r for r in rows if r in ("sgd", "esgd")]
    for rnd in range(a.rounds):
        for i, model in enumerate(models):
            if not step_rows:
                break
            torch_first = (rnd + i) % 2 == 0
            for side in (["torch", "ours"] if torch_first else ["ours", "torch"]):
                t0 = time.time()
                if side == "torch":
                    torch_res = run_torch(py, env, model, step_rows, a.threads, a.seconds)
                else:
                    our_res = run_ours(jdk, model, step_rows, a.threads)
                print("== round %d, %s, %s: %s (%.0f s)" % (rnd + 1, model, side,
                      ", ".join("%s %.2f ms" % kv for kv in (torch_res if side == "torch" else our_res).items()),
                      time.time() - t0), flush=True)
            for r in step_rows:
                results.setdefault((model, r), []).append((our_res[r], torch_res[r]))
        if "langevin" in rows:
            sides = ["torch", "ours"] if rnd % 2 == 0 else ["ours", "torch"]
            for side in sides:
                if side == "torch":
                    tl = {m: run_torch(py, env, m, ["langevin"], a.threads, a.seconds)["langevin"] for m in models}
                else:
                    ol = run_langevin(jdk, {m: counts[m] for m in models}, a.threads)
            for m in models:
                results.setdefault((m, "langevin"), []).append((ol[(counts[m], "fused")], tl[m],
                                                                ol[(counts[m], "copy")]))
            print("== round %d, langevin: %s" % (rnd + 1, ", ".join(
                "%s ours %.3f / PyTorch %.3f / copy %.3f ms" % ((m,) + results[(m, "langevin")][-1]) for m in models)),
                flush=True)
    table = render(results, models, rows, counts, a, info, jv.splitlines()[0])
    print()
    print(table)
    if a.out:
        with open(a.out, "w") as f:
            f.write(table + "\n")


NAMES = {"mnistfc": "mnistfc", "lenet": "LeNet", "allcnn": "All-CNN-BN"}
ROWS = {"sgd": "SGD step", "esgd": "Entropy-SGD inner step", "langevin": "Langevin update alone"}


def render(results, models, rows, counts, a, info, jv):
    def ms(v):
        return "%.3g" % v if v < 100 else "%.0f" % v
    n = a.rounds
    lines = ["DeepRelax CPU (%s, -Ddeeprelax.threads=%d) against %s; %d rounds, %d cores (%s)." % (
        jv.strip(), a.threads, info, n, os.cpu_count(), cpu_name()),
        "Times are ms per step; ratio = ours / PyTorch in the same round (below 1: ours is faster).", ""]
    lines.append("| network | row | ours, ms (rounds) | PyTorch, ms (rounds) | ratio per round | median ratio |")
    lines.append("|---|---|---|---|---|---|")
    for m in models:
        for r in rows:
            if (m, r) not in results:
                continue
            pairs = results[(m, r)]
            ratios = [p[0] / p[1] for p in pairs]
            lines.append("| %s | %s | %s | %s | %s | **%.2f** |" % (
                NAMES[m], ROWS[r], " / ".join(ms(p[0]) for p in pairs), " / ".join(ms(p[1]) for p in pairs),
                " / ".join("%.2f" % x for x in ratios), statistics.median(ratios)))
    if "langevin" in rows:
        lines += ["", "The Langevin update alone against its copy floor (32 bytes a parameter moved by copies, same run):",
                  "", "| network | parameters | fused step, ms | copy floor, ms | fused / floor | PyTorch per-tensor / floor |",
                  "|---|---|---|---|---|---|"]
        for m in models:
            pairs = results[(m, "langevin")]
            lines.append("| %s | %d | %s | %s | %s | %s |" % (
                NAMES[m], counts[m], " / ".join(ms(p[0]) for p in pairs), " / ".join(ms(p[2]) for p in pairs),
                " / ".join("%.2f" % (p[0] / p[2]) for p in pairs), " / ".join("%.1f" % (p[1] / p[2]) for p in pairs)))
    return "\n".join(lines)


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    main()
