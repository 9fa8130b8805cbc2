package org.deeprelax.nn.data;

/**
 * Per-channel standardisation {@code x ← (x − mean[c]) / std[c]}, with the statistics of one dataset
 * (the training split) applied to any other of the same geometry, so that the test split sees exactly
 * the transformation the model was trained with.
 *
 * <p>For a single-channel dataset (MNIST, Fashion-MNIST) this is the usual scalar standardisation.
 * The statistics are population values (divide by the count, not count − 1) accumulated in double,
 * in two passes (mean, then squared deviations) so that no precision is lost to cancellation.
 *
 * @param mean the mean of each channel
 * @param std the standard deviation of each channel; 1 for a constant channel, so that it is only
 *        centred instead of divided by zero
 */
public record ChannelStandardization(double[] mean, double[] std) {

    /**
     * Measures a dataset's per-channel mean and standard deviation.
     *
     * @param data the dataset, normally the training split
     * @return the statistics
     */
    public static ChannelStandardization fit(Dataset data) {
        int channels = data.channels();
        int plane = data.height() * data.width();
        float[] x = data.images;
        int n = data.size();
        double[] mean = new double[channels];
        for (int e = 0; e < n; e++) {
            for (int c = 0; c < channels; c++) {
                int base = (e * channels + c) * plane;
                double s = 0;
                for (int k = 0; k < plane; k++) {
                    s += x[base + k];
                }
                mean[c] += s;
            }
        }
        double count = (double) n * plane;
        for (int c = 0; c < channels; c++) {
            mean[c] /= count;
        }
        double[] std = new double[channels];
        for (int e = 0; e < n; e++) {
            for (int c = 0; c < channels; c++) {
                int base = (e * channels + c) * plane;
                double m = mean[c];
                double s = 0;
                for (int k = 0; k < plane; k++) {
                    double dev = x[base + k] - m;
                    s += dev * dev;
                }
                std[c] += s;
            }
        }
        for (int c = 0; c < channels; c++) {
            double sd = Math.sqrt(std[c] / count);
            std[c] = sd > 0 ? sd : 1;
        }
        return new ChannelStandardization(mean, std);
    }

    /**
     * Standardises every channel of a dataset with these statistics.
     *
     * @param data a dataset with as many channels as these statistics
     * @return a standardised copy
     */
    public Dataset apply(Dataset data) {
        float[] out = data.images.clone();
        applyInPlace(out, data.channels(), data.height() * data.width());
        return data.withImages(out);
    }

    /** Standardises an example-major image array in place; loaders use it on arrays they own. */
    void applyInPlace(float[] x, int channels, int plane) {
        if (channels != mean.length) {
            throw new IllegalArgumentException("statistics for " + mean.length + " channels applied to images with "
                    + channels);
        }
        float[] shift = new float[channels];
        float[] scale = new float[channels];
        for (int c = 0; c < channels; c++) {
            shift[c] = (float) mean[c];
            scale[c] = (float) (1 / std[c]);
        }
        int stride = channels * plane;
        for (int base = 0; base < x.length; base += stride) {
            for (int c = 0; c < channels; c++) {
                int from = base + c * plane;
                float m = shift[c];
                float k = scale[c];
                for (int i = from; i < from + plane; i++) {
                    x[i] = (x[i] - m) * k;
                }
            }
        }
    }
}
