package dev.aedb.cli;

import dev.aedb.AedbConfig;
import dev.aedb.AedbInstance;
import dev.aedb.StateDigest;
import dev.aedb.model.AedbException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code aedb dump parity DIR}: opens a data directory (a normal open, which replays its WAL; nothing is committed) and
 * prints the canonical state digest at its head ({@link AedbInstance#stateDigest()}), one {@code name=value} line
 * per field in a fixed order: {@code seq}, {@code sha256}, {@code projects}, {@code scopes}, {@code tables},
 * {@code kvPairs}, {@code rows}, {@code idempotencyRecords}, {@code format}. Two directories, or one before and after
 * a recovery, hold the same state iff the lines agree. Exit code 0; 1 with a message on stderr when the directory is
 * missing, is not an aedb data directory (it is then left untouched), or cannot be opened.
 */
@Command(name = "parity", mixinStandardHelpOptions = true,
    description = {"Print the canonical state digest of a data directory at its head: seq, SHA-256 and counts, one "
        + "name=value line each.", "Opens the directory normally (WAL replay, no commit); it must not be open elsewhere."})
final class DumpParityCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "an aedb data directory")
    private Path directory;

    @Option(names = "--idempotency-window-commits", paramLabel = "N",
        description = "the idempotencyWindowCommits the database runs with: it decides which idempotency records are in "
            + "force (default: the engine's default, 100000)")
    private Long idempotencyWindowCommits;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (!Files.isDirectory(directory))
        {
            err.println("aedb dump parity: no such directory: " + directory);
            return 1;
        }
        // Checked before opening: open would make an aedb directory of any directory it is given.
        if (!Files.isRegularFile(directory.resolve("wal.state")) && !Files.isDirectory(directory.resolve("wal")))
        {
            err.println("aedb dump parity: not an aedb data directory (no wal.state, no wal/): " + directory);
            return 1;
        }
        final AedbConfig config = new AedbConfig().storeSegmentBytes(16 * 1024 * 1024);
        if (idempotencyWindowCommits != null)
        {
            config.idempotencyWindowCommits(idempotencyWindowCommits);
        }
        final StateDigest digest;
        try (AedbInstance db = AedbInstance.open(config, directory))
        {
            digest = db.stateDigest();
        }
        catch (final AedbException ex)
        {
            err.println("aedb dump parity: cannot open " + directory + ": " + ex.getMessage());
            return 1;
        }
        out.println("seq=" + digest.seq());
        out.println("sha256=" + digest.sha256Hex());
        out.println("projects=" + digest.projects());
        out.println("scopes=" + digest.scopes());
        out.println("tables=" + digest.tables());
        out.println("kvPairs=" + digest.kvPairs());
        out.println("rows=" + digest.rows());
        out.println("idempotencyRecords=" + digest.idempotencyRecords());
        out.println("format=" + StateDigest.FORMAT_VERSION);
        out.flush();
        return 0;
    }
}
