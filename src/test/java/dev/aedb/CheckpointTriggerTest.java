package dev.aedb;

import dev.aedb.model.Durability;
import dev.aedb.wal.WalReader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

import static dev.aedb.TestSupport.b;
import static dev.aedb.TestSupport.kvSet;
import static dev.aedb.TestSupport.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Automatic checkpoints: by WAL size they keep the retained WAL bounded under endless updates; by time they catch a
 * quiet writer up.
 */
class CheckpointTriggerTest
{
    private static final long TRIGGER = 512 << 10;

    @TempDir
    Path dir;

    /** @return the bytes of the excerpts (frames and Chronicle's headers) in the WAL's cycle files. */
    private long walBytes()
    {
        final long[] bytes = {0};
        new WalReader(dir.resolve("wal")).read((frame, length, index, file, position) -> bytes[0] += length + 4);
        return bytes[0];
    }

    @Test
    void shouldKeepTheWalBelowTheKeptCheckpointsWorthUnderEndlessUpdates()
    {
        final long seed = Long.getLong("aedb.trigger.seed", System.nanoTime());
        System.out.println("CheckpointTriggerTest seed: -Daedb.trigger.seed=" + seed);
        final Random random = new Random(seed);
        final String[] values = new String[10_000];
        long maxRetained = 0;
        long checkpoints;
        try (AedbInstance db = AedbInstance.open(TestSupport.smallConfig().durability(Durability.OS_BUFFERED)
            .checkpointWalBytes(TRIGGER).checkpointsKept(2), dir))
        {
            db.createProject("p");
            long written = 0;
            final long started = System.nanoTime();
            for (int i = 0; i < 60_000; i++)
            {
                final int key = random.nextInt(values.length);
                values[key] = "v" + i + "-" + "x".repeat(60);
                db.commit(kvSet("key-" + key, values[key]));
                written += 100;
                if (i % 5_000 == 4_999)
                {
                    maxRetained = Math.max(maxRetained, walBytes());
                }
            }
            checkpoints = db.newestCheckpointSeq();
            System.out.println("CheckpointTriggerTest: 60k updates in " + (System.nanoTime() - started) / 1_000_000 + " ms");
            assertTrue(written > 8 * TRIGGER, "the workload writes well past the bound: " + written);
            for (int k = 0; k < values.length; k += 97)
            {
                assertEquals(values[k], s(db.kvGet("p", "app", b("key-" + k)).value()));
            }
        }
        System.out.println("CheckpointTriggerTest: max retained WAL " + maxRetained + " bytes, last checkpoint at seq " + checkpoints);
        assertTrue(checkpoints > 0, "checkpoints were taken by size");
        // kept checkpoints x trigger, the interval being written, and what came in while the last checkpoint was written
        final long bound = 4 * TRIGGER;
        assertTrue(maxRetained <= bound, "retained WAL " + maxRetained + " bytes > bound " + bound + " (seed " + seed + ")");
        try (AedbInstance db = AedbInstance.open(TestSupport.smallConfig(), dir))
        {
            for (int k = 0; k < values.length; k += 89)
            {
                assertEquals(values[k], s(db.kvGet("p", "app", b("key-" + k)).value()));
            }
        }
    }

    @Test
    void shouldCheckpointBySizeUnderAStreamOfPipelinedCommits() throws Exception
    {
        try (AedbInstance db = AedbInstance.open(TestSupport.smallConfig().checkpointWalBytes(TRIGGER).checkpointOnClose(false), dir))
        {
            db.createProject("p");
            final java.util.ArrayDeque<java.util.concurrent.CompletableFuture<?>> window = new java.util.ArrayDeque<>();
            for (int i = 0; i < 20_000; i++)
            {
                window.add(db.commitAsync(dev.aedb.model.TransactionEnvelope.of(kvSet("key-" + (i % 1000), "x".repeat(80)))));
                if (window.size() >= 2_000)
                {
                    window.poll().get();
                }
            }
            while (!window.isEmpty())
            {
                window.poll().get();
            }
            assertTrue(db.newestCheckpointSeq() > 0, "a checkpoint was taken while commits kept arriving");
        }
    }

    @Test
    void shouldCheckpointAfterTheIntervalWhenSomethingWasCommitted()
    {
        try (AedbInstance db = AedbInstance.open(TestSupport.smallConfig().checkpointIntervalMillis(20).checkpointWalBytes(0), dir))
        {
            db.createProject("p");
            final long seq = db.commit(kvSet("k", "v")).commitSeq();
            // the sequencer takes it on its own once the interval has passed: wait for the outcome, bounded
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (db.newestCheckpointSeq() < seq && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
            assertEquals(seq, db.newestCheckpointSeq());
        }
    }
}
