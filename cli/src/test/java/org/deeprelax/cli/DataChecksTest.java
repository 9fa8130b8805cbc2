package org.deeprelax.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.deeprelax.nn.data.Datasets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data that does not fit the model or the batch is refused before a step, with both sizes named. */
@Tag("reliability")
class DataChecksTest {

    @TempDir
    static Path shared;
    static Path mnist;
    static Path mnist32;
    static Path cifar;

    @BeforeAll
    static void files() throws Exception {
        mnist = TinyData.mnist(shared.resolve("tiny"), 128, 64);
        mnist32 = Files.createDirectories(shared.resolve("mnist32"));
        int[] counts = {8, 8, 4, 4};
        for (int i = 0; i < 4; i++) {
            int[] dims = i % 2 == 0 ? new int[] {counts[i], 32, 32} : new int[] {counts[i]};
            int size = i % 2 == 0 ? counts[i] * 32 * 32 : counts[i];
            Files.write(mnist32.resolve(Datasets.MNIST_FILES.get(i).replace(".gz", "")), TinyData.idx(dims, new byte[size]));
        }
        cifar = Files.createDirectories(shared.resolve("cifar"));
        for (String f : Datasets.CIFAR10_TRAIN_FILES) {
            Files.write(cifar.resolve(f), new byte[20 * 3073]);
        }
        Files.write(cifar.resolve(Datasets.CIFAR10_TEST_FILE), new byte[10 * 3073]);
    }

    private static void assertRefusedBeforeTraining(MainTest.Outcome o, String... phrases) {
        assertEquals(2, o.code(), o.err());
        for (String p : phrases) {
            assertTrue(o.err().contains(p), "'" + p + "' in: " + o.err());
        }
        assertFalse(o.out().contains("epoch 1"), o.out());
        assertFalse(o.err().contains("\tat org."), "no stack trace: " + o.err());
    }

    @Test
    void idxImagesOfAnotherSizeAreRefusedUpFront(@TempDir Path tmp) {
        MainTest.Outcome o = MainTest.run("train", "--model", "lenet", "--data", "mnist:" + mnist32, "--out",
                tmp.resolve("r").toString());
        assertRefusedBeforeTraining(o, "model lenet takes [1, 28, 28] images, but --data mnist:" + mnist32
                + " holds [1, 32, 32] images");
    }

    @Test
    void evalChecksTheDataAgainstTheCheckpointsModel(@TempDir Path tmp) {
        Path run = tmp.resolve("r");
        assertEquals(0, MainTest.run("train", "--model", "mnistfc", "--data", "mnist:" + mnist, "--epochs", "1",
                "--batch-size", "32", "--out", run.toString()).code());
        String checkpoint = run.resolve("checkpoint.state").toString();
        assertRefusedBeforeTraining(MainTest.run("eval", "--checkpoint", checkpoint, "--data", "cifar10:" + cifar),
                "model mnistfc takes [1, 28, 28] images, but --data cifar10:" + cifar + " holds [3, 32, 32] images");
        assertRefusedBeforeTraining(MainTest.run("eval", "--checkpoint", checkpoint, "--data", "mnist:" + mnist32),
                "holds [1, 32, 32] images");
        MainTest.Outcome huge = MainTest.run("eval", "--checkpoint", checkpoint, "--batch-size", "2000000");
        assertEquals(0, huge.code(), "a batch beyond the split is the whole split: " + huge.err());
        assertTrue(huge.out().contains("mnistfc on mnist:" + mnist + " (64 examples)"), huge.out());
    }

    @Test
    void aBatchLargerThanTheTrainingSetIsRefusedWithBothSizes(@TempDir Path tmp) {
        assertRefusedBeforeTraining(MainTest.run("train", "--model", "mnistfc", "--data", "mnist:" + mnist,
                        "--batch-size", "2000000", "--out", tmp.resolve("a").toString()),
                "--batch-size 2000000 is larger than the 128 training examples of mnist:" + mnist, "give at most 128");
        assertRefusedBeforeTraining(MainTest.run("train", "--model", "mnistfc", "--optimizer", "entropy-sgd", "--data",
                        "mnist:" + mnist, "--batch-size", "129", "--out", tmp.resolve("b").toString()),
                "--batch-size 129 is larger than the 128 training examples");
        // The default batch of 128 on a CIFAR-10 directory of 100 training images.
        assertRefusedBeforeTraining(MainTest.run("train", "--model", "allcnn", "--data", "cifar10:" + cifar, "--out",
                tmp.resolve("c").toString()), "--batch-size 128 is larger than the 100 training examples");
        assertFalse(Files.exists(tmp.resolve("c/summary.json")), "no run was recorded");
    }
}
