package org.deeprelax.cli;

/**
 * The reference recipe of each network (the authors' code; DESIGN.md and
 * {@code shared/reference/entropy-sgd-notes.md}): what {@code deeprelax train} uses for every setting the
 * command line leaves out.
 *
 * @param data default data source
 * @param epochs epochs
 * @param batchSize minibatch size
 * @param lrSchedule learning rate by epoch
 * @param momentum momentum
 * @param nesterov Nesterov momentum
 * @param weightDecay L2 coefficient
 */
record Recipe(String data, int epochs, int batchSize, String lrSchedule, float momentum, boolean nesterov,
              float weightDecay) {

    /**
     * @param model a network name
     * @return its recipe: mnistfc and LeNet, batch 128, Nesterov 0.9, lr 0.1 divided by 10 after epoch 2;
     *     All-CNN-BN, 200 epochs, lr 0.1 × 0.2 every 60 epochs, weight decay 1e-3
     */
    static Recipe forModel(String model) {
        return switch (model) {
            case "allcnn" -> new Recipe(null, 200, 128, "1:0.1,61:0.02,121:0.004,181:0.0008", 0.9f, true, 1e-3f);
            default -> new Recipe("mnist-10k", 10, 128, "1:0.1,3:0.01", 0.9f, true, 0f);
        };
    }
}
