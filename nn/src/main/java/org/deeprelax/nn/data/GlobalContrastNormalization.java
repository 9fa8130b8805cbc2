package org.deeprelax.nn.data;

/**
 * Global contrast normalisation of each image on its own, as pylearn2's
 * {@code global_contrast_normalize(X, scale=55.)} with its other defaults
 * ({@code subtract_mean=True, use_std=False, sqrt_bias=0, min_divisor=1e-8}): over all
 * {@code C·H·W} values of one image,
 * <pre>
 *   x ← x − mean(x)
 *   x ← x / (‖x‖₂ / scale)      unless ‖x‖₂ / scale &lt; minDivisor, then x is left centred only
 * </pre>
 * With scale 55 ≈ √3072 a CIFAR-10 image ends with a Euclidean norm of 55, i.e. a root-mean-square
 * pixel of about 1, which is why that constant is the customary one.
 *
 * <p>Note that the Entropy-SGD reference's {@code process_cifar.py} divides by the per-image sample
 * standard deviation instead (ddof = 1, no scale), which differs from this only by the constant factor
 * {@code 55/√(3071)} ≈ 0.99 per image; the ZCA step after it is insensitive to such a global factor
 * except through its regulariser ε.
 *
 * <p>Being per image, it uses no statistics of other images, so train and test are treated alike.
 *
 * @param scale the Euclidean norm each image ends with
 * @param minDivisor below this, {@code ‖x‖₂ / scale} is replaced by 1 (a flat image is not blown up)
 */
public record GlobalContrastNormalization(double scale, double minDivisor) {

    /** pylearn2's CIFAR-10 setting: scale 55, minimum divisor 1e-8. */
    public static final GlobalContrastNormalization PYLEARN2 = new GlobalContrastNormalization(55, 1e-8);

    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException unless both parameters are positive and finite
     */
    public GlobalContrastNormalization {
        if (!(scale > 0) || !(minDivisor > 0) || Double.isInfinite(scale) || Double.isInfinite(minDivisor)) {
            throw new IllegalArgumentException("scale " + scale + " and minDivisor " + minDivisor
                    + " must be positive and finite");
        }
    }

    /**
     * Normalises every image of a dataset.
     *
     * @param data a dataset
     * @return a copy with each image normalised
     */
    public Dataset apply(Dataset data) {
        float[] out = data.images.clone();
        applyInPlace(out, data.exampleSize());
        return data.withImages(out);
    }

    /**
     * Normalises every image of an example-major array in place, in double precision per image.
     *
     * @param x the images
     * @param exampleSize floats per image
     */
    public void applyInPlace(float[] x, int exampleSize) {
        for (int base = 0; base + exampleSize <= x.length; base += exampleSize) {
            double sum = 0;
            for (int i = base; i < base + exampleSize; i++) {
                sum += x[i];
            }
            double mean = sum / exampleSize;
            double sq = 0;
            for (int i = base; i < base + exampleSize; i++) {
                double dev = x[i] - mean;
                sq += dev * dev;
            }
            double divisor = Math.sqrt(sq) / scale;
            if (divisor < minDivisor) {
                divisor = 1;
            }
            double k = 1 / divisor;
            for (int i = base; i < base + exampleSize; i++) {
                x[i] = (float) ((x[i] - mean) * k);
            }
        }
    }
}
