// Philox4x32-10 device functions, shared by random.cu and updates.cu (NVRTC receives this file as a
// named header). The addressing and derived values are exactly org.deeprelax.core.random.Philox's; see
// random.cu's header for the formulas. static inline functions: each including module gets its own copy.
#pragma once

typedef unsigned int u32;
typedef unsigned long long u64;

struct Philox4 {
    u32 w[4];
};

static __device__ __forceinline__ Philox4 philox_block(u32 c0, u32 c1, u32 c2, u32 c3, u32 k0, u32 k1) {
    #pragma unroll
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        u32 lo0 = 0xD2511F53u * c0;
        u32 hi0 = __umulhi(0xD2511F53u, c0);
        u32 lo1 = 0xCD9E8D57u * c2;
        u32 hi1 = __umulhi(0xCD9E8D57u, c2);
        u32 n0 = hi1 ^ c1 ^ k0;
        u32 n2 = hi0 ^ c3 ^ k1;
        c0 = n0;
        c1 = lo1;
        c2 = n2;
        c3 = lo0;
    }
    Philox4 r;
    r.w[0] = c0;
    r.w[1] = c1;
    r.w[2] = c2;
    r.w[3] = c3;
    return r;
}

static __device__ __forceinline__ Philox4 philox_at(u64 seed, u64 stream, u64 index) {
    u64 ctr = index >> 2;
    return philox_block((u32) ctr, (u32) (ctr >> 32), (u32) stream, (u32) (stream >> 32), (u32) seed,
                        (u32) (seed >> 32));
}

static __device__ __forceinline__ u32 philox_bits(u64 seed, u64 stream, u64 index) {
    return philox_at(seed, stream, index).w[index & 3];
}

static __device__ __forceinline__ float philox_uniform(u64 seed, u64 stream, u64 index) {
    return (float) (philox_bits(seed, stream, index) >> 8) * 5.9604644775390625e-8f;  // 2^-24
}

static __device__ __forceinline__ float philox_normal(u64 seed, u64 stream, u64 index) {
    Philox4 b = philox_at(seed, stream, index);
    int first = (int) (index & 2);
    float u1 = (float) ((b.w[first] >> 8) + 1u) * 5.9604644775390625e-8f;
    float u2 = (float) (b.w[first + 1] >> 8) * 5.9604644775390625e-8f;
    float r = sqrtf(-2.0f * logf(u1));
    float theta = 6.2831855f * u2;
    return (index & 1) ? r * sinf(theta) : r * cosf(theta);
}

