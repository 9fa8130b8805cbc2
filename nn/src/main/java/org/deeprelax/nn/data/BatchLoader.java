package org.deeprelax.nn.data;

import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.deeprelax.core.Backend;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.random.PhiloxStream;

/**
 * Serves mini-batches of a {@link Dataset} on a {@link Backend}, into batch tensors allocated once.
 *
 * <p>Three ways to walk the data:
 * <ul>
 *   <li>{@link #epoch(int)}: every example once, in the order of a permutation drawn by Fisher–Yates
 *       from {@code new PhiloxStream(seed, epochStream(epoch))}. The order depends on (seed, epoch)
 *       and the dataset size only, never on what ran before, so a run resumed at epoch e reproduces
 *       the batches of the original run ({@link #epoch(int, int)} also skips to a batch inside it).
 *       The last {@code N mod B} examples are dropped or delivered as a smaller batch, as chosen at
 *       construction.</li>
 *   <li>{@link #inOrder()}: every example once in index order, the last partial batch included —
 *       for evaluation, which must see every example.</li>
 *   <li>{@link #sample(long)}: B indices drawn uniformly with replacement, addressed by step, for the
 *       inner loop of Entropy-SGD, which samples batches rather than walking epochs.</li>
 * </ul>
 *
 * <p>No allocation per batch: examples are gathered into a reused host staging array and copied to
 * the device tensors with one {@link Backend#write} each. Consequently the batch returned is only
 * valid until the next one is filled, and a loader is not thread-safe.
 */
public final class BatchLoader {

    /** What an epoch does with the last {@code N mod B} examples. */
    public enum LastBatch {
        /** Leave them out of this epoch (every batch has exactly B examples; the shuffle varies which). */
        DROP,
        /** Deliver them as a final batch of {@code N mod B} examples, in the loader's second pair of tensors. */
        PARTIAL
    }

    /**
     * Tag in the upper half of the stream numbers this class uses ("DATA" in ASCII), so that they do not
     * collide with small stream numbers that other users of the same seed pick.
     */
    private static final long EPOCH_STREAM_TAG = 0x4441_5441L << 32;

    /** The Philox stream of {@link #sample(long)} ("SAMP" in ASCII, upper half). */
    public static final long SAMPLE_STREAM = 0x5341_4D50L << 32;

    private final Dataset data;
    private final Backend backend;
    private final int batchSize;
    private final long seed;
    private final LastBatch lastBatch;

    private final Batch full;
    /** Null when B divides N. */
    private final Batch partial;
    private final float[] imageStaging;
    private final float[] labelStaging;
    /** The current epoch's permutation, rewritten by each call of {@link #epoch}. */
    private final int[] permutation;
    /** Generation of {@link #permutation}, so that an iterator over an older epoch fails loudly. */
    private int generation;
    /** The stream sample() reads, repositioned for each step. */
    private final PhiloxStream sampleStream;

