package dev.aedb.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;

/**
 * Deletes a large file without stalling the writer. ext4 frees an unlinked file's blocks in one journal transaction,
 * and a commit whose page fault on a mapped WAL or store file needs the journal waits for it: measured here, the
 * unlink of a retired 200 MB checkpoint image stalled single commits 30-64 ms, and that of a ~50 MB WAL cycle file
 * 18-37 ms. Truncating the file {@value #STEP_BYTES} bytes at a time with a pause after each spreads that
 * work (16 MiB steps with only a yield between them still stalled commits 15-41 ms). The pause after a step is as
 * long as the step took, at most 1 ms, so the holes of a sparse file cost next to nothing.
 * <p>
 * Only for a file nothing maps, in this process or another: truncating a mapped file turns the next read of its
 * pages into SIGBUS. Callers decide that (checkpoint images this process maps, WAL cycles Chronicle still holds, are
 * only unlinked).
 */
public final class FileRetirement
{
    /** Bytes a file is truncated by at a time. */
    public static final long STEP_BYTES = 4L << 20;
    private static final long PAUSE_NANOS = 1_000_000;

    private FileRetirement()
    {
    }

    /**
     * Truncates {@code file} in steps, then deletes it; a file already gone is not an error.
     *
     * @throws IOException when a truncation or the deletion fails.
     */
    public static void deleteInSteps(final Path file) throws IOException
    {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            for (long size = ch.size() - STEP_BYTES; size > 0; size -= STEP_BYTES)
            {
                final long start = System.nanoTime();
                ch.truncate(size);
                // as long as the step took, at most 1 ms: a step over a hole of a sparse file (Chronicle's cycle files
                // are mostly holes) frees nothing and takes microseconds
                LockSupport.parkNanos(Math.min(PAUSE_NANOS, System.nanoTime() - start));
            }
        }
        catch (final NoSuchFileException gone)
        {
            return;
        }
        Files.deleteIfExists(file);
    }
}
