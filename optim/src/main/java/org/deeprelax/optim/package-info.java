/**
 * Optimizers over flat parameter arenas (to come): SGD, Entropy-SGD and HJ, each with
 * {@code step(closure)} and each update one fused pass over the arena.
 */
package org.deeprelax.optim;
