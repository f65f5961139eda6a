package dev.aedb.cli;

import dev.aedb.AedbConfig;
import dev.aedb.AedbInstance;
import dev.aedb.model.AedbException;
import dev.aedb.model.RecoveryMode;
import dev.aedb.model.RecoveryPlan;
import dev.aedb.model.RecoveryReport;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code aedb recover [--dry-run] [--permissive] DIR}: prints the recovery plan of a data directory (which checkpoint,
 * which WAL files and commits, what is verified, what is wrong and what the mode does about it); without
 * {@code --dry-run} then runs it (opens, prints the recovery report, closes: a clean close writes a checkpoint).
 * Exit code 0 when the plan finds no problem (or the recovery succeeded), 1 when it finds one (or the open was
 * refused), 2 for bad arguments.
 */
@Command(name = "recover", description = "Print a data directory's recovery plan; without --dry-run, then recover it.")
final class RecoverCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "DIR", description = "the data directory")
    private Path dataDir;

    @Option(names = "--dry-run", description = "print the plan only; change nothing")
    private boolean dryRun;

    @Option(names = "--permissive", description = "plan (and run) a PERMISSIVE recovery instead of STRICT")
    private boolean permissive;

    @Spec
    private CommandSpec spec;

    @Option(names = "--verify-checkpoint", description = "verify every block of the checkpoint, not only its header and tables")
    private boolean verifyCheckpoint;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final AedbConfig config = new AedbConfig().recoveryMode(permissive ? RecoveryMode.PERMISSIVE : RecoveryMode.STRICT)
            .verifyCheckpointOnOpen(verifyCheckpoint);
        final RecoveryPlan plan;
        try
        {
            plan = AedbInstance.recoveryPlan(config, dataDir);
        }
        catch (final AedbException ex)
        {
            err.println("aedb recover: " + ex.code().code() + ": " + ex.getMessage());
            return 1;
        }
        out.print(plan.describe());
        if (dryRun)
        {
            out.println(plan.problems().isEmpty() ? "dry run: nothing changed" : "dry run: nothing changed; the open would meet the problems above");
            out.flush();
            return plan.problems().isEmpty() ? 0 : 1;
        }
        try (AedbInstance db = AedbInstance.open(config, dataDir))
        {
            final RecoveryReport report = db.recoveryReport();
            out.printf("recovered: replayed %d commit(s), head seq %d%n", report.replayedFrames(), report.lastSeq());
            for (final String d : report.droppedFrames())
            {
                out.println("  dropped: " + d);
            }
            for (final String n : report.notes())
            {
                out.println("  note: " + n);
            }
            out.flush();
            return 0;
        }
        catch (final AedbException ex)
        {
            err.println("aedb recover: refused: " + ex.code().code() + ": " + ex.getMessage());
            return 1;
        }
    }
}
