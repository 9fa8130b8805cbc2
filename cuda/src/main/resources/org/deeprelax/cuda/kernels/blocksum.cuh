// A block-wide sum in double, shared by reduce.cu and layernorm.cu (NVRTC receives this file as a named
// header). Every thread of a THREADS-thread block calls it with its partial; every thread gets the total.
// The tree order is fixed, so sums are deterministic. static: each including module gets its own copy.
#pragma once

#define THREADS 256

static __device__ double block_sum(double v) {
    __shared__ double buf[THREADS];
    buf[threadIdx.x] = v;
    __syncthreads();
    for (int s = THREADS / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            buf[threadIdx.x] += buf[threadIdx.x + s];
        }
        __syncthreads();
    }
    double r = buf[0];
    __syncthreads();
    return r;
}
