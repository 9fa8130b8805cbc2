// Elementwise kernels of the DeepRelax CUDA backend.
//
// Design: every kernel is a grid-stride loop over the output, one element per thread per iteration, so a
// launch's grid can be sized once per tensor size (capped at a few waves of the device) and the same
// launch works for any n. Operands arrive as device pointers already offset to the tensor view's first
// element. Broadcasting (NumPy rules) is resolved on the host into a Broadcast struct passed by value:
// the output's dims and, for each operand, a stride per output axis that is 0 along broadcast axes; the
// kernel unravels the flat output index against the dims. The host first merges adjacent axes that are
// contiguous for every operand, so the common cases (same shape, bias over rows, scalar) have rank 1 or 2.
// fill is not here: cuMemsetD32Async writes any float's bit pattern.
// Compiled by NVRTC without fast-math and with --fmad=false, so a*b+c rounds twice as Java does.
// The operation codes UNARY_<NAME> and BINARY_<NAME> come from ops.cuh, which the host generates from the
// Java enums UnaryOp and BinaryOp (OpCodes): an operation added there needs its case in unary_op or
// binary_op below, and OpCodesTest fails until it has one.

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

static __device__ __forceinline__ float unary_op(int op, float v) {
    switch (op) {
        case UNARY_EXP: return expf(v);
        case UNARY_LOG: return logf(v);
        case UNARY_RELU: return v > 0.0f ? v : 0.0f;
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

extern "C" __global__ void unary_f32(const float* x, float* y, int n, int op) {
    GRID_STRIDE(i, n) { y[i] = unary_op(op, x[i]); }
}

extern "C" __global__ void relu_backward_f32(const float* x, const float* dy, float* dx, int n) {
    GRID_STRIDE(i, n) { dx[i] = x[i] > 0.0f ? dy[i] : 0.0f; }
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

// dst = src read through s.aStrides over dst's shape (s.bStrides unused).
extern "C" __global__ void broadcast_f32(const float* src, float* dst, int n, Broadcast s) {
    GRID_STRIDE(i, n) {
        long long rem = i;
        long long so = 0;
        for (int d = s.rank - 1; d >= 0; d--) {
            int idx = (int) (rem % s.dims[d]);
            rem /= s.dims[d];
            so += (long long) idx * s.aStrides[d];
        }
        dst[i] = src[so];
    }
}
