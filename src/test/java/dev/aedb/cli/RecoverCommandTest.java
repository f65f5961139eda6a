package dev.aedb.cli;

import dev.aedb.AedbConfig;
import dev.aedb.AedbInstance;
import dev.aedb.model.Mutation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code aedb recover --dry-run}: the plan names the checkpoint, the WAL files and the commits, and changes nothing. */
class RecoverCommandTest
{
    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err)
    {
    }

    private static Run run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        final int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** @return every file of the directory (LOCK aside) with a digest of its bytes. */
    private Map<String, String> files() throws Exception
    {
        final Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir))
        {
            for (final Path p : (Iterable<Path>)s::iterator)
            {
                if (Files.isRegularFile(p) && !p.getFileName().toString().equals("LOCK"))
                {
                    out.put(dir.relativize(p).toString(),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
                }
            }
        }
        return out;
    }

    private static Mutation kv(final String k, final String v)
    {
        return new Mutation.KvSet("p", "app", k.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldPrintThePlanAndChangeNothing() throws Exception
    {
        final long checkpoint;
        try (AedbInstance db = AedbInstance.open(new AedbConfig().storeSegmentBytes(4 << 20).checkpointOnClose(false), dir))
        {
            db.createProject("p");
            for (int i = 0; i < 20; i++)
            {
                db.commit(kv("k" + i, "v" + i));
            }
            checkpoint = db.checkpointNow();
            for (int i = 0; i < 5; i++)
            {
                db.commit(kv("later" + i, "v"));
            }
        }
        final Map<String, String> before = files();
        final Run run = run("recover", "--dry-run", dir.toString());
        System.out.println(run.out + run.err);
        assertEquals(0, run.exitCode(), run.out + run.err);
        assertTrue(run.out.contains("restore checkpoint checkpoint-" + String.format("%020d", checkpoint) + ".img at seq " + checkpoint),
            run.out);
        assertTrue(run.out.contains("replay commits " + (checkpoint + 1) + ".." + (checkpoint + 5)), run.out);
        assertTrue(run.out.contains("dry run: nothing changed"), run.out);
        assertEquals(before, files(), "a dry run changes no file");

        // a damaged frame after the checkpoint: the plan says what each mode does, still changing nothing
        final List<Path> cycles;
        try (Stream<Path> s = Files.list(dir.resolve("wal")))
        {
            cycles = s.filter(p -> p.toString().endsWith(".cq4")).sorted().toList();
        }
        final Path newest = cycles.get(cycles.size() - 1);
        damageLastFrame(newest);
        final Map<String, String> damaged = files();
        final Run bad = run("recover", "--dry-run", dir.toString());
        System.out.println(bad.out + bad.err);
        assertEquals(1, bad.exitCode(), bad.out + bad.err);
        assertTrue(bad.out.contains("PROBLEM: bad frame at " + newest.getFileName()), bad.out);
        assertTrue(bad.out.contains("both modes refuse (WAL_CORRUPT): acknowledged commit " + (checkpoint + 5)), bad.out);
        assertEquals(damaged, files());
        final Run strict = run("recover", dir.toString());
        assertEquals(1, strict.exitCode(), strict.out + strict.err);
        assertTrue(strict.err.contains("wal_corrupt"), strict.err);
    }

    @Test
    void shouldRefuseADirectoryThatDoesNotExist()
    {
        final Run run = run("recover", "--dry-run", dir.resolve("missing").toString());
        assertEquals(1, run.exitCode(), run.out + run.err);
        assertTrue(run.err.contains("invalid_argument"), run.err);
    }

    /** Flips a byte inside the last commit frame of a cycle file (found by its magic "AEWF"). */
    private static void damageLastFrame(final Path cycle) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(cycle);
        int last = -1;
        for (int i = 0; i + 4 <= bytes.length; i++)
        {
            if (bytes[i] == 0x41 && bytes[i + 1] == 0x45 && bytes[i + 2] == 0x57 && bytes[i + 3] == 0x46)
            {
                last = i;
            }
        }
        assertTrue(last > 0, "a frame in " + cycle);
        bytes[last + 30] ^= 0x01;
        Files.write(cycle, bytes);
    }
}
