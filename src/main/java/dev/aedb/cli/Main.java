package dev.aedb.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code aedb} command line.
 */
@Command(name = "aedb", mixinStandardHelpOptions = true, version = "aedb 0.1.0",
    description = "Embedded transactional storage engine on a Chronicle Queue WAL.",
    subcommands = {DemoCommand.class, BenchCommand.class, DumpCommand.class, RecoverCommand.class})
public final class Main implements Runnable
{
    public static void main(final String[] args)
    {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        final int code = new CommandLine(new Main()).execute(args);
        System.exit(code);
    }

    @Override
    public void run()
    {
        new CommandLine(this).usage(System.out);
    }
}
