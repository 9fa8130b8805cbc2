package org.deeprelax.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Every setting of a training run, after the model's recipe has filled what the command line left out.
 * It is saved in the checkpoint and in {@code summary.json}, so a resumed run uses exactly these.
 *
 * @param model network name
 * @param data data source, as given to {@code --data}
 * @param optimizer optimizer name
 * @param epochs number of epochs
 * @param batchSize minibatch size
 * @param lrSchedule learning rate by epoch, {@code EPOCH:LR,...}
 * @param momentum momentum
 * @param nesterov Nesterov momentum
 * @param weightDecay L2 coefficient
 * @param seed seed of initialisation, shuffling and dropout
 * @param device backend name
 */
public record TrainConfig(String model, String data, String optimizer, int epochs, int batchSize, String lrSchedule,
                          float momentum, boolean nesterov, float weightDecay, long seed, String device) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** @return the settings by name, in a stable order */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("data", data);
        m.put("optimizer", optimizer);
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("lr_schedule", lrSchedule);
        m.put("momentum", momentum);
        m.put("nesterov", nesterov);
        m.put("weight_decay", weightDecay);
        m.put("seed", seed);
        m.put("device", device);
        return m;
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
                weightDecay, seed, device);
    }
}
