package org.deeprelax.nn.data;

/**
 * How a loader normalises pixels after scaling the raw bytes to [0, 1] (byte / 255). Every statistic
 * is measured on the training split only and the same transformation is applied to both splits, so
 * nothing about the test set leaks into training.
 */
public enum Normalization {

    /** Pixels stay in [0, 1]. */
    UNIT_RANGE,

    /**
     * Per-channel standardisation with the training split's mean and standard deviation
     * ({@link ChannelStandardization}): for one-channel MNIST and Fashion-MNIST a single scalar mean and
     * std, for CIFAR-10 one per colour channel. The default of every loader.
     */
    STANDARDIZE,

    /**
     * Global contrast normalisation of each image ({@link GlobalContrastNormalization#PYLEARN2}: centred,
     * scaled to Euclidean norm 55) followed by ZCA whitening fitted on the training split with
     * ε = {@link ZcaWhitening#DEFAULT_EPSILON} — the CIFAR-10 preprocessing of the Entropy-SGD
     * experiments. Costly for 3072-dimensional images: see {@link ZcaWhitening}.
     */
    GCN_ZCA;

    /**
     * Returns a normalised copy of a split; the input is not modified.
     *
     * @param split images in [0, 1] (any range works, but that is what the statistics assume)
     * @return the normalised split
     */
    public Split apply(Split split) {
        Split copy = new Split(split.train().withImages(split.train().images.clone()),
                split.test().withImages(split.test().images.clone()));
        applyInPlace(copy);
        return copy;
    }

    /** Normalises the arrays of a split in place; loaders call it on arrays nobody else holds. */
    void applyInPlace(Split split) {
        Dataset train = split.train();
        Dataset test = split.test();
        switch (this) {
            case UNIT_RANGE -> {
            }
            case STANDARDIZE -> {
                ChannelStandardization stats = ChannelStandardization.fit(train);
                int plane = train.height() * train.width();
                stats.applyInPlace(train.images, train.channels(), plane);
                stats.applyInPlace(test.images, test.channels(), plane);
            }
            case GCN_ZCA -> {
                GlobalContrastNormalization gcn = GlobalContrastNormalization.PYLEARN2;
                gcn.applyInPlace(train.images, train.exampleSize());
                gcn.applyInPlace(test.images, test.exampleSize());
                ZcaWhitening zca = ZcaWhitening.fit(train.images, train.size(), train.exampleSize(),
                        ZcaWhitening.DEFAULT_EPSILON);
                zca.applyInPlace(train.images, train.size());
                zca.applyInPlace(test.images, test.size());
            }
        }
    }
}
