// Fused optimizer updates of the DeepRelax CUDA backend: one pass over a flat parameter arena per step.
//
// Design: each kernel reads every operand once and writes every result once (a grid-stride loop, one
// element per thread), so an update costs its memory traffic and one launch however many parameter
// tensors the model has. The formulas are CpuUpdates' exactly, in the same float operation order
// (compiled with --fmad=false so no multiply-add is contracted), hence results equal the CPU's to the
// last bit, the Langevin noise included: philox.cuh draws the CPU's normals bit for bit.
// The Langevin noise is drawn from Philox inside the pass for element i at index first + i and never
// stored. Scalars arrive as kernel arguments, so a step is a single launch that a CUDA graph can capture.

#include "philox.cuh"

#define GRID_STRIDE(i, n) \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long) blockDim.x * gridDim.x)

// g' = g + wd x; v = mom v + g'; d = nesterov ? g' + mom v : v; x -= lr d   (v untouched when mom == 0)
extern "C" __global__ void sgd_update(float* x, const float* g, float* v, int n, float lr, float momentum,
                                      float weightDecay, int nesterov) {
    GRID_STRIDE(i, n) {
        float xi = x[i];
        float gi = g[i] + weightDecay * xi;
        float d = gi;
        if (momentum != 0.0f) {
            float vi = momentum * v[i] + gi;
            v[i] = vi;
            d = nesterov ? gi + momentum * vi : vi;
        }
        x[i] = xi - lr * d;
    }
}

// See org.deeprelax.core.LangevinStep. placementAll: 1 for MomentumPlacement.ALL, 0 for GRADIENT.
extern "C" __global__ void langevin_step(float* y, const float* g, const float* x, float* m, float* mu, int n,
                                         float lr, float gamma, float noiseScale, float alpha, float rho,
                                         int nesterov, float wd, int placementAll, u64 seed, u64 stream, u64 first) {
    GRID_STRIDE(i, n) {
        float yi = y[i];
        float gv = g[i] + wd * yi;
        float extra = gamma * (yi - x[i]);
        if (noiseScale != 0.0f) {
            extra = extra + noiseScale * philox_normal(seed, stream, first + (u64) i);
        }
        float d;
        if (rho == 0.0f) {
            d = gv + extra;
        } else {
            float h = placementAll ? gv + extra : gv;
            float mv = rho * m[i] + h;
            m[i] = mv;
            d = nesterov ? h + rho * mv : mv;
            if (!placementAll) {
                d = d + extra;
            }
        }
        yi = yi - lr * d;
        y[i] = yi;
        mu[i] = (1.0f - alpha) * mu[i] + alpha * yi;
    }
}

// d = x - mu + wd x; M = rho M + d; d' = nesterov ? d + rho M : M; x -= lr d'; y = mu = x; m = 0 if asked.
extern "C" __global__ void entropy_outer_step(float* x, float* y, float* mu, float* m, float* big, int n, float lr,
                                              float rho, int nesterov, float wd, int resetInner) {
    GRID_STRIDE(i, n) {
        float xi = x[i];
        float d = xi - mu[i] + wd * xi;
        if (rho != 0.0f) {
            float bv = rho * big[i] + d;
            big[i] = bv;
            d = nesterov ? d + rho * bv : bv;
        }
        xi = xi - lr * d;
        x[i] = xi;
        y[i] = xi;
        mu[i] = xi;
        if (resetInner) {
            m[i] = 0.0f;
        }
    }
}

// p = (1 - a) p + a (g + wd w); w = x - p * (1/gamma), with 1/gamma computed on the host in float as the CPU does.
extern "C" __global__ void fixed_point_step(float* w, const float* g, const float* x, float* p, int n, float a,
                                            float invGamma, float wd) {
    GRID_STRIDE(i, n) {
        float pv = (1.0f - a) * p[i] + a * (g[i] + wd * w[i]);
        p[i] = pv;
        w[i] = x[i] - pv * invGamma;
    }
}

// M = rho M + p; d = nesterov ? p + rho M : M; x -= lr d; w = x.
extern "C" __global__ void fixed_point_outer_step(float* x, const float* p, float* big, float* w, int n, float lr,
                                                  float rho, int nesterov) {
    GRID_STRIDE(i, n) {
        float d = p[i];
        if (rho != 0.0f) {
            float bv = rho * big[i] + d;
            big[i] = bv;
            d = nesterov ? d + rho * bv : bv;
        }
        float xi = x[i] - lr * d;
        x[i] = xi;
        w[i] = xi;
    }
}
