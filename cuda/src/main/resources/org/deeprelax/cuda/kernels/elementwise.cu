// Elementwise and data-movement kernels of the DeepRelax CUDA backend.
//
// Design: every kernel is a grid-stride loop over the output, one element per thread per iteration, so a
// launch's grid can be sized once per tensor size (capped at a few waves of the device) and the same
// launch works for any n. Operands arrive as device pointers already offset to the tensor view's first
// element. Broadcasting (NumPy rules) is resolved on the host into a Broadcast struct passed by value:
// the output's dims and, for each operand, a stride per output axis that is 0 along broadcast axes; the
// kernel unravels the flat output index against the dims. The host first merges adjacent axes that are
// contiguous for every operand, so the common cases (same shape, bias over rows, scalar) have rank 1 or 2.
// The same struct drives strided_copy, which moves elements between two strided layouts: broadcasting
// (source stride 0), transposition (permuted source strides), slicing and concatenation (a block of a
// larger tensor on either side) are all that one copy. Integer indexing gathers whole inner rows
// (index_select) and scatters them back (index_add) with one thread per (outer, inner) column walking
// the positions in order, so repeated positions sum in a fixed order: deterministic, no atomics.
// fill is not here: cuMemsetD32Async writes any float's bit pattern.
// Compiled by NVRTC without fast-math and with --fmad=false, so a*b+c rounds twice as Java does.
// The operation codes UNARY_<NAME> and BINARY_<NAME> come from ops.cuh, which the host generates from the
// Java enums UnaryOp and BinaryOp (OpCodes): a unary operation added there needs its case in unary_op
// and in unary_derivative, a binary one in binary_op, and OpCodesTest fails until they have them.

#include "ops.cuh"

#define MAX_RANK 8
// An unknown code yields NaN rather than some other operation's result.
#define UNKNOWN_OP __int_as_float(0x7fffffff)

struct Broadcast {
    int rank;
    int dims[MAX_RANK];
    int aStrides[MAX_RANK];
    int bStrides[MAX_RANK];
};

#define GRID_STRIDE(i, n) \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long) blockDim.x * gridDim.x)

extern "C" __global__ void axpy_f32(const float* x, float* y, int n, float alpha) {
    GRID_STRIDE(i, n) { y[i] = y[i] + alpha * x[i]; }
}

extern "C" __global__ void scale_f32(float* x, int n, float alpha) {
    GRID_STRIDE(i, n) { x[i] = alpha * x[i]; }
}

// The unary operations and, beside each, its derivative (the backward's dy * op'(x), from the forward's
// input x and output y). a and b are the scalars of pow (x^a), clamp (to [a, b]) and affine (a x + b).
// sigmoid takes e^x/(1 + e^x) below 0, so no exponential overflows; tanhf is accurate over the whole
// range. relu and clamp pass a NaN through, as Java's Math.max does on the CPU (fmaxf alone would drop it).
static __device__ __forceinline__ float unary_op(int op, float v, float a, float b) {
    switch (op) {
        case UNARY_EXP: return expf(v);
        case UNARY_LOG: return logf(v);
        case UNARY_RELU: return v > 0.0f || v != v ? v : 0.0f;
        case UNARY_TANH: return tanhf(v);
        case UNARY_SIGMOID: {
            if (v >= 0.0f) {
                return 1.0f / (1.0f + expf(-v));
            }
            float e = expf(v);
            return e / (1.0f + e);
        }
        case UNARY_SQRT: return sqrtf(v);
        case UNARY_ABS: return fabsf(v);
        case UNARY_POW: return powf(v, a);
        case UNARY_CLAMP: return v != v ? v : fminf(fmaxf(v, a), b);
        case UNARY_AFFINE: return a * v + b;
        default: return UNKNOWN_OP;
    }
}

