package org.deeprelax.core.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.deeprelax.core.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A JVM started without {@code --add-modules jdk.incubator.vector} gets a plain error on the calling
 * thread at the first use of the CPU backend, naming the options to add, rather than a
 * {@code NoClassDefFoundError} from a worker thread.
 */
class VectorApiCheckTest {

    /** What the child JVM runs: one operation, then the error it met. */
    public static void main(String[] args) {
        try {
            Tensor.zeros(4).add(1f);
            System.out.println("no error");
        } catch (RuntimeException e) {
            System.out.println(e.getClass().getName() + " on " + Thread.currentThread().getName() + ": " + e.getMessage());
        }
    }

    @Test
    void aJvmWithoutTheVectorApiIsToldWhichOptionsToAdd() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                VectorApiCheckTest.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("java.lang.IllegalStateException on main:")
                && out.contains("--add-modules jdk.incubator.vector"), out);
    }
}
