package dev.aedb.checkpoint;

import dev.aedb.store.StoreImageWriter;

import java.io.InterruptedIOException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Holds a checkpoint image's writes to a rate while durable commits are syncing the WAL, so that their syncs do not
 * queue behind the image on the device (docs/design.md §12, "Sharing the disk with durable commits").
 * <p>
 * A WAL sync that ended within {@link #RECENT_NANOS} makes the next write paced: writes then start no earlier than
 * the bytes written since pacing began allow at {@code bytesPerSecond}. With no recent sync (buffered commits only, or
 * none) the image is written as fast as it can be, and pacing starts afresh at the next sync, with no debt or credit
 * carried over. Used by one thread, the image's I/O thread.
 */
final class CheckpointPacer implements StoreImageWriter.Pacer
{
    /** How recent a WAL sync must be for the image to yield to it. */
    static final long RECENT_NANOS = 10_000_000L;

    /** Waits for the given nanoseconds, or less (a park), and reports an interrupt. */
    @FunctionalInterface
    interface Sleeper
    {
        void sleep(long nanos) throws InterruptedIOException;
    }

    private final LongSupplier lastSyncNanos;
    private final long bytesPerSecond;
    private final LongSupplier clock;
    private final Sleeper sleeper;
    private boolean pacing;
    private long start;
    private long paced;

    /**
     * @param lastSyncNanos  when the WAL last synced ({@code System.nanoTime()}).
     * @param bytesPerSecond the image's rate while syncs are recent; 0 = never paced.
     */
    CheckpointPacer(final LongSupplier lastSyncNanos, final long bytesPerSecond)
    {
        this(lastSyncNanos, bytesPerSecond, System::nanoTime, CheckpointPacer::park);
    }

    CheckpointPacer(final LongSupplier lastSyncNanos, final long bytesPerSecond, final LongSupplier clock, final Sleeper sleeper)
    {
        this.lastSyncNanos = lastSyncNanos;
        this.bytesPerSecond = bytesPerSecond;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    @Override
    public void beforeWrite(final int bytes) throws InterruptedIOException
    {
        if (bytesPerSecond == 0)
        {
            return;
        }
        long now = clock.getAsLong();
        if (now - lastSyncNanos.getAsLong() > RECENT_NANOS)
        {
            pacing = false;
            return;
        }
        if (!pacing)
        {
            pacing = true;
            start = now;
            paced = 0;
        }
        final long due = start + (long)(paced * (1e9 / bytesPerSecond));
        paced += bytes;
        while (due - now > 0)
        {
            sleeper.sleep(due - now);
            now = clock.getAsLong();
        }
    }

    private static void park(final long nanos) throws InterruptedIOException
    {
        LockSupport.parkNanos(nanos);
        if (Thread.interrupted())
        {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while pacing a checkpoint image");
        }
    }
}
