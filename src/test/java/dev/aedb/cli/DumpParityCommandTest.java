package dev.aedb.cli;

import dev.aedb.AedbInstance;
import dev.aedb.StateDigest;
import dev.aedb.model.CallerContext;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.Mutation;
import dev.aedb.model.Row;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Value;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code aedb dump parity DIR}: the digest lines of a real directory, and clear failures for directories it cannot read. */
class DumpParityCommandTest
{
    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err)
    {
    }

    private static Run aedb(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        final int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static byte[] b(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Writes a small database and @return its digest at the head, taken before it closed. */
    private static StateDigest writeDatabase(final Path data)
    {
        try (AedbInstance db = AedbInstance.open(data))
        {
            db.createProject("p");
            db.commit(new Mutation.Ddl(new DdlOperation.CreateTable("p", "app", "t", null,
                List.of(ColumnDef.of("id", ColumnType.INTEGER), ColumnDef.nullable("name", ColumnType.TEXT)), List.of("id"))));
            db.commit(TransactionEnvelope.of(new Mutation.KvSet("p", "app", b("a"), b("1")),
                new Mutation.Upsert("p", "app", "t", List.of(Value.integer(1)), Row.of(Value.integer(1), Value.text("one")))));
            db.commit(new TransactionEnvelope(CallerContext.of("alice"), b("req-1"), List.of(),
                List.of(new Mutation.KvSet("p", "app", b("b"), b("2")))));
            db.commit(new Mutation.KvSet("p", "app", b("c"), b("3")));
            return db.stateDigest();
        }
    }

    private static List<String> lines(final StateDigest d)
    {
        return List.of("seq=" + d.seq(), "sha256=" + d.sha256Hex(), "projects=" + d.projects(), "scopes=" + d.scopes(),
            "tables=" + d.tables(), "kvPairs=" + d.kvPairs(), "rows=" + d.rows(), "idempotencyRecords=" + d.idempotencyRecords(),
            "format=" + StateDigest.FORMAT_VERSION);
    }

    @Test
    void shouldPrintTheDigestAtTheHeadOneFieldPerLine()
    {
        final Path data = dir.resolve("data");
        final StateDigest live = writeDatabase(data);
        final Run run = aedb("dump", "parity", data.toString());
        System.out.print(run.out);
        assertEquals(0, run.exitCode, run.err);
        assertEquals(lines(live), run.out.lines().toList(), "the digest of the live instance, after a reopen");
        assertEquals("", run.err);
        assertEquals(run.out, aedb("dump", "parity", data.toString()).out, "stable from run to run");
        assertTrue(run.out.contains("kvPairs=3\n") && run.out.contains("rows=1\n") && run.out.contains("idempotencyRecords=1\n"),
            run.out);
    }

    @Test
    void shouldTakeTheIdempotencyWindowTheDatabaseRunsWith()
    {
        final Path data = dir.resolve("data");
        writeDatabase(data);
        final Run run = aedb("dump", "parity", "--idempotency-window-commits", "1", data.toString());
        assertEquals(0, run.exitCode, run.err);
        assertTrue(run.out.contains("idempotencyRecords=0\n"), "the key's commit is not the last one: " + run.out);
        final Run bad = aedb("dump", "parity", "--idempotency-window-commits", "0", data.toString());
        assertEquals(1, bad.exitCode);
        assertTrue(bad.err.contains("invalid_config") && bad.err.contains("idempotencyWindowCommits"), bad.err);
    }

    @Test
    void shouldFailWithAMessageForAMissingDirectory()
    {
        final Path missing = dir.resolve("missing");
        final Run run = aedb("dump", "parity", missing.toString());
        assertEquals(1, run.exitCode);
        assertEquals("aedb dump parity: no such directory: " + missing + "\n", run.err);
        assertEquals("", run.out);
        assertFalse(Files.exists(missing), "nothing created");
    }

    @Test
    void shouldFailWithAMessageAndTouchNothingForADirectoryThatIsNotAnAedbDirectory() throws IOException
    {
        final Path other = Files.createDirectory(dir.resolve("other"));
        Files.writeString(other.resolve("notes.txt"), "not a database");
        final Run run = aedb("dump", "parity", other.toString());
        assertEquals(1, run.exitCode);
        assertEquals("aedb dump parity: not an aedb data directory (no wal.state, no wal/): " + other + "\n", run.err);
        try (Stream<Path> files = Files.list(other))
        {
            assertEquals(List.of(other.resolve("notes.txt")), files.toList(), "no LOCK, wal or store created");
        }
        final Path file = other.resolve("notes.txt");
        assertEquals(1, aedb("dump", "parity", file.toString()).exitCode, "a file is no directory");
    }

    @Test
    void shouldFailWithTheEngineErrorForADirectoryOpenElsewhere()
    {
        final Path data = dir.resolve("data");
        writeDatabase(data);
        try (AedbInstance db = AedbInstance.open(data))
        {
            final Run run = aedb("dump", "parity", data.toString());
            assertEquals(1, run.exitCode);
            assertTrue(run.err.startsWith("aedb dump parity: cannot open " + data + ": database_locked"), run.err);
            assertTrue(db.headState().visibleHeadSeq() > 0, "the open instance is unharmed");
        }
    }

    @Test
    void shouldListItsCommandsWhenDumpIsGivenNone()
    {
        final Run run = aedb("dump");
        assertEquals(0, run.exitCode, run.err);
        assertTrue(run.out.contains("parity"), run.out);
    }
}
