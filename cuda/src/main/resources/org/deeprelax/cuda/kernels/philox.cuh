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

// Box-Muller with the operations of org.deeprelax.core.random.BoxMuller, in the same order: IEEE float
// adds, multiplies, a correctly rounded divide and sqrt, and fused multiply-adds, with no logf/sinf/cosf.
// Compiled without fast-math (--fmad=false keeps the unfused products unfused), a GPU then draws exactly
// the normals the CPU draws. ln u1 = e·ln 2 + 2·atanh(s), s = (m − 1)/(m + 1); sin and cos of 2π·u2 by
// quarter-turn reduction in integers and Taylor series on [−π/4, π/4].
static __device__ __forceinline__ float bm_radius(u32 w) {
    float u1 = (float) ((w >> 8) + 1u) * 5.9604644775390625e-8f;  // 2^-24
    int bits = __float_as_int(u1);
    int e = (int) ((u32) bits >> 23) - 127;
    float m = __int_as_float((bits & 0x007FFFFF) | 0x3F800000);
    if (m > 1.41421356f) {
        m = m * 0.5f;
        e += 1;
    }
    float s = __fdiv_rn(m - 1.0f, m + 1.0f);
    float z = s * s;
    float p = fmaf(z, 1.0f / 11.0f, 1.0f / 9.0f);
    p = fmaf(p, z, 1.0f / 7.0f);
    p = fmaf(p, z, 1.0f / 5.0f);
    p = fmaf(p, z, 1.0f / 3.0f);
    float lnm = fmaf(s * z, 2.0f * p, 2.0f * s);
    float ef = (float) e;
    float ln = ef * 0.693359375f + fmaf(ef, -2.12194440e-4f, lnm);
    return __fsqrt_rn(-2.0f * ln);
}

static __device__ __forceinline__ float bm_trig(u32 w, bool sine) {
    int k = (int) (w >> 8);
    int q = (int) ((u32) (k + (1 << 21)) >> 22);
    float a = (float) (k - (q << 22)) * 0x1.921fb6p-22f;  // (float) (pi / 2^23), exactly as in Java
    float z = a * a;
    float ps = fmaf(z, 1.0f / 362880.0f, -1.0f / 5040.0f);
    ps = fmaf(ps, z, 1.0f / 120.0f);
    ps = fmaf(ps, z, -1.0f / 6.0f);
    float sn = fmaf(a * z, ps, a);
    float pc = fmaf(z, -1.0f / 3628800.0f, 1.0f / 40320.0f);
    pc = fmaf(pc, z, -1.0f / 720.0f);
    pc = fmaf(pc, z, 1.0f / 24.0f);
    pc = fmaf(pc, z, -0.5f);
    float cs = fmaf(z, pc, 1.0f);
    q &= 3;
    float v = (sine == ((q & 1) == 0)) ? sn : cs;
    bool negative = sine ? (q & 2) != 0 : ((q + 1) & 2) != 0;
    return negative ? -v : v;
}

static __device__ __forceinline__ float philox_normal(u64 seed, u64 stream, u64 index) {
    Philox4 b = philox_at(seed, stream, index);
    int first = (int) (index & 2);
    return bm_radius(b.w[first]) * bm_trig(b.w[first + 1], (index & 1) != 0);
}
