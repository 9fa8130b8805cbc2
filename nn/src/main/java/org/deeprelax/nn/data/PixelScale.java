package org.deeprelax.nn.data;

/** The map from a pixel byte to [0, 1], shared by every loader so that all datasets agree exactly. */
final class PixelScale {

    /** {@code TABLE[b] = b / 255f}: a lookup is cheaper than a division per pixel. */
    private static final float[] TABLE = new float[256];

    static {
        for (int b = 0; b < 256; b++) {
            TABLE[b] = b / 255f;
        }
    }

    private PixelScale() {
    }

    /**
     * Converts {@code len} bytes to floats in [0, 1].
     *
     * @param src bytes, read as unsigned
     * @param srcOff first byte
     * @param dst destination
     * @param dstOff first float written
     * @param len how many
     */
    static void toUnit(byte[] src, int srcOff, float[] dst, int dstOff, int len) {
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] = TABLE[src[srcOff + i] & 0xFF];
        }
    }
}
