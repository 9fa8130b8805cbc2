package org.deeprelax.cli;

import org.deeprelax.core.random.PhiloxStream;
import org.deeprelax.nn.data.Dataset;

/**
 * Which training examples each replica of a Parle or Elastic-SGD run sees, as the authors' loader
 * ({@code get_loaders} in distributed-ensembles) cuts them: with a data fraction f = 1 every replica draws
 * from the whole training set; with f &lt; 1 the set is shuffled once, by the run's seed, and replica r of
 * n takes the f·N examples that start at ⌊(r/n)·N⌋, wrapping around the end. So f = 1/n splits the set into
 * n disjoint shares, and the paper's 25 % and 50 % experiments with 3 or 6 replicas give overlapping ones.
 */
final class ReplicaData {

    /** The Philox stream of the one shuffle before the shares are cut ("SHAR" in the upper half). */
    static final long SHARE_STREAM = 0x5348_4152L << 32;

    private ReplicaData() {
    }

    /**
     * The training examples of one replica.
     *
     * @param train the whole training set
     * @param config the run's settings (replicas, data fraction, seed)
     * @param replica the replica
     * @return the whole set, or the replica's share of it
     */
    static Dataset share(Dataset train, TrainConfig config, int replica) {
        double f = config.dataFraction();
        if (f >= 1) {
            return train;
        }
        int n = train.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        PhiloxStream rng = new PhiloxStream(config.seed(), SHARE_STREAM);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        double from = (double) replica / config.replicas();
        int start = (int) (n * from);
        int size = (int) (n * (from + f)) - start;
        int[] picked = new int[size];
        for (int k = 0; k < size; k++) {
            picked[k] = order[(start + k) % n];
        }
        return train.select(train.name() + " share " + replica + " of " + config.replicas(), picked);
    }
}
