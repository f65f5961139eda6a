package dev.aedb;

import java.lang.ref.Cleaner;

/**
 * The one {@link Cleaner} of the JVM that releases the slots of {@link Snapshot}s collected unclosed: one daemon thread
 * ({@code aedb-snapshot-cleaner}), started when the first held snapshot is taken, shared by every instance. Its
 * actions only touch a heap {@code ReaderRegistry}, which outlives its instance's close, so a late action after a close
 * is harmless and no per-instance thread has to be stopped.
 */
final class SnapshotCleaner
{
    static final Cleaner CLEANER = Cleaner.create(task ->
    {
        final Thread t = new Thread(task, "aedb-snapshot-cleaner");
        t.setDaemon(true);
        return t;
    });

    private SnapshotCleaner()
    {
    }
}
