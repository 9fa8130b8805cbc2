package org.deeprelax.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code deeprelax} command: {@code train}, {@code eval} and {@code landscape}. */
@Command(name = "deeprelax", mixinStandardHelpOptions = true, version = "DeepRelax 0.1.0",
        description = "Train networks with SGD, Entropy-SGD and HJ, the optimizers of Deep Relaxation, and with Adam, AdamW, SAM and ASAM, and draw their 1-D landscape.",
        subcommands = {TrainCommand.class, EvalCommand.class, LandscapeCommand.class, ReportCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

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
        return new CommandLine(new Main())
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    // Bad flag values are ParameterExceptions (exit 2, with usage); anything that goes wrong
                    // while running (missing or corrupt data, I/O) is a failure of the run: exit 1.
                    cmd.getErr().println("deeprelax " + cmd.getCommandName() + ": " + ex.getMessage());
                    return 1;
                })
                .execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
