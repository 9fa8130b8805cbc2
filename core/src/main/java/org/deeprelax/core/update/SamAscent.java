package org.deeprelax.core.update;

/**
 * The scalars of SAM's ascent to the worst point of its neighbourhood (Foret et al. 2021), or ASAM's
 * (Kwon et al. 2021), handed to {@link FusedUpdates#samAscent}. With w the parameters and g the
 * gradient there, T the normalisation (the identity for SAM, {@code diag(|w| + η)} for ASAM):
 *
 * <pre>
 *   s = ρ / (‖T·g‖₂ + 1e-12)             over the whole arena, accumulated in double
 *   e = s·T²·g
 *   anchor ← w;  w ← w + e
 * </pre>
 *
 * @param rho ρ, the radius of the neighbourhood
 * @param adaptive whether the neighbourhood scales with |w| (ASAM)
 * @param eta η, ASAM's offset that keeps zero weights perturbable (ignored by SAM)
 */
public record SamAscent(float rho, boolean adaptive, float eta) {

    /** Added to the norm so that a zero gradient gives a zero perturbation (as the reference code). */
    public static final double NORM_FLOOR = 1e-12;

    /**
     * The factor of T²·g in the perturbation.
     *
     * @param squaredNorm ‖T·g‖₂², accumulated in double
     * @return s, the factor of T²·g, rounded once to float
     */
    public float scale(double squaredNorm) {
        return (float) (rho / (Math.sqrt(squaredNorm) + NORM_FLOOR));
    }
}
