package org.deeprelax.cli;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import org.deeprelax.core.io.AtomicFiles;
import org.deeprelax.optim.landscape.Landscape;
import org.deeprelax.optim.landscape.LocalEntropy;
import org.deeprelax.optim.landscape.LocalEntropyPde;
import org.deeprelax.optim.landscape.Minima;
import org.deeprelax.optim.landscape.ToyLandscape;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code deeprelax landscape}: the paper's 1-D toy landscape, its local entropy (by quadrature and by the
 * viscous Hamilton-Jacobi PDE) and its Moreau envelope, as a CSV table and a PNG plot.
 */
@Command(name = "landscape", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Tabulate and plot the paper's 1-D landscape, its local entropy and its Moreau envelope.",
                "The landscape is f(x) = x² + 1.5·sin(2πx) of Deep Relaxation; its local entropy "
                        + "f_γ(x) = −(1/β)·log((G_{γ/β} * e^{−βf})(x)) is computed by quadrature and by solving the "
                        + "viscous Hamilton-Jacobi equation u_t = −½u_x² + (1/(2β))u_xx to t = γ; the Moreau envelope "
                        + "min_y f(y) + (x − y)²/(2γ) is the β → ∞ limit. See docs/landscape.md.",
                "Writes DIR/landscape.csv (x,f,local_entropy,local_entropy_pde,moreau) and DIR/landscape.png. "
                        + "Requests whose quadrature would take more than about half a minute (large β or γ, wide "
                        + "ranges) are refused, with the largest β that fits."},
        footer = {"", "Example:", "  ./deeprelax landscape --gamma 0.1 --beta 1 --range -3:3 --out runs/landscape"})
final class LandscapeCommand implements Callable<Integer> {

    /** More points than this would take long and plot nothing more. */
    static final int MAX_POINTS = 100_000;

    /**
     * The most integrand evaluations of the quadrature a run may take, about half a minute on one core:
     * the work grows as √β, so β = 1e10 would take a quarter of an hour. A larger request is refused up
     * front, with the largest β that fits.
     */
    static final double QUADRATURE_BUDGET = 1e9;

    /** Evaluations of f_γ beyond the table and the scan for minima: golden-section refinement and the ends. */
    private static final int REFINEMENT_CALLS = 1000;

    @Spec
    private CommandSpec spec;

    @Option(names = "--gamma", paramLabel = "G", description = "the time γ, > 0 (default: ${DEFAULT-VALUE})",
            defaultValue = "0.1")
    private double gamma;

    @Option(names = "--beta", paramLabel = "B", description = "the inverse temperature β, > 0 (default: ${DEFAULT-VALUE})",
            defaultValue = "1")
    private double beta;

    @Option(names = "--range", paramLabel = "A:B", description = "the interval of x, A < B (default: ${DEFAULT-VALUE})",
            defaultValue = "-3:3")
    private String range;

    @Option(names = "--points", paramLabel = "N", description = "number of evenly spaced points, ≥ 2 (default: ${DEFAULT-VALUE})",
            defaultValue = "601")
    private int points;

    @Option(names = "--random-term", description = "add the paper's small random term: a seeded sum of six sinusoids")
    private boolean randomTerm;

