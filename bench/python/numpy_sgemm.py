#!/usr/bin/env python3
"""Times numpy's float32 matrix multiply C = A @ B for square sizes and prints GFLOP/s (2n^3 / time).

Usage: numpy_sgemm.py [--sizes 256,512,1024,2048] [--seconds 4] [--warmup 1]

For each size it warms up, then runs for about --seconds and reports the mean time per multiply
(comparable with JMH's average-time score) and the best single time. The last lines are
machine-readable, one per size:

    NUMPY n=1024 ms=5.432 best_ms=5.101 gflops=395.34

Run it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (env -u ...): when set, they can make
OpenBLAS pick a slower kernel or blocking than it would detect on its own.
"""
import argparse
import ctypes
import glob
import os
import sys
import time

import numpy as np


def openblas_info():
    """Describes the BLAS numpy uses and, when it is OpenBLAS, the core kernel it picked."""
    lines = []
    try:
        from threadpoolctl import threadpool_info  # optional; used when installed
        for lib in threadpool_info():
            lines.append("threadpoolctl: %s %s, architecture %s, %s threads" % (
                lib.get("internal_api"), lib.get("version"), lib.get("architecture"), lib.get("num_threads")))
    except ImportError:
        pass
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        lines.append("numpy %s, BLAS %s %s (%s)" % (np.__version__, blas.get("name"), blas.get("version"),
                                                     blas.get("openblas configuration", "")))
    except Exception:  # older numpy without mode="dicts"
        lines.append("numpy %s" % np.__version__)
    # Without threadpoolctl, ask the loaded OpenBLAS library itself which core it selected.
    libs = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                name = os.path.basename(path).lower()
                if "openblas" in name and ".so" in name:
                    libs.add(path)
    except OSError:
        pass
    libs |= set(glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*")))
    for path in sorted(libs):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas", "64_"), ("openblas", ""), ("openblas", "64_")):
            try:
                core = getattr(lib, "%s_get_corename%s" % (prefix, suffix))
                threads = getattr(lib, "%s_get_num_threads%s" % (prefix, suffix))
            except AttributeError:
                continue
            core.restype = ctypes.c_char_p
            lines.append("OpenBLAS core kernel: %s, %d threads (%s)" % (
                core().decode(), threads(), os.path.basename(path)))
            return lines
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="256,512,1024,2048")
    parser.add_argument("--seconds", type=float, default=4.0, help="measured time per size")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up time per size")
    args = parser.parse_args()

    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            print("note: %s=%s is set and may slow OpenBLAS down" % (var, os.environ[var]), file=sys.stderr)
    for line in openblas_info():
        print(line)

    rng = np.random.default_rng(42)
    results = []
    for n in [int(s) for s in args.sizes.split(",")]:
        a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        c = np.empty((n, n), dtype=np.float32)
        end = time.perf_counter() + args.warmup
        while time.perf_counter() < end:
            np.matmul(a, b, out=c)
        times = []
        end = time.perf_counter() + args.seconds
        while time.perf_counter() < end or len(times) < 3:
            t = time.perf_counter()
            np.matmul(a, b, out=c)
            times.append(time.perf_counter() - t)
        mean = sum(times) / len(times)
        results.append((n, mean, min(times), 2.0 * n ** 3 / mean / 1e9))
        print("n=%5d  %8.3f ms/op (best %8.3f)  %7.1f GFLOP/s  (%d runs)" % (
            n, mean * 1e3, min(times) * 1e3, 2.0 * n ** 3 / mean / 1e9, len(times)))
    for n, mean, best, gflops in results:
        print("NUMPY n=%d ms=%.3f best_ms=%.3f gflops=%.2f" % (n, mean * 1e3, best * 1e3, gflops))


if __name__ == "__main__":
    main()
