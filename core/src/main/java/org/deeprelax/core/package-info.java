/**
 * The tensor core: {@link org.deeprelax.core.Tensor} (float32, NCHW, row-major views into a backend's
 * {@link org.deeprelax.core.Storage}), define-by-run autograd with each operation's backward beside its
 * forward, and the {@link org.deeprelax.core.Backend} interface every operation dispatches to.
 *
 * <p>The operations are static methods of small families ({@link org.deeprelax.core.Elementwise},
 * {@link org.deeprelax.core.Reductions}, {@link org.deeprelax.core.Layout}, {@link org.deeprelax.core.MatMul},
 * {@link org.deeprelax.core.Softmax}, {@link org.deeprelax.core.Losses}, {@link org.deeprelax.core.Conv},
 * {@link org.deeprelax.core.Pool}, {@link org.deeprelax.core.BatchNorm}, {@link org.deeprelax.core.LayerNorm},
 * {@link org.deeprelax.core.Dropout}), each recorded through {@link org.deeprelax.core.Autograd#record},
 * the same call an operation of one's own makes.
 */
package org.deeprelax.core;
