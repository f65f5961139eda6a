package dev.aedb.nativetest;

import dev.aedb.AedbInstance;
import dev.aedb.KvEntry;
import dev.aedb.KvGetResult;
import dev.aedb.KvScanResult;
import dev.aedb.ScanCursor;
import dev.aedb.TableScanResult;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.RecoveryReport;
import dev.aedb.model.Row;
import dev.aedb.model.Value;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kills a writing process with SIGKILL at random moments, again and again on the same data directory, and checks
 * after each kill that every acknowledged commit survived whole and that no envelope survived in part.
 * <p>
 * Properties: {@code aedb.crash.cycles} (default 20), {@code aedb.crash.seed} (default: random, printed).
 */
class CrashDurabilityIT
{
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int PAGE = 257;

    @Test
    void acknowledgedCommitsSurviveSigkillAndNoEnvelopeIsPartial() throws Exception
    {
        final int cycles = Integer.getInteger("aedb.crash.cycles", 20);
        final long seed = Long.getLong("aedb.crash.seed", System.nanoTime());
        System.out.println("CrashDurabilityIT: cycles=" + cycles + " seed=" + seed + " (rerun with -Daedb.crash.seed=" + seed + ")");
        final Random random = new Random(seed);
        final Path root = Files.createTempDirectory("aedb-crash-");
        final Path data = root.resolve("data");
        final Map<Long, Long> acked = new HashMap<>(); // n -> commit seq, over all cycles
        long maxAckedSeq = 0;
        boolean passed = false;
        try
        {
            for (int cycle = 1; cycle <= cycles; cycle++)
            {
                final int target = 1 + random.nextInt(200);
                final long jitterNanos = random.nextBoolean() ? 0 : TimeUnit.MICROSECONDS.toNanos(random.nextInt(5_000));
                int ackedThisCycle = 0;
                final Path stderr = root.resolve("writer-" + cycle + ".err");
                try (ChildJvm child = ChildJvm.start(true, CrashWriter.class, stderr, data.toString()))
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
                final long head = verify(cycle, data, acked, maxAckedSeq);
                System.out.println("cycle " + cycle + ": target " + target + ", acked " + ackedThisCycle + " (total " + acked.size()
                    + "), max acked seq " + maxAckedSeq + ", recovered head " + head);
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
                System.out.println("CrashDurabilityIT failed (seed " + seed + "); data kept in " + root);
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

            // every acknowledged envelope is there, at or after its acknowledged seq
            for (final Map.Entry<Long, Long> ack : acked.entrySet())
            {
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
