package org.deeprelax.cuda;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

import org.deeprelax.cuda.bindings.Driver;

/**
 * Pinned (page-locked) host buffers through which every host↔device copy goes, so copies are true DMA
 * transfers that overlap with the host.
 *
 * <p>Uploads use a ring of {@link #SLOTS} chunks of {@link #CHUNK_BYTES}; each chunk has an event recorded
 * after the copy that reads it, and a chunk is refilled only once its event has completed. A write of a
 * minibatch therefore returns as soon as its data is in pinned memory, without waiting for the device,
 * unless the ring has wrapped around onto copies that are still queued. Downloads use one chunk: the
 * caller wants the data on the host, so each chunk is waited for anyway.
 */
final class Staging implements AutoCloseable {

    static final long CHUNK_BYTES = 4L << 20;
    static final int SLOTS = 4;

    private final Driver driver;
    private final MemorySegment stream;
    private final MemorySegment[] up = new MemorySegment[SLOTS];
    private final MemorySegment[] upDone = new MemorySegment[SLOTS];
    private final boolean[] upPending = new boolean[SLOTS];
    private final MemorySegment down;
    private int next;

    Staging(Driver driver, MemorySegment stream) {
        this.driver = driver;
        this.stream = stream;
        for (int i = 0; i < SLOTS; i++) {
            up[i] = driver.memAllocHost(CHUNK_BYTES);
            upDone[i] = driver.eventCreate(Driver.EVENT_DISABLE_TIMING);
        }
        down = driver.memAllocHost(CHUNK_BYTES);
    }

    /** Copies {@code n} floats of {@code src} from {@code off} to the device address {@code dst}; asynchronous. */
    void upload(float[] src, int off, int n, long dst) {
        long perChunk = CHUNK_BYTES / 4;
        for (long done = 0; done < n; ) {
            int len = (int) Math.min(perChunk, n - done);
            int slot = next;
            next = (next + 1) % SLOTS;
            if (upPending[slot]) {
                driver.eventSynchronize(upDone[slot]);
            }
            MemorySegment.copy(src, (int) (off + done), up[slot], JAVA_FLOAT, 0, len);
            driver.memcpyHtoDAsync(dst + 4 * done, up[slot], 4L * len, stream);
            driver.eventRecord(upDone[slot], stream);
            upPending[slot] = true;
            done += len;
        }
    }

    /** Copies {@code n} floats from device address {@code src} into {@code dst} at {@code off}; waits for them. */
    void download(long src, float[] dst, int off, int n) {
        long perChunk = CHUNK_BYTES / 4;
        for (long done = 0; done < n; ) {
            int len = (int) Math.min(perChunk, n - done);
            driver.memcpyDtoHAsync(down, src + 4 * done, 4L * len, stream);
            driver.streamSynchronize(stream);
            MemorySegment.copy(down, JAVA_FLOAT, 0, dst, (int) (off + done), len);
            done += len;
        }
    }

    /**
     * Copies {@code bytes} (at most {@link #CHUNK_BYTES}) from the device into the download chunk and waits.
     *
     * @param src device address
     * @param bytes size
     * @return the download chunk, valid until the next download
     */
    MemorySegment downloadRaw(long src, long bytes) {
        driver.memcpyDtoHAsync(down, src, bytes, stream);
        driver.streamSynchronize(stream);
        return down;
    }

    @Override
    public void close() {
        for (int i = 0; i < SLOTS; i++) {
            driver.eventDestroy(upDone[i]);
            driver.memFreeHost(up[i]);
        }
        driver.memFreeHost(down);
    }
}
