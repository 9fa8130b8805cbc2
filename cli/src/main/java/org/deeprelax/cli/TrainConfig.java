package org.deeprelax.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;

import org.deeprelax.optim.Adam;
import org.deeprelax.optim.EntropySgd;
import org.deeprelax.nn.models.Models;
import org.deeprelax.optim.Hj;
import org.deeprelax.optim.LearningRateSchedule;
import org.deeprelax.optim.OptimizerSettings;
import org.deeprelax.optim.Parle;
import org.deeprelax.optim.Recipe;
import org.deeprelax.optim.Sam;
import org.deeprelax.optim.Sgd;

/**
 * Every setting of a training run, after the recipe has filled what the command line left out. It is
 * saved in the checkpoint and in {@code summary.json}, so a resumed run uses exactly these.
 *
 * @param model network name
 * @param data data source, as given to {@code --data}
 * @param optimizer the optimizer's name, one of {@code Recipe.OPTIMIZERS}
 * @param epochs number of epochs
 * @param batchSize minibatch size
 * @param lrSchedule learning rate by epoch, {@code EPOCH:LR,...} (the outer rate for Entropy-SGD and HJ)
 * @param seed seed of initialisation, shuffling, sampling, dropout and Langevin noise
 * @param device backend name
 * @param reestimateBatchNorm whether batch-norm statistics are re-estimated on training data before each validation
 * @param settings the optimizer's settings (their learning rate is the schedule's first)
 * @param replicas the number of replicas a Parle or Elastic-SGD run trains (1 for the other optimizers)
 * @param dataFraction the share of the training set each replica sees, in (0, 1] (1: all of it)
 */
public record TrainConfig(String model, String data, String optimizer, int epochs, int batchSize, String lrSchedule,
                          long seed, String device, boolean reestimateBatchNorm, OptimizerSettings settings,
                          int replicas, double dataFraction) {

    /**
     * Checks what the optimizer's settings do not: the names, counts, schedule, data source and device, so
     * that settings read back from a checkpoint are refused as the flags that made them would have been.
     *
     * @param model network name
     * @param data data source
     * @param optimizer the optimizer's name
     * @param epochs number of epochs
     * @param batchSize minibatch size
     * @param lrSchedule learning rate by epoch
     * @param seed the seed
     * @param device backend name
     * @param reestimateBatchNorm whether batch-norm statistics are re-estimated
     * @param settings the optimizer's settings
     * @param replicas the number of replicas (0, absent from checkpoints written before replicas existed, is 1)
     * @param dataFraction the share of the data (0, absent from those checkpoints, is 1)
     */
    public TrainConfig {
        replicas = replicas == 0 ? 1 : replicas;
        dataFraction = dataFraction == 0 ? 1 : dataFraction;
        if (!Models.NAMES.contains(model)) {
            throw new IllegalArgumentException("model '" + model + "' is not one of " + String.join(", ", Models.NAMES));
        }
        if (!Recipe.OPTIMIZERS.contains(optimizer) || settings == null) {
            throw new IllegalArgumentException("optimizer '" + optimizer + "' is not one of "
                    + String.join(", ", Recipe.OPTIMIZERS) + (settings == null ? ", or has no settings" : ""));
        }
        if (epochs < 1 || batchSize < 1) {
            throw new IllegalArgumentException("epochs " + epochs + " and batch size " + batchSize + " must be at least 1");
        }
        LearningRateSchedule.parse(lrSchedule);
        DataSource.validate(data);
        if (!device.matches(TrainCommand.DEVICE_PATTERN)) {
            throw new IllegalArgumentException("device '" + device + "' is not one of " + TrainCommand.DEVICE_CHOICES);
        }
        if (replicas < 1 || replicas > MAX_REPLICAS || replicas > 1 && !(settings instanceof Parle.Settings)) {
            throw new IllegalArgumentException("replicas " + replicas + " must be between 1 and " + MAX_REPLICAS
                    + ", and 1 unless the optimizer is parle or elastic-sgd");
        }
        if (!(dataFraction > 0 && dataFraction <= 1)) {
            throw new IllegalArgumentException("data fraction " + dataFraction + " must be in (0, 1]");
        }
    }

    /** The most replicas a run may have. */
    public static final int MAX_REPLICAS = 1024;

    /** Names each kind of settings in JSON, so that a checkpoint's settings read back as the same record. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Sgd.Settings.class, name = "sgd"),
            @JsonSubTypes.Type(value = EntropySgd.Settings.class, name = "entropy-sgd"),
            @JsonSubTypes.Type(value = Hj.Settings.class, name = "hj"),
            @JsonSubTypes.Type(value = Adam.Settings.class, name = "adam"),
            @JsonSubTypes.Type(value = Sam.Settings.class, name = "sam"),
            @JsonSubTypes.Type(value = Parle.Settings.class, name = "parle")})
    private interface SettingsTypes {
    }

    private static final ObjectMapper JSON = new ObjectMapper().addMixIn(OptimizerSettings.class, SettingsTypes.class);
    private static final ObjectMapper SNAKE_CASE = new ObjectMapper().addMixIn(OptimizerSettings.class, SettingsTypes.class)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    /**
     * The settings by snake_case name, in declaration order, for {@code summary.json}.
     *
     * @return the settings as nested maps
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> asMap() {
        return SNAKE_CASE.convertValue(this, LinkedHashMap.class);
    }

    /**
     * The settings as JSON, for the checkpoint.
     *
     * @return the JSON text
     */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads what {@link #toJson} wrote.
     *
     * @param json the JSON text
     * @return the settings
     */
    public static TrainConfig fromJson(String json) {
        try {
            return JSON.readValue(json, TrainConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the checkpoint's settings are not readable: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * These settings with other optimizer settings, such as the couplings' growth set once the data is known.
     *
     * @param newSettings the optimizer's settings
     * @return the settings
     */
    public TrainConfig withSettings(OptimizerSettings newSettings) {
        return new TrainConfig(model, data, optimizer, epochs, batchSize, lrSchedule, seed, device, reestimateBatchNorm,
                newSettings, replicas, dataFraction);
    }
}
