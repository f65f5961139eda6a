package dev.aedb.wal;

import dev.aedb.AedbException;
import dev.aedb.ErrorCode;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.TableStore;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.TableStoreWriteLock;
import net.openhft.chronicle.queue.impl.table.Metadata;
import net.openhft.chronicle.queue.impl.table.SingleTableBuilder;
import net.openhft.chronicle.threads.BusyTimedPauser;
import net.openhft.chronicle.wire.DocumentContext;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The write-ahead log on a Chronicle Queue: one excerpt per frame. The only class that touches Chronicle types.
 * <p>
 * Durability: the queue runs with {@link SyncMode#SYNC}, so {@link #sync()} is {@code msync(MS_SYNC)} of the
 * pages written since the last sync (an fdatasync of that range on Linux). When Chronicle opens a new cycle file
 * the directory is fsynced, so the file's name survives a power loss too.
 * <p>
 * Threading: {@link #replay} and the appender methods must each be used by one thread at a time; the appender is
 * created lazily on the first thread that appends (the sequencer).
 */
public final class ChronicleWal implements AutoCloseable
{
    static
    {
        // An embedded database must never phone home or print banners (the analytics jar is also excluded in pom.xml).
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        System.setProperty("chronicle.disk.monitor.disable", "true");
    }

    private static final long FREE_SPACE_CHECK_BYTES = 1 << 20;
    private static final long PAGE = 4096;
    private static final long PREALLOCATE_CHUNK = 1 << 20;
    private static final long PREALLOCATE_LOW_WATER = 512 * 1024;
    private static final java.nio.ByteBuffer ZEROS = java.nio.ByteBuffer.allocateDirect((int)PREALLOCATE_CHUNK);

    private final Path directory;
    private final SingleChronicleQueue queue;
    private final Map<Integer, String> cycleFiles = new ConcurrentHashMap<>();
    private final Set<Integer> syncedCycles = ConcurrentHashMap.newKeySet();
    private final long minFreeBytes;
    private volatile IOException directorySyncFailure;
    private ExcerptAppender appender;
    private FileChannel preallocated;
    private int preallocatedCycle = Integer.MIN_VALUE;
    private long preallocatedTo;
    private long writePosition = -1;
    private long bytesSinceSpaceCheck = Long.MAX_VALUE / 2;
    private long unsyncedBytes;

    /**
     * Opens (creating if needed) the queue in {@code directory}. The caller must hold the data directory's
     * {@link DirectoryLock}: Chronicle's own write locks left by a dead process are cleared here.
     *
     * @param minFreeBytes appends are refused with DISK_FULL when the file system has less usable space.
     */
    public ChronicleWal(final Path directory, final long minFreeBytes)
    {
        this.directory = directory;
        this.minFreeBytes = minFreeBytes;
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.IO_ERROR, "cannot create WAL directory " + directory, ex);
        }
        clearStaleChronicleLocks(directory);
        queue = SingleChronicleQueueBuilder.binary(directory.toFile())
            .syncMode(SyncMode.SYNC)
            .timeoutMS(2_000)
            .storeFileListener(new Listener())
            .build();
        fsyncDirectory(directory);
    }

    private static void clearStaleChronicleLocks(final Path directory)
    {
        final File metadata = directory.resolve("metadata.cq4t").toFile();
        if (!metadata.exists())
        {
            return;
        }
        SingleChronicleQueueBuilder.addAliases(); // registers the SCQMeta alias the metadata file is written with
        try (TableStore<?> ts = SingleTableBuilder.binary(metadata, Metadata.NoMeta.INSTANCE).readOnly(false).build())
        {
            new TableStoreWriteLock(ts, BusyTimedPauser::new, 0L, TableStoreWriteLock.APPEND_LOCK_KEY).forceUnlock();
            new TableStoreWriteLock(ts, BusyTimedPauser::new, 0L).forceUnlock();
        }
    }

    private final class Listener implements StoreFileListener
    {
        @Override
        public void onAcquired(final int cycle, final File file)
        {
            cycleFiles.put(cycle, file.getName());
            if (syncedCycles.add(cycle))
            {
                try
                {
                    fsyncDirectory(directory);
                }
                catch (final UncheckedIOException ex)
                {
                    // Runs on whichever thread Chronicle acquires the file on; the next sync() reports it (fail-stop).
                    directorySyncFailure = ex.getCause();
                }
            }
        }

        @Override
        public void onReleased(final int cycle, final File file)
        {
            // nothing: release only means this process stopped using the file
        }
    }

    private static void fsyncDirectory(final Path directory)
    {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
        {
            dir.force(true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot fsync directory " + directory, ex);
        }
    }

    /**
     * Reads every excerpt from the start, in order.
     */
    public void replay(final WalFrameHandler handler)
    {
        final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        byte[] scratch = new byte[4096];
        int pathCycle = Integer.MIN_VALUE;
        String path = null;
        try (ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        return;
                    }
                    final Bytes<?> bytes = dc.wire().bytes();
                    final long position = bytes.readPosition();
                    final int length = (int)bytes.readRemaining();
                    if (length > scratch.length)
                    {
                        scratch = new byte[Math.max(length, scratch.length * 2)];
                    }
                    bytes.read(scratch, 0, length);
                    view.wrap(scratch, 0, scratch.length);
                    if (tailer.cycle() != pathCycle)
                    {
                        pathCycle = tailer.cycle();
                        path = directory.resolve(fileName(tailer.currentFile(), pathCycle)).toString();
                    }
                    handler.onFrame(view, length, dc.index(), path, position);
                }
            }
        }
    }

    /**
     * The name of a cycle's file: what the tailer or appender has open, else what the store-file listener recorded
     * (Chronicle does not always report an acquire before the first read of a cycle: a replay once named a bad frame
     * "cycle-N" in CI), else a placeholder.
     */
    private String fileName(final java.io.File current, final int cycle)
    {
        if (current != null)
        {
            return current.getName();
        }
        return cycleFiles.getOrDefault(cycle, "cycle-" + cycle);
    }

    /**
     * Fails with DISK_FULL when usable space is below the configured floor. Checked at most once per MiB written,
     * so a commit that gets through cannot fill the disk to the point where Chronicle's sparse file faults.
     */
    public void checkFreeSpace(final int upcomingBytes)
    {
        bytesSinceSpaceCheck += upcomingBytes;
        if (bytesSinceSpaceCheck < FREE_SPACE_CHECK_BYTES && FaultInjection.freeSpaceOverride() < 0)
        {
            return;
        }
        final long usable;
        try
        {
            final long override = FaultInjection.freeSpaceOverride();
            usable = override >= 0 ? override : Files.getFileStore(directory).getUsableSpace();
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.IO_ERROR, "cannot read free space of " + directory, ex);
        }
        if (usable < minFreeBytes)
        {
            throw new AedbException(ErrorCode.DISK_FULL, "only " + usable + " bytes free under " + directory
                + ", below the floor of " + minFreeBytes + " bytes; commit refused, nothing written");
        }
        bytesSinceSpaceCheck = 0;
    }

    /**
     * Writer thread, before an append of about {@code upcomingBytes}: keeps at least
     * {@value #PREALLOCATE_LOW_WATER} bytes of written blocks ahead of Chronicle's write position in the current
     * cycle file. Chronicle's files are sparse and memory-mapped, so on a full disk the first store into a hole
     * raises SIGBUS. Writing zeros (what a hole reads as anyway) into the never-written region past the write
     * position makes the file system reserve the space now: a full disk shows up here as an IOException
     * (DISK_FULL, nothing written). Only this thread appends, so nothing is written into the region while it is
     * being filled. The zeros are fdatasync'ed, so the block allocation is journaled ahead of the commits and a
     * commit's msync writes data pages only: this doubled durable 100-put batch throughput (about 120 k to about
     * 225 k puts/s) with no measurable change to a single durable commit (see docs/design.md §8).
     */
    public void preallocate(final int upcomingBytes)
    {
        if (writePosition < 0 || appender == null)
        {
            return;
        }
        final int cycle = appender.cycle();
        try
        {
            if (cycle != preallocatedCycle)
            {
                closePreallocation();
                final java.io.File current = appender.currentFile();
                final String name = current != null ? current.getName() : cycleFiles.get(cycle);
                if (name == null)
                {
                    return;
                }
                preallocated = FileChannel.open(directory.resolve(name), StandardOpenOption.WRITE);
                preallocatedCycle = cycle;
                preallocatedTo = 0;
            }
            final long needed = writePosition + upcomingBytes + PREALLOCATE_LOW_WATER;
            if (preallocatedTo >= needed)
            {
                return;
            }
            final long from = Math.max(preallocatedTo, (writePosition + upcomingBytes + 2 * PAGE) & -PAGE);
            final long to = Math.min(from + PREALLOCATE_CHUNK, preallocated.size());
            if (to <= from)
            {
                return; // Chronicle has not grown the file yet; it maps the next chunk when it needs it
            }
            final java.nio.ByteBuffer zeros = ZEROS.duplicate();
            zeros.limit((int)(to - from));
            long at = from;
            while (zeros.hasRemaining())
            {
                at += preallocated.write(zeros, at);
            }
            preallocated.force(false);
            preallocatedTo = to;
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.DISK_FULL, "cannot pre-allocate WAL blocks in " + directory + " (" + ex.getMessage()
                + "); commit refused, nothing written", ex);
        }
    }

    private void closePreallocation()
    {
        if (preallocated != null)
        {
            try
            {
                preallocated.close();
            }
            catch (final IOException ignore)
            {
                // only a write handle for pre-allocation; the data itself is Chronicle's
            }
            preallocated = null;
        }
    }

    /**
     * Appends one frame as one excerpt.
     *
     * @return the Chronicle index of the excerpt.
     */
    public long append(final byte[] frame, final int length)
    {
        if (appender == null)
        {
            appender = queue.createAppender();
        }
        final long index;
        try (DocumentContext dc = appender.writingDocument())
        {
            final Bytes<?> bytes = dc.wire().bytes();
            bytes.write(frame, 0, length);
            writePosition = bytes.writePosition();
            index = dc.index();
        }
        unsyncedBytes += length;
        return index;
    }

    /**
     * Lets another thread take over the appender (Chronicle binds an appender to the first thread that uses it).
     * Called after recovery appended on the opening thread, before the sequencer starts.
     */
    public void handOverAppender()
    {
        if (appender != null)
        {
            appender.singleThreadedCheckReset();
        }
    }

    /** @return bytes appended since the last {@link #sync()}. */
    public long unsyncedBytes()
    {
        return unsyncedBytes;
    }

    /**
     * Makes every appended frame durable.
     *
     * @throws IOException when the sync fails; the caller must stop (fail-stop).
     */
    public void sync() throws IOException
    {
        if (FaultInjection.syncFails())
        {
            throw new IOException("injected sync failure");
        }
        final IOException dirFailure = directorySyncFailure;
        if (dirFailure != null)
        {
            throw new IOException("fsync of the WAL directory after a new cycle file failed", dirFailure);
        }
        if (appender != null)
        {
            appender.sync();
        }
        unsyncedBytes = 0;
    }

    @Override
    public void close()
    {
        closePreallocation();
        if (appender != null)
        {
            appender.close();
        }
        queue.close();
    }
}
