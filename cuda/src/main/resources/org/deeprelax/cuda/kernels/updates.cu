// Fused optimizer updates of the DeepRelax CUDA backend: one pass over a flat parameter arena per step.
//
// Design: each kernel reads every operand once and writes every result once (a grid-stride loop, one
// element per thread), so an update costs its memory traffic and one launch however many parameter
// tensors the model has. The formulas are CpuUpdates' exactly, in the same float operation order
// (compiled with --fmad=false so no multiply-add is contracted), hence results equal the CPU's to the
// last bit, the Langevin noise included (philox.cuh draws the CPU's normals bit for bit), except in SAM's
// ascent, whose norm is summed in another order than the CPU's (a few ulp of the perturbation).
// The Langevin noise is drawn from Philox inside the pass for element i at index first + i and never
// stored. Scalars arrive as kernel arguments, so a step is a single launch that a CUDA graph can capture;
// SAM's norm stays on the device, read by sam_ascent through a pointer, so its ascent needs no host sync.
// The Parle kernels draw no noise: a replica's inner loop is noise-free gradient descent on f + (gamma/2)|y - x|^2.

#include "philox.cuh"

#define GRID_STRIDE(i, n) \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long) blockDim.x * gridDim.x)

// g' = g + wd x0; v = mom v + g'; d = nesterov ? g' + mom v : v; x = x0 - lr d, x0 read from `from`, which
// may be x itself (plain SGD) or SAM's unperturbed anchor (v untouched when mom == 0).
extern "C" __global__ void sgd_update(const float* from, const float* g, float* v, float* x, int n, float lr,
                                      float momentum, float weightDecay, int nesterov) {
    GRID_STRIDE(i, n) {
        float xi = from[i];
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

// Adam and AdamW (org.deeprelax.core.update.AdamStep): decay = 1 - lr wd for AdamW (wd passed 0), 1 for Adam;
// stepSize = lr / (1 - beta1^t) and bc2 = sqrt(1 - beta2^t), both computed on the host in double.
extern "C" __global__ void adam_update(float* x, const float* g, float* m, float* v, int n, float beta1,
                                       float beta2, float eps, float weightDecay, float decay, float stepSize,
                                       float bc2) {
    float oneMinusBeta1 = 1.0f - beta1;
    float oneMinusBeta2 = 1.0f - beta2;
    GRID_STRIDE(i, n) {
        float xi = x[i] * decay;
        float gi = g[i] + xi * weightDecay;
        float mi = m[i] * beta1 + gi * oneMinusBeta1;
        float vi = v[i] * beta2 + gi * gi * oneMinusBeta2;
        m[i] = mi;
        v[i] = vi;
        float denom = sqrtf(vi) / bc2 + eps;
        x[i] = xi - mi * stepSize / denom;
    }
}

// SAM's ascent (org.deeprelax.core.update.SamAscent): squares = ||T g||^2 as reduce.cu's scaled_squares_partial
// and sum_final left it on the device; e = s T^2 g with s = rho / (sqrt(squares) + 1e-12) computed in double
// as the CPU does; anchor = w; w = w + e. T = |w| + eta for ASAM, 1 for SAM.
extern "C" __global__ void sam_ascent(float* w, const float* g, float* anchor, int n, int adaptive, float eta,
                                      float rho, const double* squares) {
    float scale = (float) ((double) rho / (sqrt(*squares) + 1e-12));
    GRID_STRIDE(i, n) {
        float wi = w[i];
        float e = g[i] * scale;
        if (adaptive) {
            float t = fabsf(wi) + eta;
            e = e * (t * t);
        }
        anchor[i] = wi;
        w[i] = wi + e;
    }
}

// See org.deeprelax.core.update.LangevinStep. placementAll: 1 for MomentumPlacement.ALL, 0 for GRADIENT.
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

// A Parle replica's inner step (org.deeprelax.core.update.ParleInnerStep), no noise:
// d = g + wd y + gamma (y - x); c = rho c + d; d = nesterov ? d + look c : c; y -= lr d; mu = beta mu + (1 - beta) y.
extern "C" __global__ void parle_inner_step(float* y, const float* g, const float* x, float* c, float* mu, int n,
                                            float lr, float gamma, float rho, int nesterov, float look, float wd,
                                            float beta) {
    GRID_STRIDE(i, n) {
        float yi = y[i];
        float d = g[i] + yi * wd + (yi - x[i]) * gamma;
        if (rho != 0.0f) {
            float cv = c[i] * rho + d;
            c[i] = cv;
            d = nesterov ? d + cv * look : cv;
        }
        yi = yi - d * lr;
        y[i] = yi;
        mu[i] = mu[i] * beta + yi * (1.0f - beta);
    }
}

// A Parle or Elastic-SGD replica's outer step (org.deeprelax.core.update.ParleOuterStep):
// a = fromGradient ? g + wd x : x - mu; d = a + coupling (x - r); M = rho M + d; d = nesterov ? d + look M : M;
// w = (fromIterate ? y : x) - lr d; x = y = w; mu = w if resetAverage.
extern "C" __global__ void parle_outer_step(float* x, float* y, float* mu, const float* r, const float* g, float* big,
                                            int n, float lr, float coupling, float rho, int nesterov, float look,
                                            float wd, int fromGradient, int fromIterate, int resetAverage) {
    GRID_STRIDE(i, n) {
        float xi = x[i];
        float a = fromGradient ? g[i] + xi * wd : xi - mu[i];
        float d = a + (xi - r[i]) * coupling;
        if (rho != 0.0f) {
            float bv = big[i] * rho + d;
            big[i] = bv;
            d = nesterov ? d + bv * look : bv;
        }
        float w = (fromIterate ? y[i] : xi) - d * lr;
        x[i] = w;
        y[i] = w;
        if (resetAverage) {
            mu[i] = w;
        }
    }
}
