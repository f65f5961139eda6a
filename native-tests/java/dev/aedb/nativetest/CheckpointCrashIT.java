package dev.aedb.nativetest;

import dev.aedb.AedbConfig;
import dev.aedb.AedbInstance;
import dev.aedb.KvEntry;
import dev.aedb.io.IoFaults;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.Durability;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The checkpoint crash matrix: a child process ({@link CheckpointCrasher}) committing in {@code FULL}, {@code BATCH} or
 * {@code OS_BUFFERED} while checkpoints are taken is ended with {@code Runtime.halt} at each named checkpoint crash
 * point (image half written, image written but not renamed, manifest written but not renamed, after the manifest before
 * WAL deletion, in the middle of WAL deletion). After each crash the directory is reopened in STRICT mode: every
 * acknowledged commit is there, no envelope is there in part, the seqs are dense (the state is exactly the prefix
 * 1..N of the workload, N = the value of {@code last}, compared key by key with the reference model of that prefix),
 * and the database goes on: it checkpoints, closes cleanly and reopens to the same state.
 * <p>
 * Properties: {@code aedb.ckptcrash.rounds} (default 1: each cell once; more for the long version, each round a new
 * child on the same directory), {@code aedb.ckptcrash.seed} (printed).
 */
class CheckpointCrashIT
{
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(120);

    @Test
    void everyAcknowledgedCommitSurvivesACrashAtEveryCheckpointPointInEveryMode() throws Exception
    {
        final int rounds = Integer.getInteger("aedb.ckptcrash.rounds", 1);
        final long seed = Long.getLong("aedb.ckptcrash.seed", System.nanoTime());
        System.out.println("CheckpointCrashIT: rounds=" + rounds + " seed=" + seed + " (rerun with -Daedb.ckptcrash.seed=" + seed + ")");
        final Random random = new Random(seed);
        final List<String> cells = new ArrayList<>();
        for (final Durability durability : Durability.values())
        {
            for (final String point : IoFaults.CHECKPOINT_CRASH_POINTS)
            {
                final Path root = Files.createTempDirectory("aedb-ckptcrash-");
                try
                {
                    long next = 1;
                    for (int round = 0; round < rounds; round++)
                    {
                        next = crashAndCheck(root, durability, point, next, random) + 1;
                    }
                    cells.add(durability + "/" + point + ": ok through n=" + (next - 1));
                }
                finally
                {
                    ChildJvm.deleteTree(root);
                }
            }
        }
        cells.forEach(c -> System.out.println("CheckpointCrashIT " + c));
    }

    /** @return N, the last envelope recovered. */
    private static long crashAndCheck(final Path root, final Durability durability, final String point, final long first,
        final Random random) throws Exception
    {
        final Path data = root.resolve("data");
        final Path stderr = root.resolve("child.err");
        long maxAcked = first - 1;
        long maxAckedSeq = 0;
        int exit;
        try (ChildJvm child = ChildJvm.start(true, CheckpointCrasher.class, stderr, data.toString(), durability.name(), point,
            Long.toString(first)))
        {
            final long deadline = System.nanoTime() + TIMEOUT_NANOS;
            String line;
            while ((line = child.nextLine(deadline)) != null)
            {
                if (line.startsWith("ACK "))
                {
                    final String[] f = line.split(" ");
                    maxAcked = Math.max(maxAcked, Long.parseLong(f[1]));
                    maxAckedSeq = Math.max(maxAckedSeq, Long.parseLong(f[2]));
                }
            }
            child.joinReader();
            assertTrue(child.process().waitFor(60, TimeUnit.SECONDS));
            exit = child.process().exitValue();
            if (exit != CheckpointCrasher.HALT_CODE)
            {
                fail(durability + "/" + point + ": the child exited " + exit + " without reaching the crash point; stderr:\n"
                    + child.stderr());
            }
        }
        final AedbConfig config = new AedbConfig().storeSegmentBytes(4 << 20);
        final long recovered;
        final Map<String, String> state;
        try (AedbInstance db = AedbInstance.open(config, data))
        {
            assertTrue(db.recoveryReport().lastSeq() >= maxAckedSeq, durability + "/" + point + ": head "
                + db.recoveryReport().lastSeq() + " below acknowledged seq " + maxAckedSeq + " " + db.recoveryReport());
            state = kv(db);
            recovered = Long.parseLong(state.getOrDefault("last", "0"));
            assertTrue(recovered >= maxAcked, durability + "/" + point + ": envelope " + maxAcked
                + " was acknowledged, the database holds up to " + recovered + " " + db.recoveryReport());
            assertEquals(model(recovered), state, durability + "/" + point + ": not exactly the prefix 1.." + recovered);
            // one createProject commit, then one commit per envelope: dense seqs mean head = N + 1
            assertEquals(recovered + 1, db.recoveryReport().lastSeq(), durability + "/" + point + ": seqs not dense");
            // the database goes on: more commits, a checkpoint, a clean close
            for (int i = 0; i < 1 + random.nextInt(20); i++)
            {
                db.commit(CheckpointCrasher.envelope(recovered + 1 + i));
            }
            db.checkpointNow();
        }
        try (AedbInstance db = AedbInstance.open(config, data))
        {
            final Map<String, String> after = kv(db);
            final long last = Long.parseLong(after.get("last"));
            assertEquals(model(last), after, durability + "/" + point + ": after a clean close");
            assertEquals(0, db.recoveryReport().replayedFrames(), "a clean close checkpoints");
            return last;
        }
    }

    private static Map<String, String> model(final long n)
    {
        final Map<String, String> m = new TreeMap<>();
        for (long i = 1; i <= n; i++)
        {
            m.put("k" + i, Long.toString(i));
            m.put("m" + i, Long.toString(i));
        }
        if (n > 0)
        {
            m.put("last", Long.toString(n));
        }
        return m;
    }

    private static Map<String, String> kv(final AedbInstance db)
    {
        final Map<String, String> out = new TreeMap<>();
        for (final KvEntry e : db.kvScanPrefix("crash", "app", new byte[0], Integer.MAX_VALUE, null, ConsistencyMode.atLatest())
            .entries())
        {
            out.put(new String(e.key(), StandardCharsets.US_ASCII), new String(e.value(), StandardCharsets.US_ASCII));
        }
        return out;
    }
}