    @Option(names = "--seed", paramLabel = "S", description = "seed of the random term (default: ${DEFAULT-VALUE})",
            defaultValue = "1")
    private long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: ${DEFAULT-VALUE})",
            defaultValue = "runs/landscape")
    private Path out;

    @Override
    public Integer call() {
        if (!(gamma > 0) || Double.isInfinite(gamma)) {
            throw usage("--gamma " + gamma + " is not allowed; it must be a finite number > 0");
        }
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw usage("--beta " + beta + " is not allowed; it must be a finite number > 0");
        }
        double[] ab = parseRange(range);
        if (points < 2 || points > MAX_POINTS) {
            throw usage("--points " + points + " is not allowed; it must be between 2 and " + MAX_POINTS);
        }
        if (!randomTerm && spec.commandLine().getParseResult().hasMatchedOption("--seed")) {
            throw usage("--seed " + seed + " only chooses the random term; add --random-term");
        }
        double a = ab[0];
        double b = ab[1];
        ToyLandscape f = randomTerm ? ToyLandscape.withRandomTerm(seed) : ToyLandscape.plain();
        PrintWriter o = spec.commandLine().getOut();
        int samples = Math.max(points - 1, (int) Math.min(Math.ceil(100 * (b - a)), MAX_POINTS));
        checkWork(f, a, b, points + samples + REFINEMENT_CALLS);

        Landscape.Table t = Landscape.compute(f, gamma, beta, a, b, points);
        Path csv = out.resolve("landscape.csv");
        Path png = out.resolve("landscape.png");
        AtomicFiles.write(csv, csv(t).getBytes(StandardCharsets.UTF_8));
        LandscapePlot.write(png, t, f + ", γ = " + num(gamma) + ", β = " + num(beta));

        o.printf(Locale.ROOT, "%s on [%s, %s], %d points, γ = %s, β = %s%n", f, num(a), num(b), points, num(gamma), num(beta));
        if (randomTerm) {
            o.println("  random term: " + f.randomTerm());
        }
        LocalEntropy entropy = new LocalEntropy(f, gamma, beta);
        List<Minima.Minimum> fMinima = Minima.local(f::value, a, b, samples);
        List<Minima.Minimum> eMinima = Minima.local(entropy::value, a, b, samples);
        o.println("  minima of f:   " + minima(fMinima, Minima.lowest(fMinima, f::value, a, b)));
        o.println("  minima of f_γ: " + minima(eMinima, Minima.lowest(eMinima, entropy::value, a, b)));
        double worst = 0;
        double at = a;
        for (int i = 0; i < t.size(); i++) {
            double d = Math.abs(t.localEntropyPde()[i] - t.localEntropy()[i]);
            if (d > worst) {
                worst = d;
                at = t.x()[i];
            }
        }
        o.printf(Locale.ROOT, "  PDE (first-order upwind, dx = %s, %d steps) vs quadrature: max |difference| = %.4f at x = %.3f%n"
                        + "    (first order: about %.1f·dx = %.3f for β = 1 on [-2.5, 2.5], more where f is steep or β is large;"
                        + " see docs/landscape.md)%n",
                num(t.pdeDx()), t.pdeSteps(), worst, at, LocalEntropyPde.ERROR_CONSTANT,
                LocalEntropyPde.ERROR_CONSTANT * t.pdeDx());
        o.println("wrote " + csv + ", " + png);
        o.flush();
        return 0;
    }

    /** Refuses, before any work, a request whose quadrature would run past {@link #QUADRATURE_BUDGET}. */
    private void checkWork(ToyLandscape f, double a, double b, long calls) {
        double work = Landscape.quadratureWork(f, gamma, beta, a, b, calls);
        if (work <= QUADRATURE_BUDGET) {
            return;
        }
        // The work grows with β: bisect (on log β) for the largest β that fits, if even a small one does.
        double lo = 1e-6;
        String hint = "";
        if (Landscape.quadratureWork(f, gamma, lo, a, b, calls) <= QUADRATURE_BUDGET) {
            double hi = beta;
            for (int i = 0; i < 60; i++) {
                double mid = Math.sqrt(lo * hi);
                if (Landscape.quadratureWork(f, gamma, mid, a, b, calls) <= QUADRATURE_BUDGET) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            hint = String.format(Locale.ROOT, "; the largest --beta that fits here is about %.3g", lo);
        }
        throw usage(String.format(Locale.ROOT, "--gamma %.4g --beta %.4g --range %s --points %d needs about %.2g "
                        + "quadrature evaluations of f, more than the %.0e (about half a minute) this command takes: "
                        + "lower --beta or --gamma, narrow --range or take fewer --points%s",
                gamma, beta, range, points, work, QUADRATURE_BUDGET, hint));
    }

    /** The table as CSV, {@link Landscape#HEADER} first. */
    static String csv(Landscape.Table t) {
        StringBuilder sb = new StringBuilder(Landscape.HEADER).append('\n');
        for (int i = 0; i < t.size(); i++) {
            sb.append(num(t.x()[i])).append(',')
                    .append(num(t.f()[i])).append(',')
                    .append(num(t.localEntropy()[i])).append(',')
                    .append(num(t.localEntropyPde()[i])).append(',')
                    .append(num(t.moreau()[i])).append('\n');
        }
        return sb.toString();
    }

    /**
     * Ten significant digits, no exponent, no trailing zeros: far below every error in the table, and
     * readable (x = 0.01 rather than 0.010000000000000009).
     */
    static String num(double v) {
        if (v == 0) {
            return "0";
        }
        return new BigDecimal(v).round(new MathContext(10)).stripTrailingZeros().toPlainString();
    }

    private static String minima(List<Minima.Minimum> local, Minima.Minimum global) {
        String list = local.stream()
                .map(m -> String.format(Locale.ROOT, "%.4f", m.x()))
                .collect(Collectors.joining(", "));
        return (local.isEmpty() ? "none inside the range" : list)
                + String.format(Locale.ROOT, "; lowest %.4f at x = %.4f", global.value(), global.x());
    }

    private double[] parseRange(String s) {
        String[] parts = s.split(":", -1);
        double a;
        double b;
        try {
            if (parts.length != 2) {
                throw new NumberFormatException();
            }
            a = Double.parseDouble(parts[0].trim());
            b = Double.parseDouble(parts[1].trim());
        } catch (NumberFormatException e) {
            throw usage("--range '" + s + "' is not of the form A:B with numbers A < B, e.g. -3:3");
        }
        if (!Double.isFinite(a) || !Double.isFinite(b)) {
            throw usage("--range '" + s + "' is not allowed; A and B must be finite numbers");
        }
        if (!(a < b)) {
            throw usage("--range '" + s + "' is not allowed; A must be below B, e.g. -3:3");
        }
        return new double[] {a, b};
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
