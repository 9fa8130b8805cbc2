/**
 * Hand-written FFM bindings, one class per native library ({@link org.deeprelax.cuda.bindings.Driver},
 * {@link org.deeprelax.cuda.bindings.Nvrtc}, {@link org.deeprelax.cuda.bindings.Cublas},
 * {@link org.deeprelax.cuda.bindings.Cudnn}), and the discovery of those libraries on disk
 * ({@link org.deeprelax.cuda.bindings.NativeLibraries}). Each call's status is checked and turned into a
 * {@link org.deeprelax.cuda.bindings.CudaException} carrying the library's own error text. Nothing here knows
 * about tensors: the runtime in {@code org.deeprelax.cuda} uses these classes.
 */
package org.deeprelax.cuda.bindings;
