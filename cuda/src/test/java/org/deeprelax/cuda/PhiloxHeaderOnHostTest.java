package org.deeprelax.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.deeprelax.core.random.Philox;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device functions of {@code philox.cuh}, compiled for the host by g++ with the CUDA intrinsics they
 * use mapped to their IEEE meaning ({@code __fdiv_rn} is a correctly rounded divide, {@code __fsqrt_rn} a
 * correctly rounded square root, {@code __umulhi} the high word of a 64-bit product) and no contraction
 * of multiply-adds, as NVRTC compiles them: the words, uniforms and normals they draw are the CPU
 * generator's bit for bit. This is the arithmetic half of {@link PhiloxCudaTest}'s claim, checked without
 * a GPU; the GPU half (that the device rounds as IEEE says) is that test's. Skipped without g++.
 */
@Tag("toolchain")
class PhiloxHeaderOnHostTest {

    private static final String DRIVER = """
            #include <cmath>
            #include <cstdio>
            #include <cstdlib>
            #include <cstring>
            #define __device__
            #define __forceinline__ inline
            static inline unsigned int __umulhi(unsigned int a, unsigned int b) {
                return (unsigned int) (((unsigned long long) a * b) >> 32);
            }
            static inline int __float_as_int(float f) { int i; std::memcpy(&i, &f, 4); return i; }
            static inline float __int_as_float(int i) { float f; std::memcpy(&f, &i, 4); return f; }
            static inline float __fdiv_rn(float a, float b) { return a / b; }
            static inline float __fsqrt_rn(float a) { return std::sqrt(a); }
            #include "philox.cuh"
            int main(int argc, char** argv) {
                u64 seed = std::strtoull(argv[1], nullptr, 10), stream = std::strtoull(argv[2], nullptr, 10);
                u64 first = std::strtoull(argv[3], nullptr, 10);
                long n = std::atol(argv[4]);
                for (long i = 0; i < n; i++) {
                    float u = philox_uniform(seed, stream, first + i), g = philox_normal(seed, stream, first + i);
                    std::printf("%08x %08x %08x\\n", philox_bits(seed, stream, first + i), __float_as_int(u),
                                __float_as_int(g));
                }
                return 0;
            }
            """;

    @Test
    void theHeaderDrawsTheCpuWordsUniformsAndNormalsBitForBit(@TempDir Path tmp) throws Exception {
        Path gxx = HostCompiler.require("g++");
        Files.writeString(tmp.resolve("philox.cuh"), KernelCompiler.resource("philox.cuh"));
        Path src = Files.writeString(tmp.resolve("driver.cpp"), DRIVER);
        Path exe = tmp.resolve("driver");
        HostCompiler.run(List.of(gxx.toString(), "-std=c++17", "-O2", "-ffp-contract=off", "-fno-fast-math",
                "-I" + tmp, "-o", exe.toString(), src.toString()));
        // Seeds and streams with high bits set, a first index crossing a block boundary and a 2^32 counter.
        long[][] cases = {{977, 3, 12_345}, {0, 0, 0}, {Long.MAX_VALUE, 0x1234_5678_9ABCL, (1L << 32) - 5}};
        int n = 100_003;
        for (long[] c : cases) {
            String[] lines = HostCompiler.run(List.of(exe.toString(), Long.toUnsignedString(c[0]),
                    Long.toUnsignedString(c[1]), Long.toUnsignedString(c[2]), Integer.toString(n))).split("\n");
            assertEquals(n, lines.length);
            for (int i = 0; i < n; i++) {
                String[] f = lines[i].split(" ");
                long index = c[2] + i;
                String where = " at index " + index + " of seed " + c[0] + " stream " + c[1];
                assertEquals(Philox.bits(c[0], c[1], index), Integer.parseUnsignedInt(f[0], 16), "word" + where);
                assertEquals(Float.floatToRawIntBits(Philox.uniform(c[0], c[1], index)),
                        Integer.parseUnsignedInt(f[1], 16), "uniform" + where);
                assertEquals(Float.floatToRawIntBits(Philox.normal(c[0], c[1], index)),
                        Integer.parseUnsignedInt(f[2], 16), "normal" + where);
            }
        }
    }
}
