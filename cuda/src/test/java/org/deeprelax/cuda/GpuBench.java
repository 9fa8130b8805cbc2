package org.deeprelax.cuda;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import org.deeprelax.core.ConvGeometry;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;
import org.deeprelax.cuda.bindings.Driver;

/**
 * The GPU-machine benchmark (run by {@code bench/gpu-check.sh}): SGEMM 4096³ and the first All-CNN-BN
 * convolution ([128, 3, 32, 32] → 96 filters 3×3, padding 1) forward, backward-data and backward-filter,
 * fp32 with TF32 off, each timed with CUDA events around one call on the backend's stream, median of
 * {@code N} after warm-up. Prints one line per case: {@code RESULT <case> <median ms> <min ms>}.
 */
public final class GpuBench {

    private GpuBench() {
    }

    interface Op {
        void run();
    }

    static double[] time(CudaBackend be, Op op, int warmup, int reps) {
        Driver d = Driver.get();
        MemorySegment start = d.eventCreate(Driver.EVENT_DEFAULT);
        MemorySegment end = d.eventCreate(Driver.EVENT_DEFAULT);
        for (int i = 0; i < warmup; i++) {
            op.run();
        }
        be.synchronize();
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            d.eventRecord(start, be.stream());
            op.run();
            d.eventRecord(end, be.stream());
            d.eventSynchronize(end);
            ms[i] = d.eventElapsedMillis(start, end);
        }
        d.eventDestroy(start);
        d.eventDestroy(end);
        Arrays.sort(ms);
        return new double[] {ms[reps / 2], ms[0]};
    }

    static void report(String name, double[] r) {
        System.out.printf("RESULT %s %.4f %.4f%n", name, r[0], r[1]);
    }

    /**
     * @param args optional: number of timed repetitions (default 20)
     */
    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        try (CudaBackend be = new CudaBackend(0)) {
            System.out.println("DEVICE " + be.deviceName());
            int n = 4096;
            Tensor a = Tensor.uniform(be, Shape.of(n, n), -1, 1, 1, 1);
            Tensor b = Tensor.uniform(be, Shape.of(n, n), -1, 1, 1, 2);
            Tensor c = Tensor.zeros(be, Shape.of(n, n));
            report("sgemm4096", time(be, () -> be.gemm(false, false, 1f, a, b, 0f, c), 3, reps));

            ConvGeometry g = new ConvGeometry(128, 3, 32, 32, 96, 3, 3, 1, 1, 1, 1);
            Tensor x = Tensor.uniform(be, g.inputShape(), -1, 1, 2, 1);
            Tensor w = Tensor.uniform(be, g.filterShape(), -0.1f, 0.1f, 2, 2);
            Tensor y = Tensor.zeros(be, g.outputShape());
            Tensor dy = Tensor.uniform(be, g.outputShape(), -1, 1, 2, 3);
            Tensor dx = Tensor.zeros(be, g.inputShape());
            Tensor dw = Tensor.zeros(be, g.filterShape());
            report("conv1_fwd", time(be, () -> be.conv2dForward(g, x, w, y), 3, reps));
            report("conv1_bwd_data", time(be, () -> be.conv2dBackwardData(g, dy, w, dx), 3, reps));
            report("conv1_bwd_filter", time(be, () -> be.conv2dBackwardFilter(g, x, dy, dw), 3, reps));
            report("conv1_fwd_bwd", time(be, () -> {
                be.conv2dForward(g, x, w, y);
                be.conv2dBackwardData(g, dy, w, dx);
                be.conv2dBackwardFilter(g, x, dy, dw);
            }, 3, reps));
            System.out.println("ALLOCATOR " + be.memoryStats());
        }
    }
}
