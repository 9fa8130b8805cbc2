package org.deeprelax.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.deeprelax.cuda.bindings.Driver;

/**
 * One kernel function and its argument block, laid out once. {@code cuLaunchKernel} takes an array of
 * pointers, one per parameter, each to the parameter's value; here both the value area and the pointer
 * array are allocated once per kernel, and since a kernel's parameter list never changes, each launch
 * only rewrites the values in place (the pointer array is the same every time). The driver copies the
 * values when the launch is queued, so the block can be rewritten for the next launch at once, and a
 * CUDA graph capturing the launch records the values, not the block.
 *
 * <p>Usage: {@code k.args().ptr(x).i32(n).f32(a); k.launch(grid, block)}. Not thread-safe.
 */
final class Kernel {

    private static final int VALUE_BYTES = 512;
    private static final int MAX_PARAMS = 32;

    private final Driver driver;
    private final MemorySegment function;
    private final String name;
    private final MemorySegment stream;
    private final MemorySegment values;
    private final MemorySegment pointers;
    private int offset;
    private int count;

    Kernel(Driver driver, MemorySegment function, String name, MemorySegment stream, Arena arena) {
        this.driver = driver;
        this.function = function;
        this.name = name;
        this.stream = stream;
        this.values = arena.allocate(VALUE_BYTES, 16);
        this.pointers = arena.allocate(ADDRESS, MAX_PARAMS);
    }

    /**
     * Returns this, with the argument list emptied.
     *
     * @return this, with the argument list emptied
     */
    Kernel args() {
        offset = 0;
        count = 0;
        return this;
    }

    private long slot(int size, int align) {
        offset = (offset + align - 1) / align * align;
        if (offset + size > VALUE_BYTES || count == MAX_PARAMS) {
            throw new IllegalStateException(name + ": too many kernel arguments");
        }
        long at = offset;
        pointers.setAtIndex(ADDRESS, count++, values.asSlice(at, size));
        offset += size;
        return at;
    }

    /**
     * Appends a device pointer argument.
     *
     * @param devicePtr a device pointer argument
     * @return this
     */
    Kernel ptr(long devicePtr) {
        values.set(JAVA_LONG, slot(8, 8), devicePtr);
        return this;
    }

    /**
     * Appends an {@code int} argument.
     *
     * @param v an {@code int} argument
     * @return this
     */
    Kernel i32(int v) {
        values.set(JAVA_INT, slot(4, 4), v);
        return this;
    }

    /**
     * Appends a {@code float} argument.
     *
     * @param v a {@code float} argument
     * @return this
     */
    Kernel f32(float v) {
        values.set(JAVA_FLOAT, slot(4, 4), v);
        return this;
    }

    /**
     * Appends an {@code unsigned long long} argument.
     *
     * @param v an {@code unsigned long long} argument (bits as given)
     * @return this
     */
    Kernel u64(long v) {
        values.set(JAVA_LONG, slot(8, 8), v);
        return this;
    }

    /**
     * Appends a by-value struct of {@code int} fields.
     *
     * @param ints a by-value struct made only of {@code int} fields, in declaration order
     * @return this
     */
    Kernel intStruct(int[] ints) {
        long at = slot(4 * ints.length, 4);
        for (int i = 0; i < ints.length; i++) {
            values.set(JAVA_INT, at + 4L * i, ints[i]);
        }
        return this;
    }

    /**
     * Queues the kernel with the arguments set since {@link #args()}.
     *
     * @param grid blocks (x)
     * @param block threads per block (x)
     */
    void launch(int grid, int block) {
        driver.launchKernel(function, grid, 1, 1, block, 1, 1, 0, stream, pointers, name);
    }
}
