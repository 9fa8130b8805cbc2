package org.deeprelax.optim;

import java.util.Map;
import java.util.TreeMap;

/**
 * The learning rate as a function of the (1-based) epoch: piecewise constant from a list such as
 * {@code "1:0.1,3:0.01"} (0.1 from epoch 1, 0.01 from epoch 3 on), or a step decay
 * (multiply by a factor every k epochs).
 */
public final class LearningRateSchedule {

    private final TreeMap<Integer, Float> pieces;
    private final float base;
    private final int every;
    private final float factor;

    private LearningRateSchedule(TreeMap<Integer, Float> pieces, float base, int every, float factor) {
        this.pieces = pieces;
        this.base = base;
        this.every = every;
        this.factor = factor;
    }

    /**
     * A constant learning rate.
     *
     * @param lr the rate
     * @return a schedule that always gives {@code lr}
     */
    public static LearningRateSchedule constant(float lr) {
        return stepDecay(lr, Integer.MAX_VALUE, 1f);
    }

    /**
     * A step decay: the rate multiplied by {@code factor} every {@code every} epochs.
     *
     * @param lr the rate of epochs 1 … every
     * @param every epochs between decays (≥ 1)
     * @param factor multiplier at each decay, in (0, 1]
     * @return the schedule lr·factor^⌊(epoch − 1)/every⌋
     */
    public static LearningRateSchedule stepDecay(float lr, int every, float factor) {
        Validate.nonNegative("learning rate", lr);
        if (every < 1) {
            throw new IllegalArgumentException("step decay period = " + every + " is not allowed; it must be ≥ 1");
        }
        Validate.inRange("step decay factor", factor, Float.MIN_VALUE, 1);
        return new LearningRateSchedule(null, lr, every, factor);
    }

    /**
     * Parses {@code "EPOCH:LR,EPOCH:LR,..."}: from each listed epoch on, that rate. The first epoch
     * listed must be 1, and no epoch may be listed twice.
     *
     * @param spec the list
     * @return the schedule
     * @throws IllegalArgumentException naming the bad entry
     */
    public static LearningRateSchedule parse(String spec) {
        TreeMap<Integer, Float> pieces = new TreeMap<>();
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split(":");
            try {
                if (kv.length != 2) {
                    throw new NumberFormatException();
                }
                int epoch = Integer.parseInt(kv[0].trim());
                float lr = Float.parseFloat(kv[1].trim());
                if (epoch < 1) {
                    throw new IllegalArgumentException("learning-rate schedule '" + spec + "': epoch " + epoch
                            + " in '" + part.trim() + "' must be ≥ 1");
                }
                Validate.nonNegative("learning rate in schedule entry '" + part.trim() + "'", lr);
                if (pieces.put(epoch, lr) != null) {
                    throw new IllegalArgumentException("learning-rate schedule '" + spec + "': epoch " + epoch
                            + " appears twice; give each epoch once");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("learning-rate schedule '" + spec + "': entry '" + part.trim()
                        + "' is not EPOCH:LR (for example 1:0.1,3:0.01)");
            }
        }
        if (pieces.isEmpty() || pieces.firstKey() != 1) {
            throw new IllegalArgumentException("learning-rate schedule '" + spec + "' must start at epoch 1 (for example 1:0.1,3:0.01)");
        }
        return new LearningRateSchedule(pieces, 0, 0, 0);
    }

    /**
     * The learning rate of one epoch.
     *
     * @param epoch the 1-based epoch
     * @return the learning rate during it
     */
    public float at(int epoch) {
        if (pieces != null) {
            Map.Entry<Integer, Float> e = pieces.floorEntry(epoch);
            return e == null ? pieces.firstEntry().getValue() : e.getValue();
        }
        if (every == Integer.MAX_VALUE) {
            return base;
        }
        return (float) (base * Math.pow(factor, (epoch - 1) / every));
    }

    @Override
    public String toString() {
        if (pieces != null) {
            StringBuilder sb = new StringBuilder();
            pieces.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ",").append(k).append(':').append(v));
            return sb.toString();
        }
        return every == Integer.MAX_VALUE ? String.valueOf(base) : base + " ×" + factor + " every " + every + " epochs";
    }
}
