package org.deeprelax.core;

import org.deeprelax.core.cpu.CpuBackend;

/** Where backends are found. The CPU backend is always there and is the default. */
public final class Backends {

    private Backends() {
    }

    /** @return the pure-Java CPU backend */
    public static Backend cpu() {
        return CpuBackend.INSTANCE;
    }
}
