package dev.aedb.bench;

import dev.aedb.JvmFlags;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * Entry point of {@code benchmarks.jar}: the normal JMH command line (benchmark regexps, -f, -wi, -i, -w, -r, -prof gc,
 * -rf json, -rff ..., -l, -h, ...), plus the JVM flags that aedb needs appended to every fork. The flags come from
 * {@link JvmFlags#required()} (the single list in the engine's pom.xml), so they cannot drift from the engine's;
 * {@link #PEER_FLAGS} adds what the peer engines need beyond them.
 * Any {@code -jvmArgsAppend} given on the command line is kept, after ours.
 */
public final class BenchMain
{
    /** System properties that keep Chronicle quiet and free of background threads during measurement. */
    static final List<String> CHRONICLE_PROPS = List.of(
        "-Dchronicle.analytics.disable=true",
        "-Dchronicle.announcer.disable=true",
        "-Dchronicle.disk.monitor.disable=true");

    /**
     * Flags the peer engines need on top of aedb's: Chronicle Map generates and compiles its segment-header classes
     * (chronicle-values through net.openhft:compiler, which reaches into javac's file manager).
     */
    static final List<String> PEER_FLAGS = List.of(
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED");

    private BenchMain()
    {
    }

    public static void main(final String[] args) throws RunnerException
    {
        final CommandLineOptions cmdOptions;
        try
        {
            cmdOptions = new CommandLineOptions(args);
        }
        catch (final CommandLineOptionException ex)
        {
            System.err.println("Error parsing command line:");
            System.err.println(" " + ex.getMessage());
            System.exit(1);
            return;
        }
        if (cmdOptions.shouldHelp())
        {
            try
            {
                cmdOptions.showHelp();
            }
            catch (final java.io.IOException ex)
            {
                throw new RunnerException("cannot show help", ex);
            }
            return;
        }

        final List<String> append = new ArrayList<>(JvmFlags.required());
        append.addAll(PEER_FLAGS);
        append.addAll(CHRONICLE_PROPS);
        // OptionsBuilder.jvmArgsAppend replaces (does not merge with) the parent's value: keep the user's too.
        if (cmdOptions.getJvmArgsAppend().hasValue())
        {
            append.addAll(cmdOptions.getJvmArgsAppend().get());
        }

        final Options options = new OptionsBuilder()
            .parent(cmdOptions)
            .jvmArgsAppend(append.toArray(new String[0]))
            .build();

        final Runner runner = new Runner(options);
        if (cmdOptions.shouldList())
        {
            runner.list();
            return;
        }
        if (cmdOptions.shouldListWithParams())
        {
            runner.listWithParams(cmdOptions);
            return;
        }
        if (cmdOptions.shouldListProfilers())
        {
            cmdOptions.listProfilers();
            return;
        }
        if (cmdOptions.shouldListResultFormats())
        {
            cmdOptions.listResultFormats();
            return;
        }
        try
        {
            runner.run();
        }
        catch (final RunnerException ex)
        {
            System.err.print("ERROR: ");
            ex.printStackTrace(System.err);
            System.exit(1);
        }
    }
}
