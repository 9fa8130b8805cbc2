package org.deeprelax.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.deeprelax.core.io.AtomicFiles;

/**
 * The files a training run leaves in its output directory: {@code metrics.csv}, {@code summary.json}
 * and the plots. Every file is written to a temporary name and renamed, so a reader (or a crash) never
 * sees half a file.
 */
final class RunFiles {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    RunFiles(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    Path checkpoint() {
        return dir.resolve("checkpoint.state");
    }

    void writeMetrics(List<EpochMetrics> rows) {
        StringBuilder sb = new StringBuilder(EpochMetrics.HEADER).append('\n');
        for (EpochMetrics r : rows) {
            sb.append(r.csv()).append('\n');
        }
        AtomicFiles.write(dir.resolve("metrics.csv"), sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    void writeSummary(TrainConfig config, List<EpochMetrics> rows, String status) {
        Map<String, Object> summary = new LinkedHashMap<>();
        EpochMetrics last = rows.isEmpty() ? null : rows.get(rows.size() - 1);
        EpochMetrics best = rows.stream().min((a, b) -> Double.compare(a.validationError(), b.validationError()))
                .orElse(null);
        summary.put("status", status);
        summary.put("final_validation_error", last == null ? null : last.validationError());
        summary.put("best_validation_error", best == null ? null : best.validationError());
        summary.put("best_epoch", best == null ? null : best.epoch());
        summary.put("final_validation_loss", last == null ? null : last.validationLoss());
        summary.put("final_train_loss", last == null ? null : last.trainLoss());
        summary.put("epochs", last == null ? 0 : last.epoch());
        summary.put("effective_epochs", last == null ? 0 : last.effectiveEpoch());
        summary.put("seconds", last == null ? 0 : last.seconds());
        summary.put("hyperparameters", config.asMap());
        try {
            AtomicFiles.write(dir.resolve("summary.json"), JSON.writeValueAsBytes(summary));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void writePlots(List<EpochMetrics> rows, String title) {
        Plots.write(dir, rows, title);
    }

}
