package org.deeprelax.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.deeprelax.core.Backends;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;
import org.deeprelax.nn.models.Models;
import org.junit.jupiter.api.Test;

/** Each reference network's size, counted by hand from its layer sizes, and its output shape. */
class ModelsTest {

    private static int linear(int in, int out) {
        return in * out + out;
    }

    private static int conv(int in, int out, int k, boolean bias) {
        return in * out * k * k + (bias ? out : 0);
    }

    private static int bn(int c) {
        return 2 * c;
    }

    @Test
    void mnistfcParameterCount() {
        int expected = linear(784, 1024) + bn(1024) + linear(1024, 1024) + bn(1024) + linear(1024, 10);
        assertEquals(1_867_786, expected);
        assertEquals(expected, Model.build("mnistfc", Models.create("mnistfc"), Backends.cpu(), 1).parameters().size());
    }

    @Test
    void lenetParameterCount() {
        int expected = conv(1, 20, 5, true) + bn(20) + conv(20, 50, 5, true) + bn(50) + linear(200, 500)
                + linear(500, 10);
        assertEquals(131_220, expected);
        assertEquals(expected, Model.build("lenet", Models.create("lenet"), Backends.cpu(), 1).parameters().size());
    }

    @Test
    void allcnnParameterCount() {
        int expected = conv(3, 96, 3, false) + 2 * conv(96, 96, 3, false) + 3 * bn(96)
                + conv(96, 192, 3, false) + 4 * conv(192, 192, 3, false) + 5 * bn(192)
                + conv(192, 10, 1, false) + bn(10);
        assertEquals(expected, Model.build("allcnn", Models.create("allcnn"), Backends.cpu(), 1).parameters().size());
    }

    @Test
    void eachModelMapsItsInputToTenLogits() {
        for (String name : Models.NAMES) {
            Model m = Model.build(name, Models.create(name), Backends.cpu(), 3);
            int[] in = Models.inputShape(name);
            Tensor x = Tensor.uniform(Backends.cpu(), Shape.of(2, in[0], in[1], in[2]), 0, 1, 5, 0);
            assertArrayEquals(new int[] {2, 10}, m.forward(x).shape().dims(), name);
            m.eval();
            assertArrayEquals(new int[] {2, 10}, m.forward(x).shape().dims(), name);
        }
    }

    @Test
    void unknownModelNamesTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.create("resnet"));
        assertEquals("unknown model 'resnet'; choose one of [mnistfc, lenet, allcnn]", e.getMessage());
    }
}
