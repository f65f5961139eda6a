package dev.aedb.nativetest;

import dev.aedb.AedbInstance;
import dev.aedb.KvEntry;
import dev.aedb.KvGetResult;
import dev.aedb.KvScanResult;
import dev.aedb.ScanCursor;
import dev.aedb.TableScanResult;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.Durability;
import dev.aedb.model.RecoveryReport;
import dev.aedb.model.Row;
import dev.aedb.model.Value;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Kills a writing process with SIGKILL at random moments, again and again on the same data directory, and checks
 * after each kill that every acknowledged commit survived whole, that no envelope survived in part and that the seqs
 * are dense. Once per durability mode: SIGKILL keeps the page cache, so in {@code BATCH} and {@code OS_BUFFERED}
 * (acknowledged before, or without, a sync) every acknowledged commit must survive too, as in {@code FULL}.
 * <p>
 * Properties: {@code aedb.crash.cycles} (cycles in FULL, default 20; BATCH and OS_BUFFERED run half as many, which
 * keeps the three at about twice the time of FULL alone), {@code aedb.crash.seed} (default: random, printed),
 * {@code aedb.crash.modes} (comma-separated modes to run, default all three).
 */
class CrashDurabilityIT
{
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int PAGE = 257;

    /** Most acknowledgements to wait for before a kill: buffered modes acknowledge far faster than FULL. */
    private static int maxTarget(final Durability durability)
    {
        return switch (durability)
        {
            case FULL -> 200;
            case BATCH -> 300;
            case OS_BUFFERED -> 1_000;
        };
    }

    private static int cycles(final Durability durability)
    {
        final int full = Integer.getInteger("aedb.crash.cycles", 20);
        return durability == Durability.FULL ? full : Math.max(1, full / 2);
    }

    @ParameterizedTest
    @EnumSource(Durability.class)
    void acknowledgedCommitsSurviveSigkillAndNoEnvelopeIsPartial(final Durability durability) throws Exception
    {
        final String modes = System.getProperty("aedb.crash.modes", "");
        assumeTrue(modes.isEmpty() || List.of(modes.split(",")).contains(durability.name()), "not in aedb.crash.modes=" + modes);
        final int cycles = cycles(durability);
        final long seed = Long.getLong("aedb.crash.seed", System.nanoTime());
        System.out.println("CrashDurabilityIT " + durability + ": cycles=" + cycles + " seed=" + seed + " (rerun with -Daedb.crash.seed="
            + seed + " -Daedb.crash.modes=" + durability + ")");
        final Random random = new Random(seed);
        final Path root = Files.createTempDirectory("aedb-crash-" + durability.name().toLowerCase(Locale.ROOT) + "-");
        final Path data = root.resolve("data");
        final Map<Long, Long> acked = new HashMap<>(); // n -> commit seq, over all cycles
        long maxAckedSeq = 0;
        boolean passed = false;
        try
        {
            for (int cycle = 1; cycle <= cycles; cycle++)
            {
                final long cycleStart = System.nanoTime();
                final int target = 1 + random.nextInt(maxTarget(durability));
                final long jitterNanos = random.nextBoolean() ? 0 : TimeUnit.MICROSECONDS.toNanos(random.nextInt(5_000));
                int ackedThisCycle = 0;
                final Path stderr = root.resolve("writer-" + cycle + ".err");
                try (ChildJvm child = ChildJvm.start(true, CrashWriter.class, stderr, data.toString(), durability.name()))
                {
                    final long deadline = System.nanoTime() + TIMEOUT_NANOS;
                    while (ackedThisCycle < target)
                    {
                        final String line = child.nextLine(deadline);
                        if (line == null)
                        {
                            fail("cycle " + cycle + ": writer exited (" + child.process().waitFor() + ") after " + ackedThisCycle
                                + " ACKs, before the kill; stderr:\n" + child.stderr());
                        }
                        if (onLine(cycle, line, acked, child))
                        {
                            ackedThisCycle++;
                        }
                    }
                    if (jitterNanos > 0)
                    {
                        // not synchronisation: moves the kill to a random point of the writer's commit loop
                        LockSupport.parkNanos(jitterNanos);
                    }
                    child.kill();
                    // every ACK the writer printed before it died is an acknowledgement: read them all
                    final long drainDeadline = System.nanoTime() + TIMEOUT_NANOS;
                    String line;
                    while ((line = child.nextLine(drainDeadline)) != null)
                    {
                        if (onLine(cycle, line, acked, child))
                        {
                            ackedThisCycle++;
                        }
                    }
                    child.joinReader();
                }
                for (final long seq : acked.values())
                {
                    maxAckedSeq = Math.max(maxAckedSeq, seq);
                }
                final long killedAt = System.nanoTime(); // the writer is dead and its output read
                final long head = verify(cycle, data, acked, maxAckedSeq);
                System.out.println(durability + " cycle " + cycle + ": target " + target + ", acked " + ackedThisCycle + " (total " + acked.size()
                    + "), max acked seq " + maxAckedSeq + ", recovered head " + head + String.format(Locale.ROOT,
                    " (writer %.1f s, verify %.1f s)", (killedAt - cycleStart) / 1e9, (System.nanoTime() - killedAt) / 1e9));
            }
            passed = true;
        }
        finally
        {
            if (passed)
            {
                ChildJvm.deleteTree(root);
            }
            else
            {
                System.out.println("CrashDurabilityIT " + durability + " failed (seed " + seed + "); data kept in " + root);
            }
        }
    }

