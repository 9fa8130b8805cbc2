package org.deeprelax.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.random.Philox;
import org.junit.jupiter.api.Test;

/**
 * The GPU draws the CPU's Philox words, uniforms and normals bit for bit (GPU only): philox.cuh computes
 * Box-Muller with the CPU's sequence of correctly rounded float operations, not with logf/sinf/cosf.
 */
class PhiloxCudaTest {

    @Test
    void wordsAreTheCpuWordsExactly() {
        CudaBackend gpu = Gpu.backend();
        long[][] cases = {{0, 0, 0}, {42, 7, 1001}, {-1L, 0x1234_5678_9ABC_DEF0L, (1L << 34) - 3}};
        for (long[] c : cases) {
            int n = 10_007;
            int[] dev = gpu.philoxWords(n, c[0], c[1], c[2]);
            int[] cpu = new int[n];
            Philox.fillBits(cpu, 0, n, c[0], c[1], c[2]);
            for (int i = 0; i < n; i++) {
                assertEquals(cpu[i], dev[i], "word " + i + " of seed " + c[0] + " stream " + c[1] + " first " + c[2]);
            }
        }
    }

    @Test
    void uniformsAndNormalsAreTheCpuFloatsBitForBit() {
        CudaBackend gpu = Gpu.backend();
        int n = 100_003;
        long seed = 977, stream = 3, first = 12_345;
        try (var u = gpu.allocate(n); var g = gpu.allocate(n)) {
            Tensor ut = new Tensor(u, 0, Shape.of(n));
            Tensor gt = new Tensor(g, 0, Shape.of(n));
            gpu.fillUniform(ut, 0, 1, seed, stream, first);
            gpu.fillNormal(gt, 0, 1, seed, stream, first);
            float[] us = ut.toArray();
            float[] gs = gt.toArray();
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(Philox.uniform(seed, stream, first + i)),
                        Float.floatToRawIntBits(us[i]), "uniform " + i);
                float cpu = Philox.normal(seed, stream, first + i);
                float dev = gs[i];
                int at = i;
                assertEquals(Float.floatToRawIntBits(cpu), Float.floatToRawIntBits(dev),
                        () -> "normal " + at + ": CPU " + cpu + ", GPU " + dev);
            }
        }
    }
}
