package org.deeprelax.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.random.Philox;
import org.junit.jupiter.api.Test;

/** The GPU draws the CPU's Philox integers exactly and its normals to a few ulp (GPU only). */
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
    void uniformsExactlyAndNormalsWithinAFewUlp() {
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
            int worstUlps = 0;
            for (int i = 0; i < n; i++) {
                assertEquals(Philox.uniform(seed, stream, first + i), us[i], 0f, "uniform " + i);
                float cpu = Philox.normal(seed, stream, first + i);
                int ulps = Math.abs(Float.floatToIntBits(cpu) - Float.floatToIntBits(gs[i]));
                // Near zero a normal is r·cos θ with cos θ tiny: ulps of the result are not ulps of the inputs,
                // so bound the absolute error there.
                if (Math.abs(cpu) > 1e-3f) {
                    worstUlps = Math.max(worstUlps, ulps);
                } else {
                    assertEquals(cpu, gs[i], 1e-6f, "normal " + i);
                }
            }
            System.out.println("Philox normals: worst difference CPU vs GPU " + worstUlps + " ulp");
            assertTrue(worstUlps <= 8, "normals differ by " + worstUlps + " ulp");
        }
    }
}