    /**
     * Allocates the batch tensors on {@code backend}: {@code [B, C, H, W]} and {@code [B]}, and if B does
     * not divide N a second pair of the remainder size.
     *
     * @param data the dataset
     * @param backend where the batch tensors live
     * @param batchSize B, at least 1; it may exceed N (useful for {@link #sample}), in which case an epoch
     *        is just the one partial batch of all N examples, or nothing when the remainder is dropped
     * @param seed the Philox seed of the shuffles and samples
     * @param lastBatch what an epoch does with the remainder
     * @throws IllegalArgumentException if B is not positive, or sampling is impossible (N = 0)
     */
    public BatchLoader(Dataset data, Backend backend, int batchSize, long seed, LastBatch lastBatch) {
        int n = data.size();
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size " + batchSize + " must be positive");
        }
        if (n == 0) {
            throw new IllegalArgumentException("dataset " + data.name() + " is empty: there is nothing to batch");
        }
        this.data = data;
        this.backend = backend;
        this.batchSize = batchSize;
        this.seed = seed;
        this.lastBatch = lastBatch;
        this.full = newBatch(batchSize);
        int rest = n % batchSize;
        this.partial = rest == 0 ? null : newBatch(rest);
        this.imageStaging = new float[batchSize * data.exampleSize()];
        this.labelStaging = new float[batchSize];
        this.permutation = new int[n];
        this.sampleStream = new PhiloxStream(seed, SAMPLE_STREAM);
    }

    private Batch newBatch(int size) {
        return new Batch(Tensor.zeros(backend, Shape.of(size, data.channels(), data.height(), data.width())),
                Tensor.zeros(backend, Shape.of(size)));
    }

    /**
     * The Philox stream whose words shuffle epoch {@code epoch}.
     *
     * @param epoch an epoch, {@code >= 0}
     * @return the stream number
     * @throws IllegalArgumentException if {@code epoch < 0}
     */
    public static long epochStream(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch " + epoch + " is negative");
        }
        return EPOCH_STREAM_TAG | epoch;
    }

    /**
     * The permutation of epoch {@code epoch}: starting from the identity, for {@code i = N−1} down to 1,
     * swap positions i and {@code j = stream.nextInt(i + 1)}, with
     * {@code stream = new PhiloxStream(seed, epochStream(epoch))}.
     *
     * @param epoch the epoch
     * @return a new array with the order in which the epoch visits the examples
     */
    public int[] permutation(int epoch) {
        int[] p = new int[data.size()];
        shuffle(epoch, p);
        return p;
    }

    private void shuffle(int epoch, int[] p) {
        PhiloxStream rng = new PhiloxStream(seed, epochStream(epoch));
        for (int i = 0; i < p.length; i++) {
            p[i] = i;
        }
        for (int i = p.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
    }

    /**
     * The batches of one shuffled epoch. Starting a new epoch invalidates the iterators of earlier ones
     * (they share the permutation buffer and throw {@link ConcurrentModificationException}).
     *
     * @param epoch the epoch, {@code >= 0}
     * @return the batches, in order; iterate once
     */
    public Iterable<Batch> epoch(int epoch) {
        return epoch(epoch, 0);
    }

    /**
     * The batches of one shuffled epoch from batch {@code firstBatch} on, to resume an interrupted epoch:
     * the batches are the same as those of {@link #epoch(int)} at the same positions.
     *
     * @param epoch the epoch, {@code >= 0}
     * @param firstBatch the first batch delivered, in {@code [0, batchesPerEpoch()]}
     * @return the batches
     */
    public Iterable<Batch> epoch(int epoch, int firstBatch) {
        epochStream(epoch);
        if (firstBatch < 0 || firstBatch > batchesPerEpoch()) {
            throw new IllegalArgumentException("first batch " + firstBatch + " is outside [0, " + batchesPerEpoch() + "]");
        }
        return () -> {
            shuffle(epoch, permutation);
            int mine = ++generation;
            return new Pass(permutation, firstBatch, batchesPerEpoch(), mine);
        };
    }

    /**
     * Every example once in index order, the last partial batch included whatever {@link LastBatch} says.
     * It does not use the permutation buffer, so it leaves an epoch in progress valid (though the
     * tensors are shared, so finish with a batch before asking for the next from either).
     *
     * @return the batches
     */
    public Iterable<Batch> inOrder() {
        int count = (data.size() + batchSize - 1) / batchSize;
        return () -> new Pass(null, 0, count, -1);
    }

    /**
     * Returns how many batches {@link #epoch(int)} delivers.
     *
     * @return how many batches {@link #epoch(int)} delivers
     */
    public int batchesPerEpoch() {
        int n = data.size();
        return lastBatch == LastBatch.DROP || partial == null ? n / batchSize : n / batchSize + 1;
    }

    /**
     * Fills the full-size batch with B indices drawn uniformly with replacement: index k of step
     * {@code step} comes from the two Philox words at positions {@code 2·(step·B + k)} and
     * {@code 2·(step·B + k) + 1} of stream {@link #SAMPLE_STREAM} under the loader's seed, read as an
     * unsigned 64-bit {@code u} (first word high), giving {@code floor(u·N / 2⁶⁴)}. Draw k of step t is
     * thus addressed by the counter {@code t·B + k} alone; a 64-bit draw makes the deviation from
     * uniformity at most {@code N/2⁶⁴} per index, with no rejection loop that would shift later draws.
     *
     * @param step the step, {@code >= 0}
     * @return the batch (the full-size one)
     * @throws IllegalArgumentException if {@code step} is negative or too large to address
     */
    public Batch sample(long step) {
        if (step < 0 || step > Long.MAX_VALUE / 2 / batchSize - 1) {
            throw new IllegalArgumentException("sample step " + step + " is outside [0, "
                    + (Long.MAX_VALUE / 2 / batchSize - 1) + "]");
        }
        int[] idx = full.indexBuffer();
        long n = data.size();
        sampleStream.setPosition(2 * step * batchSize);
        for (int k = 0; k < batchSize; k++) {
            long hi = sampleStream.nextInt() & 0xFFFF_FFFFL;
            long lo = sampleStream.nextInt() & 0xFFFF_FFFFL;
            idx[k] = (int) Math.unsignedMultiplyHigh((hi << 32) | lo, n);
        }
        full.setNumber((int) Math.min(step, Integer.MAX_VALUE));
        fill(full);
        return full;
    }

    /** Gathers the examples named by the batch's index buffer into staging and writes the tensors. */
    private void fill(Batch batch) {
        int[] idx = batch.indexBuffer();
        int e = data.exampleSize();
        for (int k = 0; k < idx.length; k++) {
            System.arraycopy(data.images, idx[k] * e, imageStaging, k * e, e);
            labelStaging[k] = data.labels[idx[k]];
        }
        backend.write(imageStaging, 0, batch.images());
        backend.write(labelStaging, 0, batch.labels());
    }

    /**
     * Returns the dataset served.
     *
     * @return the dataset served
     */
    public Dataset dataset() {
        return data;
    }

    /**
     * The batch size B.
     *
     * @return B
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Returns the Philox seed.
     *
     * @return the Philox seed
     */
    public long seed() {
        return seed;
    }

    /**
     * Returns what epochs do with the remainder.
     *
     * @return what epochs do with the remainder
     */
    public LastBatch lastBatch() {
        return lastBatch;
    }

    /** One walk over the data: in a given order (a permutation) or in index order (order == null). */
    private final class Pass implements Iterator<Batch> {
        private final int[] order;
        private final int end;
        private final int generationSeen;
        private int next;

        Pass(int[] order, int first, int end, int generationSeen) {
            this.order = order;
            this.next = first;
            this.end = end;
            this.generationSeen = generationSeen;
        }

        @Override
        public boolean hasNext() {
            return next < end;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("the pass has delivered its " + end + " batches");
            }
            if (order != null && generationSeen != generation) {
                throw new ConcurrentModificationException("a later call of epoch() reshuffled the permutation this "
                        + "iterator walks");
            }
            int start = next * batchSize;
            int size = Math.min(batchSize, data.size() - start);
            Batch batch = size == batchSize ? full : partial;
            int[] idx = batch.indexBuffer();
            for (int k = 0; k < size; k++) {
                idx[k] = order == null ? start + k : order[start + k];
            }
            batch.setNumber(next);
            next++;
            fill(batch);
            return batch;
        }
    }
}
