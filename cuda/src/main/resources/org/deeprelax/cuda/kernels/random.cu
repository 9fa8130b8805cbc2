// Philox4x32-10 and the random fills of the DeepRelax CUDA backend.
//
// Design: the generator is counter based, so every thread computes the block its elements need from
// (seed, stream, index) alone: no state in device memory, no sequential dependence, and the same
// integers as org.deeprelax.core.random.Philox on the CPU. The addressing is the CPU's exactly:
// key = (lo32 seed, hi32 seed); word `index` of stream `stream` is lane index & 3 of the block with counter
// (lo32(index >> 2), hi32(index >> 2), lo32(stream), hi32(stream)). Uniform = (w >> 8) * 2^-24 (exact in
// float). Normal: pair j = index >> 1 uses words 2j and 2j + 1 of one block, u1 = ((w >> 8) + 1) * 2^-24,
// u2 = (w >> 8) * 2^-24, r = sqrt(-2 ln u1), theta = 2 pi u2, even index -> r cos theta, odd -> r sin theta,
// with ln, sin and cos computed as org.deeprelax.core.random.BoxMuller computes them (philox.cuh): the same
// correctly rounded float operations in the same order, no logf/sinf/cosf. So integers, uniforms and
// normals all agree with the CPU's bit for bit.
// Each thread handles one element (recomputing the block of its four-element group): ten rounds of two
// 32x32 multiplies are cheaper than the memory traffic a shared block would save.
// The generator itself lives in philox.cuh, shared with updates.cu (the fused Langevin step draws its
// noise there, inside the update); this file holds the fills, the dropout mask and a raw-words kernel.

#include "philox.cuh"

#define GRID_STRIDE(i, n) \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long) blockDim.x * gridDim.x)

// x[i] = lo + range * uniform(first + i)
extern "C" __global__ void fill_uniform(float* x, int n, float lo, float range, u64 seed, u64 stream, u64 first) {
    GRID_STRIDE(i, n) { x[i] = lo + range * philox_uniform(seed, stream, first + (u64) i); }
}

// x[i] = mean + std * normal(first + i)
extern "C" __global__ void fill_normal(float* x, int n, float mean, float std, u64 seed, u64 stream, u64 first) {
    GRID_STRIDE(i, n) { x[i] = mean + std * philox_normal(seed, stream, first + (u64) i); }
}

// mask[i] = uniform(first + i) >= p ? keep : 0, keep = 1/(1 - p) computed on the host in float as the CPU does.
extern "C" __global__ void dropout_mask(float* mask, int n, float p, float keep, u64 seed, u64 stream, u64 first) {
    GRID_STRIDE(i, n) { mask[i] = philox_uniform(seed, stream, first + (u64) i) >= p ? keep : 0.0f; }
}

// The raw words, for the CPU-versus-GPU test.
extern "C" __global__ void philox_words(u32* out, int n, u64 seed, u64 stream, u64 first) {
    GRID_STRIDE(i, n) { out[i] = philox_bits(seed, stream, first + (u64) i); }
}
