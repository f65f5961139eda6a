package dev.aedb.wal;

import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;

import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * How permissive recovery drops a damaged tail without trusting Chronicle to append after damage: it writes the
 * readable prefix of the log, frame by frame, into a fresh queue {@value #REBUILT}, ends it with a drop record,
 * syncs it, then swaps directories: {@code wal} becomes {@code wal.damaged-<UTC time>} (kept, never deleted, for
 * inspection) and {@value #REBUILT} becomes {@code wal}. Each rename is followed by an fsync of the data directory.
 * <p>
 * A crash can leave {@value #REBUILT} behind: with {@code wal} still present the rebuild had not finished and is
 * discarded (the next permissive open redoes it); with {@code wal} gone, the swap was half done and
 * {@link #resumeInterrupted} completes it (the rebuilt queue was complete and synced before the first rename).
 */
public final class WalRebuild
{
    public static final String REBUILT = "wal.rebuilt";
    static final String DAMAGED_PREFIX = "wal.damaged-";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    /** Decides which frames of the damaged log go into the rebuilt one. */
    public interface FrameFilter
    {
        boolean keep(UnsafeBuffer frame, int length);
    }

    /**
     * @param preservedAs where the damaged WAL directory now is.
     */
    public record Result(Path preservedAs)
    {
    }

    private WalRebuild()
    {
    }

    /**
     * Finishes or discards a rebuild a crash interrupted.
     *
     * @return what was done, for the recovery report, or null when there was nothing to do.
     */
    public static String resumeInterrupted(final Path dataDirectory, final String walName)
    {
        final Path rebuilt = dataDirectory.resolve(REBUILT);
        if (!Files.isDirectory(rebuilt))
        {
            return null;
        }
        final Path wal = dataDirectory.resolve(walName);
        try
        {
            if (Files.exists(wal))
            {
                deleteTree(rebuilt);
                fsync(dataDirectory);
                return "discarded " + rebuilt + ", an unfinished rebuild of the WAL by an interrupted permissive recovery";
            }
            Files.move(rebuilt, wal, StandardCopyOption.ATOMIC_MOVE);
            fsync(dataDirectory);
            return "completed an interrupted permissive recovery: " + rebuilt + " became " + wal;
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.IO_ERROR, "cannot finish the interrupted WAL rebuild in " + dataDirectory + ": "
                + ex.getMessage(), ex);
        }
    }

    /**
     * Rebuilds the WAL of {@code dataDirectory} from the frames of {@code source} that {@code filter} keeps, then
     * {@code last}, and swaps it in.
     */
    public static Result rebuild(final Path dataDirectory, final String walName, final WalReader source, final FrameFilter filter,
        final byte[] last, final int lastLength)
    {
        return rebuild(dataDirectory, walName, source, filter, last, lastLength, 0);
    }

    /**
     * As {@link #rebuild(Path, String, WalReader, FrameFilter, byte[], int)}, the new log's first cycle at least
     * {@code floorCycle} (the cycle a checkpoint's replay starts at, so the rebuilt frames are read from it).
     */
    public static Result rebuild(final Path dataDirectory, final String walName, final WalReader source, final FrameFilter filter,
        final byte[] last, final int lastLength, final int floorCycle)
    {
        final long floorMillis = floorCycle * 86_400_000L;
        final Path rebuilt = dataDirectory.resolve(REBUILT);
        final Path wal = dataDirectory.resolve(walName);
        try
        {
            deleteTree(rebuilt);
            Files.createDirectories(rebuilt);
            try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(rebuilt.toFile()).rollCycle(RollCycles.FAST_DAILY)
                .timeProvider(() -> Math.max(System.currentTimeMillis(), floorMillis))
                .syncMode(SyncMode.SYNC).timeoutMS(2_000).build();
                ExcerptAppender appender = queue.createAppender())
            {
                final byte[][] copy = {new byte[4096]};
                source.read((frame, length, index, file, position) ->
                {
                    if (filter.keep(frame, length))
                    {
                        if (copy[0].length < length)
                        {
                            copy[0] = new byte[length];
                        }
                        frame.getBytes(0, copy[0], 0, length);
                        append(appender, copy[0], length);
                    }
                });
                append(appender, last, lastLength);
                appender.sync();
            }
            try (Stream<Path> files = Files.list(rebuilt))
            {
                for (final Path f : (Iterable<Path>)files::iterator)
                {
                    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE))
                    {
                        ch.force(true);
                    }
                }
            }
            fsync(rebuilt);
            Path preserved = dataDirectory.resolve(DAMAGED_PREFIX + LocalDateTime.now(ZoneOffset.UTC).format(STAMP));
            for (int i = 2; Files.exists(preserved); i++)
            {
                preserved = dataDirectory.resolve(DAMAGED_PREFIX + LocalDateTime.now(ZoneOffset.UTC).format(STAMP) + "-" + i);
            }
            if (Files.exists(wal))
            {
                Files.move(wal, preserved, StandardCopyOption.ATOMIC_MOVE);
                fsync(dataDirectory);
            }
            Files.move(rebuilt, wal, StandardCopyOption.ATOMIC_MOVE);
            fsync(dataDirectory);
            return new Result(preserved);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (ex instanceof AedbException a)
            {
                throw a;
            }
            throw new AedbException(ErrorCode.IO_ERROR, "permissive recovery could not rebuild the WAL in " + rebuilt + ": " + ex, ex);
        }
    }

    /**
     * Moves a damaged {@code metadata.cq4t} aside (Chronicle recreates it: it holds locks and the roll cycle, not
     * log data).
     *
     * @return where it went.
     */
    public static Path setAsideMetadata(final Path walDirectory)
    {
        final Path metadata = walDirectory.resolve(CycleFileDescriptor.METADATA_FILE);
        final Path aside = walDirectory.resolve(CycleFileDescriptor.METADATA_FILE + ".damaged-"
            + LocalDateTime.now(ZoneOffset.UTC).format(STAMP));
        try
        {
            Files.move(metadata, aside, StandardCopyOption.ATOMIC_MOVE);
            fsync(walDirectory);
            return aside;
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.IO_ERROR, "cannot move " + metadata + " aside: " + ex.getMessage(), ex);
        }
    }

    private static void append(final ExcerptAppender appender, final byte[] frame, final int length)
    {
        try (DocumentContext dc = appender.writingDocument())
        {
            dc.wire().bytes().write(frame, 0, length);
        }
    }

    private static void fsync(final Path directory)
    {
        ChronicleWal.fsyncDirectory(directory);
    }

    private static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path p : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.delete(p);
            }
        }
    }
}
