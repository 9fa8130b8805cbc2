/**
 * The tensor core: {@link org.deeprelax.core.Tensor} (float32, NCHW, row-major views into a backend's
 * {@link org.deeprelax.core.Storage}), define-by-run autograd with each operation's backward beside its
 * forward, and the {@link org.deeprelax.core.Backend} interface every operation dispatches to.
 */
package org.deeprelax.core;
