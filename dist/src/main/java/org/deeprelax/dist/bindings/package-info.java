/**
 * Hand-written FFM bindings to Open MPI ({@link org.deeprelax.dist.bindings.Mpi}) and where its library is
 * looked for ({@link org.deeprelax.dist.bindings.MpiLibraries}). Each call's return code is checked and turned
 * into a {@link org.deeprelax.dist.bindings.MpiException} carrying MPI's own error text. Nothing here knows about
 * replicas or timeouts: the communicator in {@code org.deeprelax.dist} uses these classes.
 */
package org.deeprelax.dist.bindings;
