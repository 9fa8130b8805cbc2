package org.deeprelax.nn.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Builds a dataset from a pair of IDX files in the MNIST layout: images {@code [N, H, W]} of unsigned
 * bytes and labels {@code [N]} of class indices. Pixels are scaled to [0, 1]; normalisation is the
 * caller's business.
 */
final class IdxDatasetReader {

    private IdxDatasetReader() {
    }

    /**
     * Reads an IDX images file and its labels file into a dataset.
     *
     * @param name the dataset's name
     * @param imagesFile the image file
     * @param labelsFile the label file
     * @param numClasses labels must lie in {@code [0, numClasses)}
     * @return the dataset, one channel
     * @throws DataFileException if a file is missing or malformed, a label is out of range, or the
     *         counts of the two files differ
     * @throws IOException if reading fails
     */
    static Dataset read(String name, Path imagesFile, Path labelsFile, int numClasses) throws IOException {
        IdxFile images = IdxReader.read(imagesFile);
        if (images.rank() != 3) {
            throw DataFileException.at(images.file(), 3, images.gzipped(), "an image file must have rank 3 "
                    + "(count, rows, columns), but this one has rank " + images.rank() + " (" + images.dimsText() + ")");
        }
        IdxFile labels = IdxReader.read(labelsFile);
        if (labels.rank() != 1) {
            throw DataFileException.at(labels.file(), 3, labels.gzipped(), "a label file must have rank 1 "
                    + "(count), but this one has rank " + labels.rank() + " (" + labels.dimsText() + ")");
        }
        if (images.count() != labels.count()) {
            throw new DataFileException("image and label files disagree: " + images.file() + " holds "
                    + images.count() + " images but " + labels.file() + " holds " + labels.count() + " labels",
                    labels.file(), -1);
        }
        int n = labels.count();
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int v = labels.unsigned(i);
            if (v >= numClasses) {
                throw DataFileException.at(labels.file(), labels.dataOffset() + i, labels.gzipped(), "label " + v
                        + " of item " + i + " is out of range: classes are 0.." + (numClasses - 1));
            }
            y[i] = v;
        }
        int h = images.dims()[1];
        int w = images.dims()[2];
        float[] x = new float[images.data().length];
        PixelScale.toUnit(images.data(), 0, x, 0, x.length);
        return new Dataset(name, x, y, 1, h, w, numClasses);
    }
}
