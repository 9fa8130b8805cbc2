package org.deeprelax.optim;

/**
 * How an optimizer treats one parameter group of its arena, relative to its own settings: the group's
 * learning rate is {@code lrScale} times the optimizer's (the rate a schedule sets; for Entropy-SGD and HJ
 * the outer step's), and each of the optimizer's weight-decay coefficients is multiplied by
 * {@code weightDecayScale} in the group, so {@link #noWeightDecay()} keeps the group out of decay. Each
 * group is still updated in one fused pass, with its own scalars.
 *
 * @param lrScale the factor of the learning rate, ≥ 0
 * @param weightDecayScale the factor of every weight-decay coefficient, ≥ 0
 */
public record GroupOptions(float lrScale, float weightDecayScale) {

    /** The optimizer's own learning rate and weight decay. */
    public static final GroupOptions DEFAULT = new GroupOptions(1f, 1f);

    /**
     * Checks both factors.
     *
     * @param lrScale the factor of the learning rate
     * @param weightDecayScale the factor of the weight decay
     */
    public GroupOptions {
        Validate.nonNegative("learning-rate scale", lrScale);
        Validate.nonNegative("weight-decay scale", weightDecayScale);
    }

    /**
     * No weight decay in the group, the usual treatment of biases and batch-norm gains and shifts.
     *
     * @return the options
     */
    public static GroupOptions noWeightDecay() {
        return new GroupOptions(1f, 0f);
    }

    /**
     * A learning rate {@code scale} times the optimizer's, with its weight decay.
     *
     * @param scale the factor
     * @return the options
     */
    public static GroupOptions lrScale(float scale) {
        return new GroupOptions(scale, 1f);
    }
}
