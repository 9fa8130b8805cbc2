package org.deeprelax.nn.data;

/**
 * A labelled image dataset held in memory: {@code N} examples, each a {@code C×H×W} float image and an
 * integer class label in {@code [0, numClasses)}.
 *
 * <p>All images live in one {@code float[]} of {@code N·C·H·W} elements, example-major and then
 * row-major inside an example (channel planes, rows, columns): one array keeps 60,000 MNIST images
 * at 188 MB with no per-object overhead, and a batch is assembled by contiguous copies.
 *
 * <p>A dataset is treated as immutable once built. {@link #images()} hands out the backing array
 * rather than a copy, because copying hundreds of megabytes for a read is not affordable; callers
 * must not modify it.
 */
public final class Dataset {

    private final String name;
    private final int channels;
    private final int height;
    private final int width;
    private final int numClasses;
    final float[] images;
    final int[] labels;

    /**
     * A dataset over arrays it takes as they are.
     *
     * @param name a short name for messages and logs, e.g. {@code "mnist/train"}
     * @param images {@code N·C·H·W} pixel values, example-major (not copied: the dataset owns it now)
     * @param labels {@code N} class indices (not copied)
     * @param channels C
     * @param height H
     * @param width W
     * @param numClasses the number of classes; every label must be below it
     * @throws IllegalArgumentException if the sizes disagree or a label is out of range
     */
    public Dataset(String name, float[] images, int[] labels, int channels, int height, int width, int numClasses) {
        if (channels <= 0 || height <= 0 || width <= 0 || numClasses <= 0) {
            throw new IllegalArgumentException("dataset " + name + ": channels " + channels + ", height " + height
                    + ", width " + width + " and numClasses " + numClasses + " must all be positive");
        }
        long exampleSize = (long) channels * height * width;
        if ((long) labels.length * exampleSize != images.length) {
            throw new IllegalArgumentException("dataset " + name + ": " + images.length + " pixel values are not "
                    + labels.length + " images of " + channels + "×" + height + "×" + width);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("dataset " + name + ": label " + labels[i] + " of example " + i
                        + " is outside 0.." + (numClasses - 1));
            }
        }
        this.name = name;
        this.images = images;
        this.labels = labels;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.numClasses = numClasses;
    }

    /**
     * Returns the name, e.g. {@code "mnist/train"}.
     *
     * @return the name, e.g. {@code "mnist/train"}
     */
    public String name() {
        return name;
    }

    /**
     * Returns N, the number of examples.
     *
     * @return N, the number of examples
     */
    public int size() {
        return labels.length;
    }

    /**
     * Returns C, channels per image.
     *
     * @return C, channels per image
     */
    public int channels() {
        return channels;
    }

    /**
     * Returns H, rows per image.
     *
     * @return H, rows per image
     */
    public int height() {
        return height;
    }

    /**
     * Returns W, columns per image.
     *
     * @return W, columns per image
     */
    public int width() {
        return width;
    }

    /**
     * Returns {@code C·H·W}, the floats per example.
     *
     * @return {@code C·H·W}, the floats per example
     */
    public int exampleSize() {
        return channels * height * width;
    }

    /**
     * Returns the number of classes.
     *
     * @return the number of classes
     */
    public int numClasses() {
        return numClasses;
    }

    /**
     * The backing array of every image, example-major; element {@code (n, c, y, x)} is at
     * {@code ((n·C + c)·H + y)·W + x}. Not a copy: do not modify it.
     *
     * @return the pixels
     */
    public float[] images() {
        return images;
    }

    /**
     * Reads one pixel.
     *
     * @param n an example index
     * @param c a channel
     * @param y a row
     * @param x a column
     * @return that pixel
     */
    public float pixel(int n, int c, int y, int x) {
        if (n < 0 || n >= size() || c < 0 || c >= channels || y < 0 || y >= height || x < 0 || x >= width) {
            throw new IndexOutOfBoundsException("pixel (" + n + ", " + c + ", " + y + ", " + x + ") is outside "
                    + size() + "×" + channels + "×" + height + "×" + width);
        }
        return images[((n * channels + c) * height + y) * width + x];
    }

    /**
     * Reads one example's label.
     *
     * @param n an example index
     * @return its class label
     */
    public int label(int n) {
        return labels[n];
    }

    /**
     * Returns a copy of all labels.
     *
     * @return a copy of all labels
     */
    public int[] labels() {
        return labels.clone();
    }

    /**
     * Returns how many examples each class has, indexed by class.
     *
     * @return how many examples each class has, indexed by class
     */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /**
     * The same labels and geometry with other pixels; how normalisation builds its result.
     *
     * @param newImages the pixels, same length (not copied)
     * @return the new dataset
     */
    public Dataset withImages(float[] newImages) {
        return new Dataset(name, newImages, labels, channels, height, width, numClasses);
    }

    /**
     * The examples at {@code indices}, in that order, as a data set of their own (copied).
     *
     * @param name the new data set's name
     * @param indices example indices, each in [0, size()); repeats allowed
     * @return the selection
     * @throws IndexOutOfBoundsException naming an index outside the data set
     */
    public Dataset select(String name, int[] indices) {
        int size = exampleSize();
        float[] img = new float[indices.length * size];
        int[] lab = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            if (i < 0 || i >= size()) {
                throw new IndexOutOfBoundsException("select: index " + i + " is outside the " + size() + " examples of "
                        + this.name);
            }
            System.arraycopy(images, i * size, img, k * size, size);
            lab[k] = labels[i];
        }
        return new Dataset(name, img, lab, channels, height, width, numClasses);
    }

    /** Shows the name, the shape and the number of classes. */
    @Override
    public String toString() {
        return "Dataset[" + name + ", " + size() + "×" + channels + "×" + height + "×" + width + ", "
                + numClasses + " classes]";
    }
}
