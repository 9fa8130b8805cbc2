package org.deeprelax.core;

/**
 * A service that creates backends other than the CPU's, found at run time with {@link java.util.ServiceLoader}
 * so that {@code core} never depends on the modules that implement them (the CUDA backend registers one in
 * its {@code META-INF/services}).
 */
public interface BackendProvider {

    /**
     * Returns the device kind this provider creates, such as {@code cuda}; matched case-insensitively.
     *
     * @return the device kind this provider creates, such as {@code cuda}; matched case-insensitively
     */
    String name();

    /**
     * Creates a backend on one device.
     *
     * @param device the device ordinal
     * @return a new backend; the caller closes it if it is {@link AutoCloseable}
     * @throws RuntimeException naming what is missing (driver, library, device) and where it was looked for
     */
    Backend create(int device);
}
