/**
 * Modules and models: {@link org.deeprelax.nn.Module} trees whose parameters {@link org.deeprelax.nn.Model}
 * places in flat arenas (values, gradients, buffers), the layers, the reference networks, and the
 * datasets and loaders that feed them.
 */
package org.deeprelax.nn;
