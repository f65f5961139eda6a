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
    private long imageBytes(final long seq) throws java.io.IOException
    {
        final java.nio.file.Path image = dir.resolve("checkpoints").resolve(String.format("checkpoint-%020d.img", seq));
        return seq == 0 || !java.nio.file.Files.exists(image) ? 0 : java.nio.file.Files.size(image);
    }

    private long walBytes()
    {
        return walBytes(dir);
    }

    private static long walBytes(final Path directory)
    {
        final long[] bytes = {0};
        new WalReader(directory.resolve("wal")).read((frame, length, index, file, position) -> bytes[0] += length + 4);
        return bytes[0];
    }

    /** The fixed trigger alone ({@code checkpointWalImagePercent(0)}): the WAL stays below 4 x the trigger. */
    @Test
    void shouldKeepTheWalBelowTheKeptCheckpointsWorthUnderEndlessUpdates() throws Exception
    {
        endlessUpdates(0);
    }

    /**
     * The default trigger, which grows with the image: 10 k keys make an image larger than the 512 KiB trigger, and
     * the WAL stays below 4 x the larger of the two.
     */
    @Test
    void shouldKeepTheWalBelowTheKeptCheckpointsWorthWhenTheTriggerFollowsTheImage() throws Exception
    {
        endlessUpdates(new AedbConfig().checkpointWalImagePercent());
    }

    private void endlessUpdates(final int imagePercent) throws Exception
    {
        final long seed = Long.getLong("aedb.trigger.seed", System.nanoTime());
        System.out.println("CheckpointTriggerTest seed: -Daedb.trigger.seed=" + seed);
        final Random random = new Random(seed);
        final String[] values = new String[10_000];
        long maxRetained = 0;
        long maxImage = 0;
        long writtenTotal;
        long checkpoints;
        try (AedbInstance db = AedbInstance.open(TestSupport.smallConfig().durability(Durability.OS_BUFFERED)
            .checkpointWalBytes(TRIGGER).checkpointWalImagePercent(imagePercent).checkpointsKept(2), dir))
        {
            db.createProject("p");
            long written = 0;
            final long started = System.nanoTime();
            final int updates = imagePercent == 0 ? 60_000 : 200_000;
            for (int i = 0; i < updates; i++)
            {
                final int key = random.nextInt(values.length);
                values[key] = "v" + i + "-" + "x".repeat(60);
                db.commit(kvSet("key-" + key, values[key]));
                written += 100;
                if (i % 5_000 == 4_999)
                {
                    maxRetained = Math.max(maxRetained, walBytes());
                    maxImage = Math.max(maxImage, imageBytes(db.newestCheckpointSeq()));
                }
            }
            checkpoints = db.newestCheckpointSeq();
            System.out.println("CheckpointTriggerTest: " + updates + " updates in " + (System.nanoTime() - started) / 1_000_000 + " ms");
            writtenTotal = written;
            for (int k = 0; k < values.length; k += 97)
            {
                assertEquals(values[k], s(db.kvGet("p", "app", b("key-" + k)).value()));
            }
        }
        System.out.println("CheckpointTriggerTest: max retained WAL " + maxRetained + " bytes, last checkpoint at seq " + checkpoints);
        assertTrue(checkpoints > 0, "checkpoints were taken by size");
        // kept checkpoints x trigger, the interval being written, and what came in while the last checkpoint was written
        final long trigger = Math.max(TRIGGER, maxImage * imagePercent / 100);
        final long bound = 4 * trigger;
        System.out.println("CheckpointTriggerTest: image percent " + imagePercent + ", largest image " + maxImage
            + " bytes, trigger " + trigger + ", bound " + bound);
        assertTrue(writtenTotal > 2 * bound, "the workload writes well past the bound: " + writtenTotal);
        if (imagePercent > 0)
        {
            assertTrue(maxImage > 2 * TRIGGER, "the image outgrew the fixed trigger: " + maxImage);
        }
        assertTrue(maxRetained <= bound, "retained WAL " + maxRetained + " bytes > bound " + bound + " (seed " + seed + ")");
        try (AedbInstance db = AedbInstance.open(TestSupport.smallConfig(), dir))
        {
            for (int k = 0; k < values.length; k += 89)
            {
                assertEquals(values[k], s(db.kvGet("p", "app", b("key-" + k)).value()));
            }
        }
    }

    /**
     * With the default trigger the next checkpoint by size waits until about the newest image's size of WAL was written
     * (a checkpoint writes the whole state, so it costs no more than the bytes committed since the last), and with
     * {@code checkpointWalImagePercent(0)} it comes after the fixed trigger, many times sooner.
     */
    @Test
    void shouldWaitForAnImagesWorthOfWalBeforeTheNextCheckpointBySize() throws Exception
    {
        final long fixedGap = commitsToNextCheckpoint(0);
        final long scaledGap = commitsToNextCheckpoint(new AedbConfig().checkpointWalImagePercent());
        assertTrue(scaledGap > 4 * fixedGap, "the image-sized trigger waits longer: " + scaledGap + " vs " + fixedGap);
    }

    /** @return commits between a checkpoint and the next one by size; checks the WAL they wrote against the trigger. */
    private long commitsToNextCheckpoint(final int imagePercent) throws Exception
    {
        final long fixed = 64 << 10;
        final java.nio.file.Path at = dir.resolve("gap-" + imagePercent);
        java.nio.file.Files.createDirectories(at);
        try (AedbInstance db = AedbInstance.open(TestSupport.smallConfig().durability(Durability.OS_BUFFERED)
            .checkpointWalBytes(fixed).checkpointWalImagePercent(imagePercent).checkpointIntervalMillis(0)
            .checkpointOnClose(false), at))
        {
            db.createProject("p");
            final String value = "x".repeat(100);
            for (int base = 0; base < 20_000; base += 500)
            {
                final java.util.List<dev.aedb.model.Mutation> batch = new java.util.ArrayList<>();
                for (int i = base; i < base + 500; i++)
                {
                    batch.add(kvSet(String.format("key-%08d", i), value));
                }
                db.commit(dev.aedb.model.TransactionEnvelope.of(batch));
            }
            final long first = db.checkpointNow();
            final java.nio.file.Path imageFile = at.resolve("checkpoints").resolve(String.format("checkpoint-%020d.img", first));
            final long image = java.nio.file.Files.size(imageFile);
            assertTrue(image > 8 * fixed, "the image is larger than the fixed trigger: " + image);
            final long walBefore = walBytes(at);
            final int probe = 100;
            for (int i = 0; i < probe; i++)
            {
                db.commit(kvSet(String.format("key-%08d", i), value));
            }
            final double frame = (walBytes(at) - walBefore) / (double)probe;
            final long limit = 4 * image / (long)frame;
            long n = probe;
            while (db.newestCheckpointSeq() == first && n < limit)
            {
                db.commit(kvSet(String.format("key-%08d", n % 20_000), value));
                n++;
            }
            final long deadline = System.nanoTime() + 30_000_000_000L;
            while (db.newestCheckpointSeq() == first && System.nanoTime() < deadline)
            {
                Thread.onSpinWait(); // the capture was taken; its image is being written
            }
            final long second = db.newestCheckpointSeq();
            assertTrue(second > first, "a checkpoint by size followed within " + limit + " commits");
            final long trigger = Math.max(fixed, image * imagePercent / 100);
            final double wal = (second - first) * frame;
            System.out.printf(java.util.Locale.ROOT, "CheckpointTriggerTest: image percent %d, image %d bytes, trigger %d,"
                + " next checkpoint after %d commits = %.0f WAL bytes%n", imagePercent, image, trigger, second - first, wal);
            assertTrue(wal >= trigger * 0.95 && wal <= trigger * 1.05 + 2 * frame,
                "the checkpoint came after " + wal + " WAL bytes, the trigger is " + trigger);
            return second - first;
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
