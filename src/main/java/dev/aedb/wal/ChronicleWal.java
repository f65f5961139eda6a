package dev.aedb.wal;

import dev.aedb.io.IoFaults;
import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.TableStore;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.TableStoreWriteLock;
import net.openhft.chronicle.queue.impl.table.Metadata;
import net.openhft.chronicle.queue.impl.table.SingleTableBuilder;
import net.openhft.chronicle.threads.BusyTimedPauser;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The write side of the WAL on a Chronicle Queue: one excerpt per frame. With {@link WalReader} (the read side,
 * which does not use Chronicle) the only code that touches Chronicle's files.
 * <p>
 * It is opened only after recovery has read and checked the log, and it is told where that log ends. Every append
 * is checked against that: the excerpt must start where the log ended (or after Chronicle's own index metadata),
 * with the next WAL index, or in a new cycle with its first index. Anything else is refused before the excerpt's
 * header is written, so Chronicle can never put a frame where recovery would not find it.
 * <p>
 * Durability: the queue runs with {@link SyncMode#SYNC}, so {@link #sync()} is {@code msync(MS_SYNC)} of the
 * pages written since the last sync (an fdatasync of that range on Linux). When Chronicle opens a new cycle file
 * the directory is fsynced, so the file's name survives a power loss too. {@link #acknowledge} records the last
 * acknowledged and synced frames in the {@link WalState}.
 * <p>
 * Threading: the sequencer only (Chronicle binds the appender to the first thread that appends).
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
    private static final int NO_CYCLE = Integer.MIN_VALUE;
    private static final long DAY_MILLIS = 86_400_000L;

    private final Path directory;
    private final SingleChronicleQueue queue;
    private final WalState state;
    private final Set<Integer> syncedCycles = ConcurrentHashMap.newKeySet();
    private final long minFreeBytes;
    private final IoFaults faults;
    private final java.nio.ByteBuffer headerProbe = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    private volatile IOException directorySyncFailure;
    private ExcerptAppender appender;
    /** Cycles whose file Chronicle holds (acquired minus released), from its store-file listener. */
    private final java.util.concurrent.ConcurrentHashMap<Integer, Integer> held = new java.util.concurrent.ConcurrentHashMap<>();
    private FileChannel preallocated;
    private int preallocatedCycle = NO_CYCLE;
    private long preallocatedTo;
    private boolean syncPreallocation = true;
    /** fdatasyncs {@link #preallocate} issued (for tests). */
    long preallocationSyncs;
    private long writePosition = -1;
    private long bytesSinceSpaceCheck = Long.MAX_VALUE / 2;
    private long unsyncedBytes;
    /** {@code System.nanoTime()} at the end of the last {@link #sync()} that synced frames; long ago at first. */
    private volatile long lastSyncNanos = System.nanoTime() - Long.MAX_VALUE / 2;
    // where the log ends: the cycle, the position of the next excerpt header, the last WAL index (-1 = none in the cycle)
    private volatile long cycleFloorMillis;
    private final java.util.function.LongSupplier clock;
    private int endCycle;
    private long endHeader;
    private long lastIndex;
    // the last frame appended, and the last ones acknowledged and synced (for the WalState)
    private byte[] lastFile;
    private long lastPosition;
    private int lastLength;
    private int lastCrc;
    private long ackedSeq = -1;
    private byte[] syncedFile;
    private long syncedSeq;
    private long syncedPosition;
    private int syncedLength;
    private int syncedCrc;

    /**
     * Opens (creating if needed) the queue in {@code directory} for appending after the frames recovery read. The
     * caller must hold the data directory's {@link DirectoryLock}: Chronicle's own write locks left by a dead
     * process are cleared here.
     *
     * @param minFreeBytes appends are refused with DISK_FULL when the file system has less usable space.
     * @param faults       the instance's fault seam ({@link IoFaults#NONE} in production).
     * @param state        where acknowledgements are recorded.
     * @param end          where recovery found the log to end.
     * @param last         the last frame of the log (synced when this returns), or {@link WalState.Mark#NONE}.
     * @throws AedbException WAL_CORRUPT when Chronicle's view of the log's end is not recovery's.
     */
    public ChronicleWal(final Path directory, final long minFreeBytes, final IoFaults faults, final WalState state,
        final WalReader.End end, final WalState.Mark last)
    {
        this(directory, minFreeBytes, faults, state, end, last, 0, System::currentTimeMillis);
    }

    /**
     * As {@link #ChronicleWal(Path, long, IoFaults, WalState, WalReader.End, WalState.Mark)}, appending in cycle
     * {@code floorCycle} or later: the cycle a checkpoint's replay starts at, so that no commit after the checkpoint
     * lands in a file recovery from it does not read.
     */
    public ChronicleWal(final Path directory, final long minFreeBytes, final IoFaults faults, final WalState state,
        final WalReader.End end, final WalState.Mark last, final int floorCycle)
    {
        this(directory, minFreeBytes, faults, state, end, last, floorCycle, System::currentTimeMillis);
    }

    /**
     * @param clock wall-clock millis; Chronicle picks the cycle (the day) from it, never earlier than the log's last
     *              cycle, so a clock set back keeps appending to that cycle instead of an earlier file.
     */
    ChronicleWal(final Path directory, final long minFreeBytes, final IoFaults faults, final WalState state,
        final WalReader.End end, final WalState.Mark last, final java.util.function.LongSupplier clock)
    {
        this(directory, minFreeBytes, faults, state, end, last, 0, clock);
    }

    ChronicleWal(final Path directory, final long minFreeBytes, final IoFaults faults, final WalState state,
        final WalReader.End end, final WalState.Mark last, final int floorCycle, final java.util.function.LongSupplier clock)
    {
        this.clock = clock;
        this.directory = directory;
        this.minFreeBytes = minFreeBytes;
        this.faults = faults;
        this.state = state;
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.IO_ERROR, "cannot create WAL directory " + directory, ex);
        }
        clearStaleChronicleLocks(directory);
        // A last cycle Chronicle already closed (its end-of-cycle marker written when it rolled on) takes no more appends.
        final int closedCycle = end.kind() == WalReader.EndKind.CLEAN && endsClosed(directory.resolve(end.file()), end.position())
            ? end.cycle() + 1 : Integer.MIN_VALUE;
        cycleFloorMillis = Math.max(Math.max(end.kind() == WalReader.EndKind.EMPTY ? 0 : end.cycle() * DAY_MILLIS,
            floorCycle * DAY_MILLIS), closedCycle == Integer.MIN_VALUE ? 0 : closedCycle * DAY_MILLIS);
        queue = SingleChronicleQueueBuilder.binary(directory.toFile())
            .rollCycle(RollCycles.FAST_DAILY)
            .timeProvider(() -> Math.max(clock.getAsLong(), cycleFloorMillis))
            .syncMode(SyncMode.SYNC)
            .timeoutMS(2_000)
            .storeFileListener(new Listener())
            .build();
        try
        {
            fsyncDirectory(directory);
            endCycle = end.kind() == WalReader.EndKind.EMPTY ? NO_CYCLE : end.cycle();
            endHeader = end.position();
            lastIndex = end.lastIndex();
            if (end.lastIndex() >= 0 && queue.lastIndex() != end.lastIndex())
            {
                throw new AedbException(ErrorCode.WAL_CORRUPT, "Chronicle finds the last WAL index at 0x"
                    + Long.toHexString(queue.lastIndex()) + " but recovery read the log to index 0x" + Long.toHexString(end.lastIndex())
                    + " (" + end.file() + " position " + end.position() + ")");
            }
            if (!last.isNone())
            {
                lastFile = WalState.nameBytes(last.file());
                lastPosition = last.position();
                lastLength = last.length();
                lastCrc = last.crc();
                ackedSeq = last.commitSeq();
                markSynced(last.commitSeq());
            }
        }
        catch (final RuntimeException ex)
        {
            queue.close();
            throw ex;
        }
    }

    /** @return whether the word at {@code position} of {@code file} is Chronicle's end-of-cycle marker. */
    private static boolean endsClosed(final Path file, final long position)
    {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ))
        {
            final java.nio.ByteBuffer word = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            return ch.read(word, position) == 4 && word.getInt(0) == CycleFileDescriptor.END_OF_DATA;
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.IO_ERROR, "cannot read " + file + ": " + ex.getMessage(), ex);
        }
    }

    private static void clearStaleChronicleLocks(final Path directory)
    {
        final File metadata = directory.resolve(CycleFileDescriptor.METADATA_FILE).toFile();
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

    /**
     * Any thread: whether Chronicle holds the cycle's file in this process (acquired and not released since): such a
     * file may still be mapped, so retention only unlinks it.
     */
    public boolean holds(final int cycle)
    {
        return held.containsKey(cycle);
    }

    private final class Listener implements StoreFileListener
    {
        @Override
        public void onAcquired(final int cycle, final File file)
        {
            held.merge(cycle, 1, Integer::sum);
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
            held.computeIfPresent(cycle, (c, n) -> n > 1 ? n - 1 : null);
        }
    }

    static void fsyncDirectory(final Path directory)
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
     * Fails with DISK_FULL when usable space is below the configured floor. Checked at most once per MiB written,
     * so a commit that gets through cannot fill the disk to the point where Chronicle's sparse file faults (every
     * time while the fault seam reports its own figure).
     */
    public void checkFreeSpace(final int upcomingBytes)
    {
        bytesSinceSpaceCheck += upcomingBytes;
        final long override = faults.usableSpaceOverride();
        if (bytesSinceSpaceCheck < FREE_SPACE_CHECK_BYTES && override == IoFaults.NO_OVERRIDE)
        {
            return;
        }
        final long usable;
        try
        {
            usable = override != IoFaults.NO_OVERRIDE ? override : Files.getFileStore(directory).getUsableSpace();
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
     * Tells the WAL that the next append, sync or roll may come from another thread than the last one: the caller
     * guarantees that no two threads use it at the same time and that this thread sees everything the last one did
     * (the commit engine's cycle lock). Chronicle's appender otherwise refuses a second thread.
     */
    public void handOver()
    {
        if (appender != null)
        {
            appender.singleThreadedCheckReset();
        }
    }

    /**
     * Whether {@link #preallocate} fdatasyncs the zeros it writes (the default). That sync journals the block
     * allocation ahead of the commits so that a durable commit's msync writes data pages only; where commits are never
     * synced (OS_BUFFERED) it buys nothing and stalls the appending thread: 13 ms median, up to 57 ms, while a
     * checkpoint's writeback was in flight (JFR, 100-put envelopes). The blocks are reserved by the write either way.
     *
     * @return this.
     */
    public ChronicleWal syncPreallocation(final boolean sync)
    {
        this.syncPreallocation = sync;
        return this;
    }

    /**
     * Writer thread, before an append of about {@code upcomingBytes}: keeps at least
     * {@value #PREALLOCATE_LOW_WATER} bytes of written blocks ahead of Chronicle's write position in the current
     * cycle file. Chronicle's files are sparse and memory-mapped, so on a full disk the first store into a hole
     * raises SIGBUS. Writing zeros (what a hole reads as anyway) into the never-written region past the write
     * position makes the file system reserve the space now: a full disk shows up here as an IOException
     * (DISK_FULL, nothing written). Only this thread appends, so nothing is written into the region while it is
     * being filled. Unless {@link #syncPreallocation} turned it off, the zeros are fdatasync'ed, so the block
     * allocation is journaled ahead of the commits and a commit's msync writes data pages only: this doubled durable
     * 100-put batch throughput (about 120 k to about 225 k puts/s) with no measurable change to a single durable
     * commit (see docs/design.md §8).
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
                if (current == null)
                {
                    return;
                }
                preallocated = FileChannel.open(directory.resolve(current.getName()), StandardOpenOption.WRITE);
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
            if (syncPreallocation)
            {
                preallocated.force(false);
                preallocationSyncs++;
            }
            preallocatedTo = to;
        }
        catch (final java.nio.channels.ClosedChannelException ex)
        {
            // An interrupt of the writing thread closes the channel (ClosedByInterruptException): it is only this
            // write handle, so open a fresh one next time instead of refusing every later commit.
            closePreallocation();
            preallocatedCycle = NO_CYCLE;
            throw new AedbException(ErrorCode.IO_ERROR, "WAL pre-allocation in " + directory + " was interrupted (" + ex
                + "); commit refused, nothing written", ex);
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
     * Writer thread: makes the next append start a new cycle file, so every commit appended so far lies in files of
     * earlier cycles (a checkpoint of those commits can then retire whole files). The cycle is
     * {@code max(the clock's day, the last cycle + 1)}: cycle numbers stay increasing and may run ahead of the calendar
     * when checkpoints are frequent.
     *
     * @return the cycle the next append goes to; every commit appended so far is in an earlier one.
     */
    public int roll()
    {
        final int clockCycle = (int)(clock.getAsLong() / DAY_MILLIS);
        final int floor = (int)(cycleFloorMillis / DAY_MILLIS);
        final int next = endCycle == NO_CYCLE ? Math.max(clockCycle, floor) : Math.max(clockCycle, Math.max(floor, endCycle + 1));
        cycleFloorMillis = next * DAY_MILLIS;
        return next;
    }

    /**
     * Appends one frame as one excerpt, after checking that Chronicle places it right after the log recovery read
     * and the frames appended since (see the class comment).
     *
     * @return the Chronicle index of the excerpt.
     * @throws AedbException WAL_CORRUPT, with nothing written, when Chronicle would put it anywhere else; IO_ERROR,
     *                       with nothing written, when the write fails.
     */
    public long append(final byte[] frame, final int length)
    {
        try
        {
            faults.beforeAppend(length);
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.IO_ERROR, "cannot append to the WAL in " + directory + " (" + ex.getMessage()
                + "); nothing of the frame was written", ex);
        }
        if (appender == null)
        {
            appender = queue.createAppender();
        }
        final long index;
        final int cycle;
        final long start;
        try (DocumentContext dc = appender.writingDocument())
        {
            final Bytes<?> bytes = dc.wire().bytes();
            start = bytes.writePosition();
            index = dc.index();
            cycle = appender.cycle();
            final String problem = placementProblem(cycle, start, index);
            if (problem != null)
            {
                dc.rollbackOnClose();
                throw new AedbException(ErrorCode.WAL_CORRUPT, "refusing to append: " + problem + "; nothing was written");
            }
            bytes.write(frame, 0, length);
            writePosition = bytes.writePosition();
        }
        if (cycle != endCycle)
        {
            cycleFloorMillis = cycle * DAY_MILLIS;
            final java.io.File current = appender.currentFile();
            lastFile = WalState.nameBytes(current != null ? current.getName() : CycleFileDescriptor.fileName(cycle));
            endCycle = cycle;
        }
        endHeader = CycleFileDescriptor.next(start - CycleFileDescriptor.HEADER_LENGTH, length);
        lastIndex = index;
        lastPosition = start;
        lastLength = length;
        lastCrc = (frame[length - 4] & 0xFF) | (frame[length - 3] & 0xFF) << 8 | (frame[length - 2] & 0xFF) << 16
            | (frame[length - 1] & 0xFF) << 24;
        unsyncedBytes += length;
        faults.crashPoint(IoFaults.WAL_AFTER_APPEND);
        return index;
    }

    private String placementProblem(final int cycle, final long start, final long index)
    {
        final long header = start - CycleFileDescriptor.HEADER_LENGTH;
        if (cycle == endCycle)
        {
            // The log may end in a cycle that holds no frame yet (a process stopped in its first append there, after
            // a checkpoint's roll): the next index is then the cycle's first, not the one after the last frame.
            final boolean frameInCycle = lastIndex >= 0 && (int)(lastIndex >>> 32) == cycle;
            if (index != (frameInCycle ? lastIndex + 1 : CycleFileDescriptor.index(cycle, 0)))
            {
                return "Chronicle would write WAL index 0x" + Long.toHexString(index) + " after index 0x" + Long.toHexString(lastIndex);
            }
            if (header != endHeader && !onlyMetadataBetween(endHeader, header))
            {
                return "Chronicle would write at position " + header + " of cycle " + cycle + " but the log ends at " + endHeader;
            }
            return null;
        }
        if (endCycle != NO_CYCLE && cycle < endCycle)
        {
            return "Chronicle would write into cycle " + cycle + ", before the log's last cycle " + endCycle + " (clock set back?)";
        }
        if (index != CycleFileDescriptor.index(cycle, 0))
        {
            return "Chronicle would start cycle " + cycle + " at WAL index 0x" + Long.toHexString(index) + ", not at its first index";
        }
        return null;
    }

    /**
     * Rare (Chronicle adds an index array every million excerpts): whether complete Chronicle metadata excerpts fill
     * [from, to) of the current cycle file.
     */
    private boolean onlyMetadataBetween(final long from, final long to)
    {
        final java.io.File current = appender.currentFile();
        if (current == null)
        {
            return false;
        }
        try (FileChannel file = FileChannel.open(current.toPath(), StandardOpenOption.READ))
        {
            long p = from;
            while (p < to)
            {
                headerProbe.clear();
                if (file.read(headerProbe, p) != 4)
                {
                    return false;
                }
                final int h = headerProbe.getInt(0);
                if (h == 0 || CycleFileDescriptor.isNotComplete(h) || !CycleFileDescriptor.isMetaData(h))
                {
                    return false;
                }
                p = CycleFileDescriptor.next(p, CycleFileDescriptor.length(h));
            }
            return p == to;
        }
        catch (final IOException ex)
        {
            return false;
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
        faults.crashPoint(IoFaults.WAL_BEFORE_SYNC);
        faults.beforeSync();
        final IOException dirFailure = directorySyncFailure;
        if (dirFailure != null)
        {
            throw new IOException("fsync of the WAL directory after a new cycle file failed", dirFailure);
        }
        if (appender != null)
        {
            appender.sync();
            lastSyncNanos = System.nanoTime();
        }
        unsyncedBytes = 0;
        faults.crashPoint(IoFaults.WAL_AFTER_SYNC);
    }

    /**
     * Any thread: when durable commits last synced the WAL, so that a checkpoint image can yield the disk to them
     * (§12 of docs/design.md).
     *
     * @return {@code System.nanoTime()} at the end of the last {@link #sync()} of frames; long ago when none.
     */
    public long lastSyncNanos()
    {
        return lastSyncNanos;
    }

    /**
     * Writer thread, before callers are told: records in the {@link WalState} that every frame appended so far,
     * up to commit {@code commitSeq}, is acknowledged, and, when {@code synced}, durable (after {@link #sync()}).
     */
    public void acknowledge(final long commitSeq, final boolean synced)
    {
        if (lastFile == null || (commitSeq == ackedSeq && (!synced || commitSeq == syncedSeq)))
        {
            return;
        }
        ackedSeq = commitSeq;
        if (synced)
        {
            markSynced(commitSeq);
        }
        state.record(ackedSeq, lastFile, lastPosition, lastLength, lastCrc, syncedSeq, syncedFile, syncedPosition, syncedLength,
            syncedCrc);
    }

    private void markSynced(final long commitSeq)
    {
        syncedSeq = commitSeq;
        syncedFile = lastFile;
        syncedPosition = lastPosition;
        syncedLength = lastLength;
        syncedCrc = lastCrc;
    }

    /** Closes the queue and the {@link WalState} (forced to disk). */
    @Override
    public void close()
    {
        try
        {
            closePreallocation();
            if (appender != null)
            {
                appender.close();
            }
            queue.close();
        }
        finally
        {
            state.close();
        }
    }
}
