package org.deeprelax.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code deeprelax} command: {@code train}, {@code eval}, {@code report} and {@code landscape}. */
@Command(name = "deeprelax", mixinStandardHelpOptions = true, version = "DeepRelax 0.1.0",
        description = {"Train networks with SGD, Entropy-SGD and HJ, the optimizers of Deep Relaxation, and with Adam, "
                + "AdamW, SAM and ASAM; evaluate and compare the runs, and draw the paper's 1-D landscape.",
                "Run 'deeprelax COMMAND --help' to see the options of a command."},
        subcommands = {TrainCommand.class, EvalCommand.class, ReportCommand.class, LandscapeCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

    /** Exit code of a usage error, as picocli gives for a bad flag. */
    static final int USAGE = 2;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * Runs the command line and exits with its code: 0 on success, 2 on a usage error, 1 on a failure.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * @param args the arguments
     * @return the exit code
     */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main())
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    // Bad flag values are ParameterExceptions (exit 2, with usage); anything that goes wrong
                    // while running (missing or corrupt data, I/O) is a failure of the run: exit 1.
                    cmd.getErr().println("deeprelax " + cmd.getCommandName() + ": " + describe(ex));
                    return 1;
                });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // Sizes are checked before anything large is allocated; this is the last line, so that even
            // what no check foresaw ends in a sentence rather than a stack trace.
            System.err.println("deeprelax: ran out of memory: the Java heap holds at most "
                    + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB; give Java more (DEEPRELAX_JAVA_OPTS=-Xmx16g) "
                    + "or ask for less (a smaller --batch-size or data set)");
            return 1;
        }
    }

    /** The message of a failure, or its type where it has none (a bare {@code EOFException}). */
    static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** Without a command: the usage on standard error, and exit code 2. */
    @Override
    public Integer call() {
        CommandLine cmd = spec.commandLine();
        cmd.getErr().println("deeprelax: give a command: train, eval, report or landscape");
        cmd.usage(cmd.getErr());
        return USAGE;
    }
}
