package org.deeprelax.core.natives;

/**
 * Runs a downcall's {@code invokeExact}, which is declared to throw {@code Throwable}, from code that cannot:
 * runtime exceptions and errors pass through unchanged, anything else (which a downcall does not throw in
 * practice) is wrapped.
 */
public final class NativeCalls {

    /** A downcall that returns a C {@code int}, typically a status code. */
    @FunctionalInterface
    public interface IntCall {
        /**
         * Makes the call.
         *
         * @return what the C function returned
         * @throws Throwable as {@code MethodHandle.invokeExact} declares
         */
        int run() throws Throwable;
    }

    /** A downcall that returns something else, such as a pointer. */
    @FunctionalInterface
    public interface ObjectCall {
        /**
         * Makes the call.
         *
         * @return what the C function returned
         * @throws Throwable as {@code MethodHandle.invokeExact} declares
         */
        Object run() throws Throwable;
    }

    private NativeCalls() {
    }

    /**
     * Makes a call that returns an {@code int}.
     *
     * @param c the call
     * @return its result
     */
    public static int call(IntCall c) {
        try {
            return c.run();
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /**
     * Makes a call that returns anything else.
     *
     * @param c the call
     * @return its result
     */
    public static Object callObject(ObjectCall c) {
        try {
            return c.run();
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return t instanceof RuntimeException r ? r : new IllegalStateException("native call failed", t);
    }
}
