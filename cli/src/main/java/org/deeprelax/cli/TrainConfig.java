package org.deeprelax.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;

/**
 * Every setting of a training run, after the recipe has filled what the command line left out. It is
 * saved in the checkpoint and in {@code summary.json}, so a resumed run uses exactly these.
 *
 * @param model network name
 * @param data data source, as given to {@code --data}
 * @param optimizer {@code sgd}, {@code entropy-sgd} or {@code hj}
 * @param epochs number of epochs
 * @param batchSize minibatch size
 * @param lrSchedule learning rate by epoch, {@code EPOCH:LR,...} (the outer rate for Entropy-SGD and HJ)
 * @param momentum momentum of SGD, or of the outer step
 * @param nesterov Nesterov momentum
 * @param weightDecay L2 coefficient (on the inner gradient for Entropy-SGD and HJ)
 * @param seed seed of initialisation, shuffling, sampling, dropout and Langevin noise
 * @param device backend name
 * @param relaxation Entropy-SGD and HJ settings; null for SGD
 */
public record TrainConfig(String model, String data, String optimizer, int epochs, int batchSize, String lrSchedule,
                          float momentum, boolean nesterov, float weightDecay, long seed, String device,
                          Relaxation relaxation) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper SNAKE_CASE = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    /** @return the settings by snake_case name, in declaration order, for {@code summary.json} */
    @SuppressWarnings("unchecked")
    public Map<String, Object> asMap() {
        return SNAKE_CASE.convertValue(this, LinkedHashMap.class);
    }

    /** @return the settings as JSON */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @param json what {@link #toJson} wrote @return the settings */
    public static TrainConfig fromJson(String json) {
        try {
            return JSON.readValue(json, TrainConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the checkpoint's settings are not readable: " + e.getOriginalMessage(), e);
        }
    }

    /** @param newEpochs a new total @return these settings with another number of epochs */
    public TrainConfig withEpochs(int newEpochs) {
        return new TrainConfig(model, data, optimizer, newEpochs, batchSize, lrSchedule, momentum, nesterov,
                weightDecay, seed, device, relaxation);
    }
}
