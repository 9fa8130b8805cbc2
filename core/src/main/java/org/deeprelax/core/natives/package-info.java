/**
 * What the FFM bindings of other modules share (CUDA's in {@code cuda}, Open MPI's in {@code dist}): the
 * search for a native library over explicit directories, with an error that names every place tried, and
 * the wrapper that makes a downcall from code that cannot throw {@code Throwable}.
 */
package org.deeprelax.core.natives;
