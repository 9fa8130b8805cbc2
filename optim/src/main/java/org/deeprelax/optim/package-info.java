/**
 * Optimizers over flat parameter arenas, each with {@code step(closure)}: {@link org.deeprelax.optim.Sgd}
 * so far, Entropy-SGD and HJ to come; every update is one fused backend pass over the arena.
 */
package org.deeprelax.optim;
