package dev.aedb.wal;

import dev.aedb.codec.FrameDescriptor;
import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Reads the WAL directory itself, read-only and without Chronicle: lists the cycle files in cycle order, walks
 * each one's excerpts ({@link CycleFileReader}) and hands every data excerpt, copied, to a {@link WalFrameHandler}.
 * It is what recovery reads, so a damaged file is reported with its name and byte position before Chronicle ever
 * opens it for writing. Not thread-safe.
 */
public final class WalReader
{
    /** How the log ended. */
    public enum EndKind
    {
        /** There is no cycle file at all. */
        EMPTY,
        /** The last cycle ends at a 0 header (or Chronicle's end-of-cycle marker): a well-formed end. */
        CLEAN,
        /** A cycle file is damaged, cut short, or cannot be read; reading stopped there. */
        DAMAGED
    }

    /**
     * @param kind      how the log ended.
     * @param file      the cycle file where it ended (null for EMPTY).
     * @param position  the byte position in that file where the next excerpt header is (CLEAN) or where the damage
     *                  is (DAMAGED).
     * @param problem   what is wrong (DAMAGED), else null.
     * @param cycle     the cycle of {@code file}, or -1.
     * @param lastIndex the Chronicle index of the last data excerpt read, or -1 when none was.
     */
    public record End(EndKind kind, String file, long position, String problem, int cycle, long lastIndex)
    {
    }

    /** Tests a candidate frame found by {@link #findFrame}. */
    public interface FramePredicate
    {
        boolean test(UnsafeBuffer frame, int length);
    }

    /**
     * A frame found by a raw scan.
     *
     * @param file     its cycle file.
     * @param position the byte position of its first byte.
     */
    public record Found(String file, long position)
    {
    }

    private final Path directory;
    private final int fromCycle;
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    private byte[] scratch = new byte[4096];

    /** @param directory the WAL directory (it may not exist: then the log is empty). */
    public WalReader(final Path directory)
    {
        this(directory, 0);
    }

    /**
     * A reader of the log from cycle {@code fromCycle} on: files of earlier cycles (commits a checkpoint holds) are not
     * listed, read or synced.
     *
     * @param directory the WAL directory (it may not exist: then the log is empty).
     * @param fromCycle the first cycle to read (0 = all).
     */
    public WalReader(final Path directory, final int fromCycle)
    {
        this.directory = directory;
        this.fromCycle = fromCycle;
    }

