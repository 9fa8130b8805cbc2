// Reductions of the DeepRelax CUDA backend.
//
// Design: sums accumulate in double, like the CPU backend, so float inputs of a million elements keep
// about seven significant digits and GPU and CPU agree far inside the test tolerances. Every reduction is
// deterministic: a fixed grid and a fixed tree order in shared memory, no floating-point atomics.
// Whole-tensor sums and dots are two launches: sum_partial/dot_partial write one double per block of a
// fixed-size grid, sum_final adds those in one block and writes one double, which the host copies back
// (the only device-to-host transfer of sum/dot/norm2). reduce_sum_axes gives each output element one
// block whose threads stride over the reduced sub-block (a bias gradient reduces 10^5 values into each of
// 96 outputs: one thread per output would leave the GPU idle). The maximum along an axis gives each
// (outer, inner) position of [outer, len, inner] one thread that walks len in order (the first maximum
// wins, a NaN beats every number), as the CPU does; its backward writes every input gradient element.

#include "blocksum.cuh"

#define MAX_RANK 8

// Reduction of one output element per block: the output's dims, the input's strides, and per axis the
// size of the reduced extent (1 where the axis is kept).
struct AxisReduce {
    int rank;
    int outDims[MAX_RANK];
    int xStrides[MAX_RANK];
    int redDims[MAX_RANK];
    int redCount;
};

extern "C" __global__ void __launch_bounds__(THREADS) reduce_sum_axes(const float* x, float* out, int outSize,
                                                                      AxisReduce s) {
    for (int o = blockIdx.x; o < outSize; o += gridDim.x) {
        long long base = 0;
        int rem = o;
        for (int d = s.rank - 1; d >= 0; d--) {
            int idx = rem % s.outDims[d];
            rem /= s.outDims[d];
            base += (long long) idx * s.xStrides[d];
        }
        double acc = 0.0;
        for (int r = threadIdx.x; r < s.redCount; r += THREADS) {
            long long off = base;
            int rr = r;
            for (int d = s.rank - 1; d >= 0; d--) {
                if (s.redDims[d] > 1) {
                    off += (long long) (rr % s.redDims[d]) * s.xStrides[d];
                    rr /= s.redDims[d];
                }
            }
            acc += (double) x[off];
        }
        double total = block_sum(acc);
        if (threadIdx.x == 0) {
            out[o] = (float) total;
        }
    }
}

extern "C" __global__ void __launch_bounds__(THREADS) sum_partial(const float* x, int n, double* partial) {
    double acc = 0.0;
    for (long long i = (long long) blockIdx.x * THREADS + threadIdx.x; i < n; i += (long long) THREADS * gridDim.x) {
        acc += (double) x[i];
    }
    double total = block_sum(acc);
    if (threadIdx.x == 0) {
        partial[blockIdx.x] = total;
    }
}

extern "C" __global__ void __launch_bounds__(THREADS) dot_partial(const float* x, const float* y, int n,
                                                                  double* partial) {
    double acc = 0.0;
    for (long long i = (long long) blockIdx.x * THREADS + threadIdx.x; i < n; i += (long long) THREADS * gridDim.x) {
        acc += (double) x[i] * (double) y[i];
    }
    double total = block_sum(acc);
    if (threadIdx.x == 0) {
        partial[blockIdx.x] = total;
    }
}

// SAM's norm: partial[block] = sum of (t g)^2 with t = |w| + eta when adaptive (ASAM), else 1; t g is
// rounded to float as the CPU rounds it, the square accumulated in double. sum_final adds the partials.
extern "C" __global__ void __launch_bounds__(THREADS) scaled_squares_partial(const float* w, const float* g, int n,
                                                                             int adaptive, float eta, double* partial) {
    double acc = 0.0;
    for (long long i = (long long) blockIdx.x * THREADS + threadIdx.x; i < n; i += (long long) THREADS * gridDim.x) {
        float tg = adaptive ? (fabsf(w[i]) + eta) * g[i] : g[i];
        acc += (double) tg * (double) tg;
    }
    double total = block_sum(acc);
    if (threadIdx.x == 0) {
        partial[blockIdx.x] = total;
    }
}

// One block: out[0] = sum of partial[0 .. count).
extern "C" __global__ void __launch_bounds__(THREADS) sum_final(const double* partial, int count, double* out) {
    double acc = 0.0;
    for (int i = threadIdx.x; i < count; i += THREADS) {
        acc += partial[i];
    }
    double total = block_sum(acc);
    if (threadIdx.x == 0) {
        out[0] = total;
    }
}

// values[o, i] = max_j x[o, j, i], indices[o, i] = the first j attaining it, over [outer, len, inner].
extern "C" __global__ void max_along_axis(const float* x, float* values, float* indices, int outer, int len,
                                          int inner) {
    long long n = (long long) outer * inner;
    for (long long p = (long long) blockIdx.x * blockDim.x + threadIdx.x; p < n; p += (long long) blockDim.x * gridDim.x) {
        long long base = (p / inner) * len * inner + p % inner;
        float best = x[base];
        int where = 0;
        for (int j = 1; j < len; j++) {
            float v = x[base + (long long) j * inner];
            if (v > best || (v != v && best == best)) {
                best = v;
                where = j;
            }
        }
        values[p] = best;
        indices[p] = (float) where;
    }
}

// dx[o, j, i] = j == indices[o, i] ? dy[o, i] : 0, one thread per element of dx.
extern "C" __global__ void max_along_axis_backward(const float* indices, const float* dy, float* dx, int outer,
                                                   int len, int inner) {
    long long n = (long long) outer * len * inner;
    for (long long e = (long long) blockIdx.x * blockDim.x + threadIdx.x; e < n; e += (long long) blockDim.x * gridDim.x) {
        long long o = e / ((long long) len * inner);
        int j = (int) ((e / inner) % len);
        long long p = o * inner + e % inner;
        dx[e] = indices[p] == (float) j ? dy[p] : 0.0f;
    }
}