    /** @return whether the line was an ACK. */
    private static boolean onLine(final int cycle, final String line, final Map<Long, Long> acked, final ChildJvm child)
    {
        if (line.startsWith("ACK "))
        {
            final String[] parts = line.split(" ");
            final long n = Long.parseLong(parts[1]);
            final long seq = Long.parseLong(parts[2]);
            final Long before = acked.put(n, seq);
            if (before != null && before > seq)
            {
                acked.put(n, before); // n written again after a restart: keep the newer seq
            }
            return true;
        }
        if (line.startsWith("ERR "))
        {
            fail("cycle " + cycle + ": writer failed: " + line + "\nstderr:\n" + child.stderr());
        }
        return false; // START line or stray output
    }

    /**
     * Opens the directory in this JVM and checks the invariants.
     *
     * @return the recovered head seq.
     */
    private static long verify(final int cycle, final Path data, final Map<Long, Long> acked, final long maxAckedSeq)
    {
        try (AedbInstance db = AedbInstance.open(data))
        {
            final RecoveryReport report = db.recoveryReport();
            assertTrue(report.droppedFrames().isEmpty(), "cycle " + cycle + ": recovery dropped frames: " + report.droppedFrames());
            final long head = db.headState().visibleHeadSeq();
            assertEquals(report.lastSeq(), head, "cycle " + cycle + ": head vs recovery report");
            // Open restores the newest checkpoint (a verify's clean close writes one) and replays the log after it,
            // refusing a seq that does not follow the one before: so seqs 1..head are there, each once, exactly when it
            // replayed head - checkpoint frames.
            final long checkpoint = db.newestCheckpointSeq();
            assertEquals(head - checkpoint, report.replayedFrames(), "cycle " + cycle + ": seqs " + (checkpoint + 1) + ".." + head
                + " not dense after checkpoint " + checkpoint);
            assertTrue(head >= maxAckedSeq, "cycle " + cycle + ": recovered head " + head + " < max acknowledged seq " + maxAckedSeq);
            final ConsistencyMode at = ConsistencyMode.atSeq(head);

            final Map<Long, String> rows = new TreeMap<>();
            ScanCursor cursor = null;
            do
            {
                final TableScanResult page = db.scanTable(CrashWriter.PROJECT, CrashWriter.SCOPE, CrashWriter.TABLE, PAGE, cursor, at);
                assertEquals(head, page.snapshotSeq(), "cycle " + cycle + ": table scan snapshot");
                for (final Row row : page.rows())
                {
                    final long id = ((Value.Int)row.get(0)).value();
                    final String payload = ((Value.Text)row.get(1)).value();
                    assertEquals("p" + id, payload, "cycle " + cycle + ": payload of row " + id);
                    assertTrue(rows.put(id, payload) == null, "cycle " + cycle + ": row " + id + " returned twice by the scan");
                }
                cursor = page.next();
            }
            while (cursor != null);

            final Map<Long, Long> kvVersions = new TreeMap<>();
            cursor = null;
            do
            {
                final KvScanResult page = db.kvScanPrefix(CrashWriter.PROJECT, CrashWriter.SCOPE, CrashWriter.ascii("k"), PAGE, cursor, at);
                assertEquals(head, page.snapshotSeq(), "cycle " + cycle + ": kv scan snapshot");
                for (final KvEntry e : page.entries())
                {
                    final String key = new String(e.key(), StandardCharsets.US_ASCII);
                    assertTrue(key.startsWith("k"), "cycle " + cycle + ": prefix scan returned " + key);
                    final long n = Long.parseLong(key.substring(1));
                    assertEquals(Long.toString(n), new String(e.value(), StandardCharsets.US_ASCII), "cycle " + cycle + ": value of " + key);
                    assertTrue(e.version() >= 1 && e.version() <= head, "cycle " + cycle + ": version " + e.version() + " of " + key);
                    assertTrue(kvVersions.put(n, e.version()) == null, "cycle " + cycle + ": key " + key + " returned twice by the scan");
                }
                cursor = page.next();
            }
            while (cursor != null);

            // no partial envelope: a row without its key or a key without its row
            assertEquals(rows.keySet(), kvVersions.keySet(), "cycle " + cycle + ": rows and k<n> keys differ (partial envelope)");

            // every acknowledged envelope is there, at or after its acknowledged seq; no seq was acknowledged twice
            final Map<Long, Long> nBySeq = new HashMap<>();
            for (final Map.Entry<Long, Long> ack : acked.entrySet())
            {
                final Long other = nBySeq.put(ack.getValue(), ack.getKey());
                assertTrue(other == null, "cycle " + cycle + ": seq " + ack.getValue() + " acknowledged for " + other + " and "
                    + ack.getKey());
                final long n = ack.getKey();
                assertTrue(rows.containsKey(n), "cycle " + cycle + ": acknowledged row " + n + " (seq " + ack.getValue() + ") lost");
                final Long version = kvVersions.get(n);
                assertTrue(version != null, "cycle " + cycle + ": acknowledged key k" + n + " (seq " + ack.getValue() + ") lost");
                assertTrue(version >= ack.getValue(), "cycle " + cycle + ": key k" + n + " at version " + version
                    + ", older than its acknowledged seq " + ack.getValue());
            }

            // "last" names an envelope that is fully there
            final KvGetResult last = db.kvGet(CrashWriter.PROJECT, CrashWriter.SCOPE, CrashWriter.ascii("last"), at);
            if (!acked.isEmpty())
            {
                assertTrue(last.found(), "cycle " + cycle + ": key last missing after acknowledged commits");
            }
            if (last.found())
            {
                final long n = Long.parseLong(new String(last.value(), StandardCharsets.US_ASCII));
                assertTrue(rows.containsKey(n), "cycle " + cycle + ": last=" + n + " but row " + n + " missing");
                assertEquals(kvVersions.get(n), Long.valueOf(last.version()), "cycle " + cycle
                    + ": last=" + n + " and k" + n + " were not written by the same commit");
            }
            return head;
        }
    }
}