static __device__ __forceinline__ float unary_derivative(int op, float v, float out, float g, float a, float b) {
    switch (op) {
        case UNARY_EXP: return g * out;
        case UNARY_LOG: return g / v;
        case UNARY_RELU: return v > 0.0f ? g : 0.0f;
        case UNARY_TANH: return g * (1.0f - out * out);
        case UNARY_SIGMOID: return g * (out * (1.0f - out));
        case UNARY_SQRT: return g / (2.0f * out);
        case UNARY_ABS: return v > 0.0f ? g : v < 0.0f ? -g : 0.0f;
        case UNARY_POW: return a == 0.0f ? 0.0f : g * (a * powf(v, a - 1.0f));
        case UNARY_CLAMP: return v >= a && v <= b ? g : 0.0f;
        case UNARY_AFFINE: return a * g;
        default: return UNKNOWN_OP;
    }
}

static __device__ __forceinline__ float binary_op(int op, float x, float y) {
    switch (op) {
        case BINARY_ADD: return x + y;
        case BINARY_SUB: return x - y;
        case BINARY_MUL: return x * y;
        case BINARY_DIV: return x / y;
        default: return UNKNOWN_OP;
    }
}

extern "C" __global__ void unary_f32(const float* x, float* y, int n, int op, float a, float b) {
    GRID_STRIDE(i, n) { y[i] = unary_op(op, x[i], a, b); }
}

extern "C" __global__ void unary_backward_f32(const float* x, const float* y, const float* dy, float* dx, int n,
                                              int op, float a, float b) {
    GRID_STRIDE(i, n) { dx[i] = unary_derivative(op, x[i], y[i], dy[i], a, b); }
}

extern "C" __global__ void binary_f32(const float* a, const float* b, float* out, int n, int op, Broadcast s) {
    GRID_STRIDE(i, n) {
        long long rem = i;
        long long ao = 0, bo = 0;
        for (int d = s.rank - 1; d >= 0; d--) {
            int idx = (int) (rem % s.dims[d]);
            rem /= s.dims[d];
            ao += (long long) idx * s.aStrides[d];
            bo += (long long) idx * s.bStrides[d];
        }
        out[i] = binary_op(op, a[ao], b[bo]);
    }
}

// For every multi-index of s.dims: dst[sum idx * s.bStrides] = src[sum idx * s.aStrides]; both pointers
// arrive offset to the first element copied.
extern "C" __global__ void strided_copy_f32(const float* src, float* dst, int n, Broadcast s) {
    GRID_STRIDE(i, n) {
        long long rem = i;
        long long so = 0, dof = 0;
        for (int d = s.rank - 1; d >= 0; d--) {
            int idx = (int) (rem % s.dims[d]);
            rem /= s.dims[d];
            so += (long long) idx * s.aStrides[d];
            dof += (long long) idx * s.bStrides[d];
        }
        dst[dof] = src[so];
    }
}

// out[o, j, :] = x[o, index[j], :] over out = [outer, k, inner], x = [outer, len, inner].
extern "C" __global__ void index_select_f32(const float* x, const float* index, float* out, int outer, int len,
                                            int inner, int k) {
    long long n = (long long) outer * k * inner;
    GRID_STRIDE(i, n) {
        long long o = i / ((long long) k * inner);
        int j = (int) ((i / inner) % k);
        int in = (int) (i % inner);
        out[i] = x[(o * len + (int) index[j]) * inner + in];
    }
}

// out[o, index[j], :] += src[o, j, :] for j = 0 .. k-1 in order; one thread per (o, inner) column.
extern "C" __global__ void index_add_f32(const float* src, const float* index, float* out, int outer, int len,
                                         int inner, int k) {
    long long n = (long long) outer * inner;
    GRID_STRIDE(c, n) {
        long long o = c / inner;
        int in = (int) (c % inner);
        for (int j = 0; j < k; j++) {
            out[(o * len + (int) index[j]) * inner + in] += src[(o * k + j) * inner + in];
        }
    }
}
