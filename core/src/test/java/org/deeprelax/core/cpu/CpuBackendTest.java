package org.deeprelax.core.cpu;

import org.deeprelax.core.Backend;
import org.deeprelax.core.BackendContractTest;

/** The backend contract on the pure-Java CPU backend. */
class CpuBackendTest extends BackendContractTest {

    @Override
    protected Backend backend() {
        return CpuBackend.get();
    }
}
