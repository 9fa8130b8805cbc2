// Softmax, log-softmax and the fused cross-entropy of the DeepRelax CUDA backend.
//
// Design: a tensor is viewed as [outer, len, inner] around the normalised axis; one thread owns one
// (outer, inner) row and walks its len elements with stride inner. The networks here normalise 10
// classes per row, so a thread per row is as fast as anything cleverer and keeps the arithmetic in the
// CPU backend's order: max first, exponentials of x - max summed in double, one division.
// Cross-entropy runs in ONE block: it loops over the batch's rows, writes the probabilities, and sums the
// row losses in a fixed tree, then thread 0 writes the mean; no scratch buffer and no atomics, so it is
// deterministic and needs nothing from the allocator. A label that is not an integer in [0, c) cannot
// throw from a kernel: the row index goes to an int error slot in device memory (atomicMin, so the
// first bad row wins); the host checks the slot as the backend's options say.
// Compiled without fast-math: expf/logf are the accurate (1-2 ulp) versions.

#include "blocksum.cuh"

// -infinity without math.h (NVRTC provides no host headers).
#define NEG_INF __int_as_float(0xff800000)

__device__ void row_base(int r, int len, int inner, long long* base) {
    *base = (long long) (r / inner) * len * inner + r % inner;
}

extern "C" __global__ void softmax_forward(const float* x, float* y, int rows, int len, int inner, int logMode) {
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += blockDim.x * gridDim.x) {
        long long base;
        row_base(r, len, inner, &base);
        float mx = NEG_INF;
        for (int i = 0; i < len; i++) {
            mx = fmaxf(mx, x[base + (long long) i * inner]);
        }
        double sum = 0.0;
        for (int i = 0; i < len; i++) {
            sum += (double) expf(x[base + (long long) i * inner] - mx);
        }
        if (logMode) {
            float lse = (float) log(sum);
            for (int i = 0; i < len; i++) {
                long long k = base + (long long) i * inner;
                y[k] = x[k] - mx - lse;
            }
        } else {
            double inv = 1.0 / sum;
            for (int i = 0; i < len; i++) {
                long long k = base + (long long) i * inner;
                y[k] = (float) ((double) expf(x[k] - mx) * inv);
            }
        }
    }
}

extern "C" __global__ void softmax_backward(const float* y, const float* dy, float* dx, int rows, int len, int inner,
                                            int logMode) {
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += blockDim.x * gridDim.x) {
        long long base;
        row_base(r, len, inner, &base);
        double s = 0.0;
        for (int i = 0; i < len; i++) {
            long long k = base + (long long) i * inner;
            s += logMode ? (double) dy[k] : (double) dy[k] * (double) y[k];
        }
        for (int i = 0; i < len; i++) {
            long long k = base + (long long) i * inner;
            dx[k] = logMode ? (float) ((double) dy[k] - exp((double) y[k]) * s)
                            : (float) ((double) y[k] * ((double) dy[k] - s));
        }
    }
}

// Launch with ONE block of THREADS threads. errorRow: an int initialised by the host to INT_MAX
// (0x7fffffff); a bad label at row r makes it min(errorRow, r).
extern "C" __global__ void __launch_bounds__(THREADS) cross_entropy_forward(const float* logits, const float* labels,
        float* probs, float* loss, int n, int c, int* errorRow) {
    double acc = 0.0;
    for (int r = threadIdx.x; r < n; r += THREADS) {
        const float* row = logits + (long long) r * c;
        float* p = probs + (long long) r * c;
        float label = labels[r];
        int li = (int) label;
        bool valid = label >= 0.0f && label < (float) c && (float) li == label;
        float mx = NEG_INF;
        for (int i = 0; i < c; i++) {
            mx = fmaxf(mx, row[i]);
        }
        double sum = 0.0;
        for (int i = 0; i < c; i++) {
            sum += (double) expf(row[i] - mx);
        }
        double inv = 1.0 / sum;
        for (int i = 0; i < c; i++) {
            p[i] = (float) ((double) expf(row[i] - mx) * inv);
        }
        if (valid) {
            acc += log(sum) - (double) (row[li] - mx);
        } else {
            atomicMin(errorRow, r);
        }
    }
    double total = block_sum(acc);
    if (threadIdx.x == 0) {
        loss[0] = (float) (total / n);
    }
}

// dlogits = gradLoss[0] * (probs - onehot(labels)) / n; gradLoss is read on the device, so the backward
// never waits for the host. An invalid label contributes no one-hot term (the forward flagged it).
extern "C" __global__ void cross_entropy_backward(const float* probs, const float* labels, const float* gradLoss,
                                                  float* dlogits, int n, int c) {
    float scale = gradLoss[0] / (float) n;
    long long total = (long long) n * c;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < total;
         i += (long long) blockDim.x * gridDim.x) {
        int r = (int) (i / c);
        int col = (int) (i % c);
        float label = labels[r];
        float hot = (label == (float) col) ? 1.0f : 0.0f;
        dlogits[i] = scale * (probs[i] - hot);
    }
}
