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

#define MAX_RANK 8

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

// op: 0 = exp, 1 = log, 2 = relu (the order of org.deeprelax.core.UnaryOp).
extern "C" __global__ void unary_f32(const float* x, float* y, int n, int op) {
    GRID_STRIDE(i, n) {
        float v = x[i];
        y[i] = op == 0 ? expf(v) : op == 1 ? logf(v) : (v > 0.0f ? v : 0.0f);
    }
}

extern "C" __global__ void relu_backward_f32(const float* x, const float* dy, float* dx, int n) {
    GRID_STRIDE(i, n) { dx[i] = x[i] > 0.0f ? dy[i] : 0.0f; }
}

// op: 0 = add, 1 = sub, 2 = mul, 3 = div (the order of org.deeprelax.core.BinaryOp).
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
        float x = a[ao], y = b[bo];
        out[i] = op == 0 ? x + y : op == 1 ? x - y : op == 2 ? x * y : x / y;
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
