package org.deeprelax.nn.models;

import java.util.List;

import org.deeprelax.nn.Module;
import org.deeprelax.nn.layers.AvgPool2d;
import org.deeprelax.nn.layers.BatchNorm1d;
import org.deeprelax.nn.layers.BatchNorm2d;
import org.deeprelax.nn.layers.Conv2d;
import org.deeprelax.nn.layers.Dropout;
import org.deeprelax.nn.layers.Flatten;
import org.deeprelax.nn.layers.Linear;
import org.deeprelax.nn.layers.MaxPool2d;
import org.deeprelax.nn.layers.ReLU;
import org.deeprelax.nn.layers.Sequential;

/**
 * The networks of the Entropy-SGD and Deep Relaxation experiments, as the authors' Deep Relaxation code
 * defines them. Each takes NCHW batches and returns logits; parameters are named by their layers,
 * such as {@code fc1.weight} (mnistfc), {@code features.conv1.weight} (LeNet) or {@code block1.conv.weight}
 * (All-CNN-BN).
 */
public final class Models {

    /** The names {@link #create} accepts. */
    public static final List<String> NAMES = List.of("mnistfc", "lenet", "allcnn");

    private Models() {
    }

    /**
     * Builds one of the networks by name.
     *
     * @param name one of {@link #NAMES}
     * @return that network with its default dropout
     * @throws IllegalArgumentException naming the allowed values otherwise
     */
    public static Module create(String name) {
        return switch (name) {
            case "mnistfc" -> mnistfc(0.2f);
            case "lenet" -> lenet(0.25f);
            case "allcnn" -> allcnn();
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; choose one of " + NAMES);
        };
    }

    /**
     * The shape of one input example of a network.
     *
     * @param name one of {@link #NAMES}
     * @return the input shape of one example, {@code [c, h, w]}
     */
    public static int[] inputShape(String name) {
        return name.equals("allcnn") ? new int[] {3, 32, 32} : new int[] {1, 28, 28};
    }

    /**
     * mnistfc: input dropout, then 2 × [Linear 1024, ReLU, BatchNorm, Dropout], then Linear 10.
     *
     * @param dropout drop probability of every dropout layer
     * @return the network, for [n, 1, 28, 28] input
     */
    public static Module mnistfc(float dropout) {
        return new Sequential()
                .add("flatten", new Flatten()).add("drop0", new Dropout(dropout))
                .add("fc1", new Linear(784, 1024)).add("relu1", new ReLU()).add("bn1", new BatchNorm1d(1024))
                .add("drop1", new Dropout(dropout))
                .add("fc2", new Linear(1024, 1024)).add("relu2", new ReLU()).add("bn2", new BatchNorm1d(1024))
                .add("drop2", new Dropout(dropout))
                .add("fc3", new Linear(1024, 10));
    }

    /**
     * LeNet: Conv 20@5×5 → ReLU → MaxPool 3/3 → BN → Dropout; Conv 50@5×5 → ReLU → MaxPool 2/2 → BN →
     * Dropout; Linear 200→500 → ReLU → Dropout → Linear 10. The convolutions are the child
     * {@code features}, the rest {@code classifier}.
     *
     * @param dropout drop probability of every dropout layer
     * @return the network, for [n, 1, 28, 28] input
     */
    public static Module lenet(float dropout) {
        Sequential features = new Sequential()
                .add("conv1", new Conv2d(1, 20, 5, 1, 0, true)).add("relu1", new ReLU())
                .add("pool1", new MaxPool2d(3, 3, 0)).add("bn1", new BatchNorm2d(20)).add("drop1", new Dropout(dropout))
                .add("conv2", new Conv2d(20, 50, 5, 1, 0, true)).add("relu2", new ReLU())
                .add("pool2", new MaxPool2d(2, 2, 0)).add("bn2", new BatchNorm2d(50)).add("drop2", new Dropout(dropout));
        Sequential classifier = new Sequential()
                .add("flatten", new Flatten()).add("fc1", new Linear(200, 500)).add("relu", new ReLU())
                .add("drop", new Dropout(dropout)).add("fc2", new Linear(500, 10));
        return new Sequential().add("features", features).add("classifier", classifier);
    }

    /**
     * All-CNN-BN: Dropout 0.2; 3 × [Conv3×3 96, BN, ReLU] (third stride 2); Dropout 0.5;
     * 3 × [Conv3×3 192, BN, ReLU] (third stride 2); Dropout 0.5; 2 × [Conv3×3 192, BN, ReLU];
     * [Conv1×1 10, BN, ReLU]; average pool 8×8. Convolutions before batch-norm have no bias. Each
     * [Conv, BN, ReLU] is a child {@code blockN} with children {@code conv}, {@code bn}, {@code relu}.
     *
     * @return the network, for [n, 3, 32, 32] input
     */
    public static Module allcnn() {
        return new Sequential()
                .add("drop0", new Dropout(0.2f))
                .add("block1", convBnRelu(3, 96, 3, 1, 1)).add("block2", convBnRelu(96, 96, 3, 1, 1))
                .add("block3", convBnRelu(96, 96, 3, 2, 1))
                .add("drop1", new Dropout(0.5f))
                .add("block4", convBnRelu(96, 192, 3, 1, 1)).add("block5", convBnRelu(192, 192, 3, 1, 1))
                .add("block6", convBnRelu(192, 192, 3, 2, 1))
                .add("drop2", new Dropout(0.5f))
                .add("block7", convBnRelu(192, 192, 3, 1, 1)).add("block8", convBnRelu(192, 192, 3, 1, 1))
                .add("block9", convBnRelu(192, 10, 1, 1, 0))
                .add("pool", new AvgPool2d(8, 8, 0)).add("flatten", new Flatten());
    }

    private static Module convBnRelu(int in, int out, int kernel, int stride, int padding) {
        return new Sequential().add("conv", new Conv2d(in, out, kernel, stride, padding, false))
                .add("bn", new BatchNorm2d(out)).add("relu", new ReLU());
    }
}
