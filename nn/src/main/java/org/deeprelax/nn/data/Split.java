package org.deeprelax.nn.data;

/**
 * A dataset's training and test parts, normalised together (statistics come from {@code train} only).
 *
 * @param train the training examples
 * @param test the held-out examples
 */
public record Split(Dataset train, Dataset test) {

    /**
     * Checks that both sides are present.
     *
     * @throws IllegalArgumentException if the parts disagree on image geometry or class count, since
     *         a model trained on one could not be evaluated on the other
     */
    public Split {
        if (train.channels() != test.channels() || train.height() != test.height() || train.width() != test.width()
                || train.numClasses() != test.numClasses()) {
            throw new IllegalArgumentException("train " + train + " and test " + test
                    + " differ in image shape or number of classes");
        }
    }
}
