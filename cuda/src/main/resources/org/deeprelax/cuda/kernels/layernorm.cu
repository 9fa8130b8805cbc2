// Layer normalisation of the DeepRelax CUDA backend, over the rows of x viewed as [rows, cols].
//
// Design: the forward gives each row one block; its threads stride over the row's cols elements, the
// mean and then the biased variance (two passes, no E[x^2] - E[x]^2 cancellation) are block sums in
// double, and every thread then writes its elements of y. The row's mean and 1/sqrt(var + eps) are
// saved for the backward. The backward's input gradient is per row too (two more block sums:
// sum of g = dy*gamma and of g*xhat); the scale and shift gradients are column sums over the rows, one
// thread per column walking the rows in order, so all of it is deterministic and needs no atomics.
// The arithmetic is the CPU backend's (CpuLayerNorm): double accumulation, one rounding per output.

#include "blocksum.cuh"

extern "C" __global__ void __launch_bounds__(THREADS) layer_norm_forward(const float* x, const float* gamma,
        const float* beta, float* y, float* mean, float* invStd, int rows, int cols, float eps) {
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* xr = x + (long long) r * cols;
        double s = 0.0;
        for (int c = threadIdx.x; c < cols; c += THREADS) {
            s += (double) xr[c];
        }
        double mu = block_sum(s) / cols;
        double ss = 0.0;
        for (int c = threadIdx.x; c < cols; c += THREADS) {
            double d = (double) xr[c] - mu;
            ss += d * d;
        }
        double inv = 1.0 / sqrt(block_sum(ss) / cols + (double) eps);
        float* yr = y + (long long) r * cols;
        for (int c = threadIdx.x; c < cols; c += THREADS) {
            yr[c] = (float) (((double) xr[c] - mu) * inv * (double) gamma[c] + (double) beta[c]);
        }
        if (threadIdx.x == 0) {
            mean[r] = (float) mu;
            invStd[r] = (float) inv;
        }
    }
}

// dx = invStd * (g - mean(g) - xhat * mean(g * xhat)) per row, g = dy * gamma.
extern "C" __global__ void __launch_bounds__(THREADS) layer_norm_backward_data(const float* x, const float* dy,
        const float* gamma, const float* mean, const float* invStd, float* dx, int rows, int cols) {
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* xr = x + (long long) r * cols;
        const float* dyr = dy + (long long) r * cols;
        double mu = mean[r];
        double inv = invStd[r];
        double sum = 0.0, dot = 0.0;
        for (int c = threadIdx.x; c < cols; c += THREADS) {
            double g = (double) dyr[c] * (double) gamma[c];
            sum += g;
            dot += g * ((double) xr[c] - mu) * inv;
        }
        double meanG = block_sum(sum) / cols;
        double meanGx = block_sum(dot) / cols;
        float* dxr = dx + (long long) r * cols;
        for (int c = threadIdx.x; c < cols; c += THREADS) {
            double g = (double) dyr[c] * (double) gamma[c];
            double xhat = ((double) xr[c] - mu) * inv;
            dxr[c] = (float) (inv * (g - meanG - xhat * meanGx));
        }
    }
}

// dgamma[c] = sum_r dy[r, c] * xhat[r, c], dbeta[c] = sum_r dy[r, c]; one thread per column.
extern "C" __global__ void layer_norm_backward_params(const float* x, const float* dy, const float* mean,
        const float* invStd, float* dgamma, float* dbeta, int rows, int cols) {
    for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < cols; c += blockDim.x * gridDim.x) {
        double sg = 0.0, sb = 0.0;
        for (int r = 0; r < rows; r++) {
            double g = dy[(long long) r * cols + c];
            sg += g * ((double) x[(long long) r * cols + c] - (double) mean[r]) * (double) invStd[r];
            sb += g;
        }
        dgamma[c] = (float) sg;
        dbeta[c] = (float) sb;
    }
}
