/**
 * Jobs of several processes on MPI: {@link org.deeprelax.dist.MpiCommunicator}, found at run time through
 * {@link org.deeprelax.dist.MpiCommunicatorProvider} so that the library modules need no MPI. The bindings are
 * in {@code org.deeprelax.dist.bindings}.
 */
package org.deeprelax.dist;
