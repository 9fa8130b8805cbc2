package org.deeprelax.cuda.bindings;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A host-side stand-in for a native library, for tests: every function a binding class binds becomes an
 * upcall stub into a Java {@link Handler}, created with the binding's own C signature. The binding's
 * downcall handles, their {@code invokeExact} call sites and its status checks then run exactly as they
 * do against the real library; only what happens on the other side of the call is Java.
 */
final class StandIn {

    /** What the stand-in's functions do. */
    @FunctionalInterface
    interface Handler {
        /**
         * @param symbol the function called
         * @param args its arguments (pointers as zero-length segments: reinterpret to write through them)
         * @return the return value (an Integer, a Long or a MemorySegment as the signature says), or null
         *     for zero (success, for a status)
         */
        Object call(String symbol, Object[] args);
    }

    private static final MethodHandle DISPATCH;

    static {
        try {
            DISPATCH = MethodHandles.lookup().findStatic(StandIn.class, "dispatch", MethodType.methodType(
                    Object.class, Handler.class, String.class, FunctionDescriptor.class, Object[].class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Exceptions thrown inside handlers (an exception must not cross an upcall: it would end the JVM). */
    static final List<String> FAILURES = Collections.synchronizedList(new ArrayList<>());

    /** The symbols the stand-ins were asked for, in order. */
    static final List<String> CALLS = Collections.synchronizedList(new ArrayList<>());

    private StandIn() {
    }

    /**
     * @param name the library's file name, for messages
     * @param handler what its functions do
     * @return a library whose every function is a stub into {@code handler}
     */
    static NativeLibrary library(String name, Handler handler) {
        Arena arena = Arena.ofAuto();
        return new NativeLibrary(name, null, (symbol, fd) -> Optional.of(stub(symbol, fd, handler, arena)), List.of(),
                List.of());
    }

    private static MemorySegment stub(String symbol, FunctionDescriptor fd, Handler handler, Arena arena) {
        MethodHandle target = MethodHandles.insertArguments(DISPATCH, 0, handler, symbol, fd)
                .asCollector(Object[].class, fd.argumentLayouts().size())
                .asType(fd.toMethodType());
        return Linker.nativeLinker().upcallStub(target, fd, arena);
    }

    private static Object dispatch(Handler handler, String symbol, FunctionDescriptor fd, Object[] args) {
        CALLS.add(symbol);
        try {
            Object r = handler.call(symbol, args);
            if (r != null) {
                return r;
            }
        } catch (Throwable t) {
            FAILURES.add(symbol + ": " + t);
        }
        MemoryLayout ret = fd.returnLayout().orElse(null);
        if (ret == null) {
            return null;
        }
        if (ret instanceof ValueLayout.OfInt) {
            return 0;
        }
        if (ret instanceof ValueLayout.OfLong) {
            return 0L;
        }
        return MemorySegment.NULL;
    }

    /**
     * Writes through a pointer argument.
     *
     * @param pointer an argument that is a pointer
     * @param bytes how many bytes it points at
     * @return the memory it points at
     */
    static MemorySegment at(Object pointer, long bytes) {
        return ((MemorySegment) pointer).reinterpret(bytes);
    }
}