    /**
     * @return the newest cycle file when its Chronicle store header was never completed (the first word is 0 or has
     *         the not-complete bit: the process ended while Chronicle was creating the file, which it does before it
     *         appends anything to it), else null. Such a file holds no frame.
     */
    public String unfinishedNewestCycle()
    {
        final TreeMap<Integer, String> cycles = cycleFiles();
        if (cycles.isEmpty())
        {
            return null;
        }
        final String name = cycles.lastEntry().getValue();
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(directory.resolve(name),
            java.nio.file.StandardOpenOption.READ))
        {
            final java.nio.ByteBuffer word = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            if (ch.read(word, 0) < 4)
            {
                return ch.size() == 0 ? name : null;
            }
            final int first = word.getInt(0);
            return first == 0 || (first & 0x80000000) != 0 ? name : null;
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.IO_ERROR, "cannot read " + directory.resolve(name) + ": " + ex.getMessage(), ex);
        }
    }

    /** @return the cycle a cycle file's name stands for, or -1 when it is not a cycle file's name. */
    public static int cycleOf(final String fileName)
    {
        return CycleFileDescriptor.cycleOf(fileName);
    }

    /**
     * Deletes the cycle files of {@code directory} whose cycle is below {@code belowCycle}, never the newest one, then
     * fsyncs the directory, with the crash point {@link dev.aedb.io.IoFaults#CHECKPOINT_MID_WAL_DELETION} after the
     * first file deleted. The caller guarantees that no reader needs them (every retained checkpoint starts its replay
     * at or after {@code belowCycle}) and that the appender writes at or after it. A file of a cycle
     * {@code mayBeMapped} rejects is truncated in steps before its unlink ({@link dev.aedb.io.FileRetirement}: the
     * unlink of a ~50 MB cycle file otherwise stalls commits for tens of ms), the others are only unlinked.
     *
     * @return the names deleted, oldest first.
     * @throws IOException when a file cannot be deleted or the directory synced.
     */
    public static java.util.List<String> deleteCyclesBelow(final Path directory, final int belowCycle,
        final dev.aedb.io.IoFaults faults, final java.util.function.IntPredicate mayBeMapped) throws IOException
    {
        final TreeMap<Integer, String> cycles = new WalReader(directory).cycleFiles();
        final java.util.List<String> deleted = new java.util.ArrayList<>();
        if (cycles.isEmpty())
        {
            return deleted;
        }
        final int newest = cycles.lastKey();
        for (final var e : cycles.headMap(belowCycle, false).entrySet())
        {
            if (e.getKey() == newest)
            {
                break;
            }
            final Path file = directory.resolve(e.getValue());
            if (mayBeMapped.test(e.getKey()))
            {
                Files.delete(file);
            }
            else
            {
                dev.aedb.io.FileRetirement.deleteInSteps(file);
            }
            deleted.add(e.getValue());
            if (deleted.size() == 1)
            {
                faults.crashPoint(dev.aedb.io.IoFaults.CHECKPOINT_MID_WAL_DELETION);
            }
        }
        if (!deleted.isEmpty())
        {
            try (java.nio.channels.FileChannel dir = java.nio.channels.FileChannel.open(directory, java.nio.file.StandardOpenOption.READ))
            {
                dir.force(true);
            }
        }
        return deleted;
    }

    /**
     * @return the cycle files by cycle, file names that are not FAST_DAILY cycle names ignored (Chronicle ignores
     *         them too).
     */
    public TreeMap<Integer, String> cycleFiles()
    {
        final TreeMap<Integer, String> cycles = new TreeMap<>();
        if (!Files.isDirectory(directory))
        {
            return cycles;
        }
        try (Stream<Path> files = Files.list(directory))
        {
            files.forEach(p ->
            {
                final String name = p.getFileName().toString();
                final int cycle = CycleFileDescriptor.cycleOf(name);
                if (cycle >= fromCycle && cycle >= 0 && Files.isRegularFile(p))
                {
                    cycles.put(cycle, name);
                }
            });
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.IO_ERROR, "cannot list the WAL directory " + directory + ": " + ex.getMessage(), ex);
        }
        return cycles;
    }

    /**
     * Reads every data excerpt of every cycle, in order, until the end of the log or the first damage.
     */
    public End read(final WalFrameHandler handler)
    {
        final TreeMap<Integer, String> cycles = cycleFiles();
        if (cycles.isEmpty())
        {
            return new End(EndKind.EMPTY, null, 0, null, -1, -1);
        }
        long lastIndex = -1;
        End end = null;
        for (final var entry : cycles.entrySet())
        {
            final int cycle = entry.getKey();
            final String name = entry.getValue();
            final boolean last = cycle == cycles.lastKey();
            final String path = directory.resolve(name).toString();
            try (CycleFileReader file = CycleFileReader.open(directory.resolve(name)))
            {
                final long[] lastN = {-1};
                final CycleFileReader.End e = file.walk((n, position, length) ->
                {
                    final byte[] bytes = bytes(length);
                    try
                    {
                        file.copy(position, bytes, length);
                    }
                    catch (final IOException ex)
                    {
                        throw new AedbException(ErrorCode.IO_ERROR, "cannot read " + path + " at position " + position + ": "
                            + ex.getMessage(), ex);
                    }
                    view.wrap(bytes, 0, length);
                    lastN[0] = n;
                    handler.onFrame(view, length, CycleFileDescriptor.index(cycle, n), path, position);
                });
                if (lastN[0] >= 0)
                {
                    lastIndex = CycleFileDescriptor.index(cycle, lastN[0]);
                }
                switch (e.kind())
                {
                    case ZERO, END_OF_CYCLE -> end = new End(EndKind.CLEAN, name, e.position(), null, cycle, lastIndex);
                    default -> end = new End(EndKind.DAMAGED, name, e.position(), e.problem(), cycle, lastIndex);
                }
            }
            catch (final NoSuchFileException ex)
            {
                end = new End(EndKind.DAMAGED, name, 0, "the file disappeared while it was read", cycle, lastIndex);
            }
            catch (final IOException ex)
            {
                end = new End(EndKind.DAMAGED, name, 0, "cannot read the file: " + ex.getMessage(), cycle, lastIndex);
            }
            if (end.kind() == EndKind.DAMAGED || last)
            {
                return end;
            }
        }
        return end;
    }

    private byte[] bytes(final int length)
    {
        if (length > scratch.length)
        {
            scratch = new byte[Math.max(length, Math.min(scratch.length * 2, CycleFileReader.MAX_DATA_EXCERPT))];
        }
        return scratch;
    }

    /**
     * Checks, by reading the file directly, that a whole, valid aedb frame with the given CRC32C lies at a position.
     *
     * @return null when it does, else what is wrong (for an error message).
     */
    public String checkFrameAt(final String file, final long position, final int length, final int crc)
    {
        final Path path = directory.resolve(file);
        if (!Files.isRegularFile(path))
        {
            return path + " is missing";
        }
        try (CycleFileReader reader = CycleFileReader.open(path))
        {
            if (length < FrameDescriptor.HEADER_LENGTH + FrameDescriptor.TRAILER_LENGTH || length > CycleFileReader.MAX_DATA_EXCERPT)
            {
                return "recorded frame length " + length + " is impossible";
            }
            if (position < 0 || position + length > reader.size())
            {
                return path + " is " + reader.size() + " bytes, too short to hold the frame recorded at position " + position
                    + " (" + length + " bytes)";
            }
            final byte[] bytes = bytes(length);
            reader.copy(position, bytes, length);
            view.wrap(bytes, 0, length);
            final String problem = FrameDescriptor.check(view, bytes, length, new CRC32C());
            if (problem != null)
            {
                return path + " position " + position + ": " + problem;
            }
            final int actual = view.getInt(length - FrameDescriptor.TRAILER_LENGTH, ByteOrder.LITTLE_ENDIAN);
            if (actual != crc)
            {
                return path + " position " + position + " holds a different frame (crc32c 0x" + Integer.toHexString(actual)
                    + ", recorded 0x" + Integer.toHexString(crc) + ")";
            }
            return null;
        }
        catch (final IOException ex)
        {
            return "cannot read " + path + ": " + ex.getMessage();
        }
    }

    /**
     * Scans raw bytes, at every 4-byte aligned position from {@code position} in {@code file} up to
     * {@code untilPosition} in {@code untilFile} (null: to the end of the last cycle file), for the first frame that
     * starts there, carries aedb's magic, is whole and valid, and passes {@code predicate}: used after damage, to tell
     * a torn tail from a hole with valid commits after it.
     *
     * @return the first such frame, or null.
     */
    public Found findFrame(final String file, final long position, final String untilFile, final long untilPosition,
        final FramePredicate predicate)
    {
        final int fromCycle = CycleFileDescriptor.cycleOf(file);
        final int untilCycle = untilFile == null ? Integer.MAX_VALUE : CycleFileDescriptor.cycleOf(untilFile);
        final CRC32C crc = new CRC32C();
        for (final var entry : cycleFiles().subMap(fromCycle, true, untilCycle, true).entrySet())
        {
            final String name = entry.getValue();
            try (CycleFileReader reader = CycleFileReader.open(directory.resolve(name)))
            {
                final long size = name.equals(untilFile) ? Math.min(reader.size(), untilPosition) : reader.size();
                long p = name.equals(file) ? position & ~3L : 0;
                while ((p = reader.find(p, FrameDescriptor.MAGIC)) >= 0)
                {
                    final long at = p;
                    p += 4;
                    if (at >= size)
                    {
                        break;
                    }
                    if (at + FrameDescriptor.HEADER_LENGTH + FrameDescriptor.TRAILER_LENGTH > reader.size())
                    {
                        break;
                    }
                    final int payload = reader.intAt(at + FrameDescriptor.LENGTH_OFFSET);
                    final long length = (long)FrameDescriptor.HEADER_LENGTH + payload + FrameDescriptor.TRAILER_LENGTH;
                    if (payload < 0 || length > CycleFileReader.MAX_DATA_EXCERPT || at + length > reader.size())
                    {
                        continue;
                    }
                    final byte[] bytes = bytes((int)length);
                    reader.copy(at, bytes, (int)length);
                    view.wrap(bytes, 0, (int)length);
                    if (FrameDescriptor.check(view, bytes, (int)length, crc) == null && predicate.test(view, (int)length))
                    {
                        return new Found(name, at);
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new AedbException(ErrorCode.IO_ERROR, "cannot scan " + directory.resolve(name) + ": " + ex.getMessage(), ex);
            }
        }
        return null;
    }

    /**
     * Checks Chronicle's {@code metadata.cq4t} the way {@link CycleFileReader} checks a cycle file: a complete store
     * header naming the FAST_DAILY roll cycle, then well-formed excerpts.
     *
     * @return null when it is absent or well-formed, else what is wrong with it (naming the byte position).
     */
    public String metadataProblem()
    {
        final Path path = directory.resolve(CycleFileDescriptor.METADATA_FILE);
        if (!Files.exists(path))
        {
            return null;
        }
        try (CycleFileReader reader = CycleFileReader.open(path))
        {
            final CycleFileReader.End end = reader.walk((n, position, length) -> { });
            if (end.kind() == CycleFileReader.EndKind.DAMAGED || end.kind() == CycleFileReader.EndKind.FILE_END)
            {
                return path + " position " + end.position() + ": " + end.problem();
            }
            final int headerLength = CycleFileDescriptor.length(reader.intAt(0));
            final byte[] header = new byte[headerLength];
            reader.copy(CycleFileDescriptor.HEADER_LENGTH, header, headerLength);
            final String text = new String(header, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (!text.contains("SCQMeta") || !text.contains("yyyyMMdd'F'"))
            {
                return path + " position 0: the store header does not describe a FAST_DAILY Chronicle queue";
            }
            return null;
        }
        catch (final IOException ex)
        {
            return "cannot read " + path + ": " + ex.getMessage();
        }
    }

    /**
     * Makes the cycle files from {@code file} on (all of them when null) durable: after recovery, the frames it read
     * become the synced state, so pages a killed process left unsynced must reach the disk first.
     */
    public void fsyncFrom(final String file)
    {
        final int from = file == null ? Integer.MIN_VALUE : CycleFileDescriptor.cycleOf(file);
        for (final String name : cycleFiles().tailMap(from, true).values())
        {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(directory.resolve(name),
                java.nio.file.StandardOpenOption.READ))
            {
                ch.force(false);
            }
            catch (final IOException ex)
            {
                throw new AedbException(ErrorCode.IO_ERROR, "cannot sync " + directory.resolve(name) + ": " + ex.getMessage(), ex);
            }
        }
    }
}
