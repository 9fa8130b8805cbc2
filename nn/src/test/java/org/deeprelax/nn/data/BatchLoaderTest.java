package org.deeprelax.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import org.deeprelax.core.Backend;
import org.deeprelax.core.Backends;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.random.PhiloxStream;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {

    private static final Backend CPU = Backends.cpu();

    /** n examples of 2×2×2 whose pixels encode their index (8·i + k) and whose label is i % 7. */
    private static Dataset dataset(int n) {
        float[] x = new float[n * 8];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 8; k++) {
                x[i * 8 + k] = i * 8 + k;
            }
            y[i] = i % 7;
        }
        return new Dataset("synthetic", x, y, 2, 2, 2, 7);
    }

    /** Checks that the tensors hold exactly the examples the batch names, and returns those indices. */
    private static int[] contents(Batch b) {
        float[] x = b.images().toArray();
        float[] y = b.labels().toArray();
        assertEquals(b.size(), b.images().dim(0));
        assertEquals(b.size(), b.labels().dim(0));
        int[] idx = new int[b.size()];
        for (int k = 0; k < b.size(); k++) {
            idx[k] = b.index(k);
            for (int p = 0; p < 8; p++) {
                assertEquals(idx[k] * 8 + p, x[k * 8 + p], "pixel " + p + " of position " + k);
            }
            assertEquals(idx[k] % 7, y[k]);
        }
        return idx;
    }

    private static List<Integer> walk(Iterable<Batch> pass) {
        List<Integer> order = new ArrayList<>();
        for (Batch b : pass) {
            for (int i : contents(b)) {
                order.add(i);
            }
        }
        return order;
    }

    @Test
    void epochCoversEveryIndexOnceWithPartialBatch() {
        BatchLoader loader = new BatchLoader(dataset(103), CPU, 10, 42, BatchLoader.LastBatch.PARTIAL);
        assertEquals(11, loader.batchesPerEpoch());
        List<Integer> sizes = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        for (Batch b : loader.epoch(0)) {
            sizes.add(b.size());
            for (int i : contents(b)) {
                order.add(i);
            }
        }
        assertEquals(List.of(10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3), sizes);
        boolean[] seen = new boolean[103];
        for (int i : order) {
            assertFalse(seen[i], "index " + i + " twice");
            seen[i] = true;
        }
        assertEquals(103, order.size());
        int[] perm = loader.permutation(0);
        for (int k = 0; k < 103; k++) {
            assertEquals(perm[k], order.get(k));
        }
    }

    @Test
    void dropLastGivesFullBatchesOfDistinctIndices() {
        BatchLoader loader = new BatchLoader(dataset(103), CPU, 10, 42, BatchLoader.LastBatch.DROP);
        assertEquals(10, loader.batchesPerEpoch());
        List<Integer> order = new ArrayList<>();
        for (Batch b : loader.epoch(3)) {
            assertEquals(10, b.size());
            for (int i : contents(b)) {
                order.add(i);
            }
        }
        assertEquals(100, order.size());
        assertEquals(100, order.stream().distinct().count());
    }

    @Test
    void orderDependsOnSeedAndEpochOnly() {
        Dataset d = dataset(50);
        BatchLoader a = new BatchLoader(d, CPU, 8, 7, BatchLoader.LastBatch.PARTIAL);
        BatchLoader b = new BatchLoader(d, CPU, 8, 7, BatchLoader.LastBatch.PARTIAL);
        // Different history: b walks epochs 0 and 1 first; a resumed run still sees the same epoch 2.
        walk(b.epoch(0));
        walk(b.epoch(1));
        assertEquals(walk(a.epoch(2)), walk(b.epoch(2)));
        assertNotEquals(walk(a.epoch(2)), walk(a.epoch(3)));
        BatchLoader other = new BatchLoader(d, CPU, 8, 8, BatchLoader.LastBatch.PARTIAL);
        assertNotEquals(walk(a.epoch(2)), walk(other.epoch(2)));
    }

    @Test
    void permutationFollowsTheDocumentedFisherYates() {
        int n = 37;
        long seed = 123456789L;
        BatchLoader loader = new BatchLoader(dataset(n), CPU, 5, seed, BatchLoader.LastBatch.PARTIAL);
        int[] expected = new int[n];
        for (int i = 0; i < n; i++) {
            expected[i] = i;
        }
        PhiloxStream rng = new PhiloxStream(seed, BatchLoader.epochStream(4));
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = expected[i];
            expected[i] = expected[j];
            expected[j] = t;
        }
        assertArrayEquals(expected, loader.permutation(4));
    }

    @Test
    void resumingInsideAnEpochGivesTheSameBatches() {
        BatchLoader loader = new BatchLoader(dataset(45), CPU, 6, 1, BatchLoader.LastBatch.PARTIAL);
        List<Integer> all = walk(loader.epoch(5));
        List<Integer> tail = walk(loader.epoch(5, 3));
        assertEquals(all.subList(18, 45), tail);
        assertTrue(walk(loader.epoch(5, loader.batchesPerEpoch())).isEmpty());
    }

    @Test
    void tensorsAreReusedAcrossBatches() {
        BatchLoader loader = new BatchLoader(dataset(23), CPU, 5, 3, BatchLoader.LastBatch.PARTIAL);
        Tensor images = null;
        Tensor labels = null;
        Tensor partialImages = null;
        for (int epoch = 0; epoch < 2; epoch++) {
            for (Batch b : loader.epoch(epoch)) {
                if (b.size() == 5) {
                    if (images == null) {
                        images = b.images();
                        labels = b.labels();
                    }
                    assertSame(images, b.images());
                    assertSame(labels, b.labels());
                } else {
                    assertEquals(3, b.size());
                    if (partialImages == null) {
                        partialImages = b.images();
                    }
                    assertSame(partialImages, b.images());
                }
            }
        }
        assertSame(images, loader.sample(0).images());
        for (Batch b : loader.inOrder()) {
            assertSame(b.size() == 5 ? images : partialImages, b.images());
        }
    }

    @Test
    void inOrderPassSeesEveryExampleInOrderEvenWhenEpochsDrop() {
        BatchLoader loader = new BatchLoader(dataset(23), CPU, 5, 3, BatchLoader.LastBatch.DROP);
        List<Integer> order = walk(loader.inOrder());
        assertEquals(23, order.size());
        for (int i = 0; i < 23; i++) {
            assertEquals(i, order.get(i));
        }
    }

    @Test
    void aNewEpochInvalidatesTheOldIterator() {
        BatchLoader loader = new BatchLoader(dataset(20), CPU, 5, 3, BatchLoader.LastBatch.DROP);
        Iterator<Batch> first = loader.epoch(0).iterator();
        first.next();
        Iterator<Batch> second = loader.epoch(1).iterator();
        second.next();
        assertThrows(ConcurrentModificationException.class, first::next);
    }

    @Test
    void sampleIsDeterministicByStep() {
        Dataset d = dataset(31);
        BatchLoader a = new BatchLoader(d, CPU, 9, 99, BatchLoader.LastBatch.DROP);
        BatchLoader b = new BatchLoader(d, CPU, 9, 99, BatchLoader.LastBatch.DROP);
        int[] s5 = contents(a.sample(5)).clone();
        contents(a.sample(6));
        // Another loader, another history: step 5 gives the same batch.
        contents(b.sample(1000));
        assertArrayEquals(s5, contents(b.sample(5)));
        assertArrayEquals(s5, contents(a.sample(5)));
        assertFalse(java.util.Arrays.equals(s5, contents(a.sample(6))));
        assertEquals(9, a.sample(5).size());
        assertThrows(IllegalArgumentException.class, () -> a.sample(-1));
    }

    @Test
    void sampleIsUniformWithReplacement() {
        int n = 20;
        int batch = 50;
        int steps = 2000;
        BatchLoader loader = new BatchLoader(dataset(n), CPU, batch, 2024, BatchLoader.LastBatch.DROP);
        long[] counts = new long[n];
        boolean repeatSeen = false;
        for (int step = 0; step < steps; step++) {
            Batch b = loader.sample(step);
            boolean[] inBatch = new boolean[n];
            for (int k = 0; k < b.size(); k++) {
                int i = b.index(k);
                counts[i]++;
                repeatSeen |= inBatch[i];
                inBatch[i] = true;
            }
        }
        assertTrue(repeatSeen, "50 draws from 20 must repeat: sampling is with replacement");
        double expected = (double) batch * steps / n;
        double chi2 = 0;
        for (long c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        // 19 degrees of freedom: P(chi2 > 43.8) = 0.001. The seed is fixed, so this is deterministic.
        assertTrue(chi2 < 43.8, "chi-square " + chi2 + " over " + n + " indices");
    }

    @Test
    void badArgumentsAreRejected() {
        Dataset d = dataset(10);
        assertThrows(IllegalArgumentException.class, () -> new BatchLoader(d, CPU, 0, 1, BatchLoader.LastBatch.DROP));
        // A batch larger than the dataset is legitimate for sampling with replacement; an epoch then
        // has only the partial batch, or none when it is dropped.
        assertEquals(0, new BatchLoader(d, CPU, 11, 1, BatchLoader.LastBatch.DROP).batchesPerEpoch());
        assertEquals(10, walk(new BatchLoader(d, CPU, 11, 1, BatchLoader.LastBatch.PARTIAL).epoch(0)).size());
        BatchLoader loader = new BatchLoader(d, CPU, 10, 1, BatchLoader.LastBatch.PARTIAL);
        assertEquals(1, loader.batchesPerEpoch());
        assertThrows(IllegalArgumentException.class, () -> loader.epoch(-1));
        assertThrows(IllegalArgumentException.class, () -> loader.epoch(0, 2));
    }
}
