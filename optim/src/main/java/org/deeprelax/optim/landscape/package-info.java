/**
 * The 1-D landscape of the Deep Relaxation paper and the three ways of smoothing it that the paper
 * compares: the local entropy by quadrature ({@link org.deeprelax.optim.landscape.LocalEntropy}), the same
 * function as the solution of the viscous Hamilton-Jacobi equation by finite differences
 * ({@link org.deeprelax.optim.landscape.LocalEntropyPde}), and its β → ∞ limit, the Moreau envelope
 * ({@link org.deeprelax.optim.landscape.MoreauEnvelope}). {@link org.deeprelax.optim.landscape.Landscape}
 * tabulates all of them on a grid; {@code deeprelax landscape} writes the table and a plot.
 *
 * <p>Everything here is double precision and uses only the JDK: it is a reference for the optimizers,
 * not part of the training path. See {@code docs/landscape.md} for the equations.
 */
package org.deeprelax.optim.landscape;
