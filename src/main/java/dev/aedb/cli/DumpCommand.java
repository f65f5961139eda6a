package dev.aedb.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code aedb dump}: commands that print what a data directory holds; on its own it prints their list.
 */
@Command(name = "dump", mixinStandardHelpOptions = true, description = "Print what a data directory holds.",
    subcommands = {DumpParityCommand.class})
final class DumpCommand implements Runnable
{
    @Spec
    private CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
