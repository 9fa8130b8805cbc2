/**
 * Optimizers over {@link org.deeprelax.core.ParameterArena}s, each with {@code step(closure)}:
 * {@link org.deeprelax.optim.Sgd}, {@link org.deeprelax.optim.EntropySgd}, {@link org.deeprelax.optim.Hj},
 * {@link org.deeprelax.optim.Adam} (and AdamW) and {@link org.deeprelax.optim.Sam} (and ASAM). Each
 * optimizer's settings are an immutable record made by its builder, and create optimizers over any number
 * of arenas; every update is one fused backend pass per parameter group. {@link org.deeprelax.optim.Recipe}
 * holds the papers' and reference code's settings per network, learning-rate schedules are
 * {@link org.deeprelax.optim.LearningRateSchedule}, and the subpackage {@code landscape} the 1-D
 * landscape of the paper's figure (local entropy, viscous Hamilton-Jacobi PDE, Moreau envelope). The
 * module depends on {@code core} alone.
 */
package org.deeprelax.optim;
