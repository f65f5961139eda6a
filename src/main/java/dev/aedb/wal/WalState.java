package dev.aedb.wal;

import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * aedb's own record of its WAL, the file {@value #FILE_NAME} in the data directory, so that recovery knows what a
 * complete log is without trusting where Chronicle's files seem to end: which frame was the last one acknowledged,
 * and which the last one synced, each named by cycle file, byte position, length and CRC32C. A database whose WAL
 * was damaged, truncated or deleted is then refused instead of opened short or empty.
 * <p>
 * Layout (4096 bytes, little-endian):
 * <pre>
 *   0   u64  magic "AEWALST1"           8   u16 version (1)      10 u16 reserved
 *   12  u32  crc32c of bytes [0,12) and [16,64)
 *   16  16 B database id (random)      32  u64 created, micros since the epoch      40..64 reserved
 *   64  slot 0 (192 bytes)             256 slot 1
 * slot:
 *   0   u64  generation (0 = never written; the valid slot with the higher generation is current)
 *   8   16 B boot id of the machine when it was written (zeros when unknown)
 *   24  mark "acknowledged" (72 B)     96  mark "synced" (72 B)     168..188 reserved
 *   188 u32  crc32c of slot bytes [0,188)
 * mark:
 *   0 u64 commit seq (the last commit acknowledged / synced; 0 = none)   8 u64 frame position in its file
 *   16 u32 frame length   20 u32 frame crc32c   24 u8 file name length   25 file name (at most 47 bytes)
 * </pre>
 * The sequencer writes the other slot, CRC last, after each acknowledgement (after the sync in FULL and BATCH,
 * after the append in OS_BUFFERED), before it completes the callers' futures. The page is not synced per commit:
 * kill -9 keeps it (page cache), and after a power loss it can only be older than the log, never newer, because
 * in FULL and BATCH it is written after the frames it names are synced. After a reboot (another boot id) only the
 * synced mark binds, since OS_BUFFERED commits may legitimately be lost then. The file is created with
 * write-temp, fsync, rename, fsync-directory, and replaced the same way after a permissive recovery.
 */
public final class WalState implements AutoCloseable
{
    public static final String FILE_NAME = "wal.state";
    static final int LENGTH = 4096;
    private static final long MAGIC = 0x3154534C41574541L; // "AEWALST1" in file order
    private static final int VERSION = 1;
    private static final int HEADER_CRC_OFFSET = 12;
    private static final int SLOT_OFFSET = 64;
    private static final int SLOT_LENGTH = 192;
    private static final int SLOT_CRC_OFFSET = 188;
    private static final int ACKED_OFFSET = 24;
    private static final int SYNCED_OFFSET = 96;
    private static final int MAX_NAME = 47;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final byte[] BOOT_ID = bootId();

    /**
     * A frame of the WAL, named by where it is.
     *
     * @param commitSeq the seq of the last commit up to and including this frame (0 = none).
     * @param file      the cycle file's name (null = no frame).
     * @param position  the frame's byte position in the file.
     * @param length    the frame's length.
     * @param crc       the frame's own CRC32C (its last four bytes).
     */
    public record Mark(long commitSeq, String file, long position, int length, int crc)
    {
        /** No frame: nothing acknowledged yet. */
        public static final Mark NONE = new Mark(0, null, 0, 0, 0);

        public boolean isNone()
        {
            return file == null;
        }

        @Override
        public String toString()
        {
            return isNone() ? "no frame" : "commit " + commitSeq + " (frame of " + length + " bytes at " + file + " position "
                + position + ", crc32c 0x" + Integer.toHexString(crc) + ")";
        }
    }

    /** What {@link #load} found. */
    public enum Status
    {
        /** No state file: a new data directory (or one made before it existed, or it was deleted). */
        MISSING,
        /** The file exists but neither slot (or the header) is valid. */
        DAMAGED,
        /** A valid state. */
        VALID
    }

    /**
     * @param status   what was found.
     * @param problem  for DAMAGED, what is wrong.
     * @param acked    the last acknowledged frame.
     * @param synced   the last synced frame.
     * @param sameBoot whether the machine has not rebooted since the state was written (unknown counts as no).
     */
    public record Loaded(Status status, String problem, Mark acked, Mark synced, boolean sameBoot)
    {
        /** @return the frame that recovery must find: everything acknowledged, unless the machine rebooted since. */
        public Mark binding()
        {
            return sameBoot ? acked : synced;
        }
    }

    private final FileChannel channel;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private final ByteBuffer[] slotViews = new ByteBuffer[2];
    private final CRC32C crc = new CRC32C();
    private long generation;
    private int current;

    private WalState(final FileChannel channel, final MappedByteBuffer mapped, final long generation, final int current)
    {
        this.channel = channel;
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
        this.generation = generation;
        this.current = current;
        for (int i = 0; i < 2; i++)
        {
            slotViews[i] = mapped.duplicate().position(SLOT_OFFSET + i * SLOT_LENGTH).limit(SLOT_OFFSET + i * SLOT_LENGTH + SLOT_CRC_OFFSET)
                .slice();
        }
    }

    /** Reads the state file of {@code dataDirectory} without changing anything. */
    public static Loaded load(final Path dataDirectory)
    {
        final Path path = dataDirectory.resolve(FILE_NAME);
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(path);
        }
        catch (final NoSuchFileException ex)
        {
            return new Loaded(Status.MISSING, null, Mark.NONE, Mark.NONE, false);
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.IO_ERROR, "cannot read " + path + ": " + ex.getMessage(), ex);
        }
        final UnsafeBuffer b = new UnsafeBuffer(bytes);
        if (bytes.length != LENGTH)
        {
            return damaged(path + " is " + bytes.length + " bytes, not " + LENGTH);
        }
        if (b.getLong(0, LE) != MAGIC || b.getShort(8, LE) != VERSION || b.getInt(HEADER_CRC_OFFSET, LE) != headerCrc(bytes))
        {
            return damaged(path + " position 0: bad header (magic, version or crc32c)");
        }
        int best = -1;
        long bestGeneration = 0;
        for (int i = 0; i < 2; i++)
        {
            final int o = SLOT_OFFSET + i * SLOT_LENGTH;
            final CRC32C c = new CRC32C();
            c.update(bytes, o, SLOT_CRC_OFFSET);
            final long generation = b.getLong(o, LE);
            if ((int)c.getValue() == b.getInt(o + SLOT_CRC_OFFSET, LE) && generation > bestGeneration)
            {
                best = i;
                bestGeneration = generation;
            }
        }
        if (best < 0)
        {
            return damaged(path + " position " + SLOT_OFFSET + ": neither state slot is valid");
        }
        final int o = SLOT_OFFSET + best * SLOT_LENGTH;
        final byte[] boot = new byte[16];
        b.getBytes(o + 8, boot);
        final boolean sameBoot = !isZero(BOOT_ID) && java.util.Arrays.equals(boot, BOOT_ID);
        return new Loaded(Status.VALID, null, readMark(b, o + ACKED_OFFSET), readMark(b, o + SYNCED_OFFSET), sameBoot);
    }

    private static Loaded damaged(final String problem)
    {
        return new Loaded(Status.DAMAGED, problem, Mark.NONE, Mark.NONE, false);
    }

    private static Mark readMark(final UnsafeBuffer b, final int o)
    {
        final int nameLength = b.getByte(o + 24) & 0xFF;
        if (nameLength == 0 || nameLength > MAX_NAME)
        {
            return Mark.NONE;
        }
        final byte[] name = new byte[nameLength];
        b.getBytes(o + 25, name);
        return new Mark(b.getLong(o, LE), new String(name, StandardCharsets.UTF_8), b.getLong(o + 8, LE), b.getInt(o + 16, LE),
            b.getInt(o + 20, LE));
    }

    /**
     * Writes a new state file for {@code dataDirectory} (replacing any), durably: temp file, fsync, rename, fsync of
     * the directory.
     */
    public static void write(final Path dataDirectory, final Mark acked, final Mark synced)
    {
        final byte[] bytes = new byte[LENGTH];
        final UnsafeBuffer b = new UnsafeBuffer(bytes);
        b.putLong(0, MAGIC, LE);
        b.putShort(8, (short)VERSION, LE);
        final Path path = dataDirectory.resolve(FILE_NAME);
        final byte[] previous = readHeader(path);
        if (previous != null)
        {
            b.putBytes(16, previous, 16, 24); // keep the database id and creation time across a rewrite
        }
        else
        {
            final UUID id = UUID.randomUUID();
            b.putLong(16, id.getMostSignificantBits(), LE);
            b.putLong(24, id.getLeastSignificantBits(), LE);
            b.putLong(32, System.currentTimeMillis() * 1000, LE);
        }
        b.putInt(HEADER_CRC_OFFSET, headerCrc(bytes), LE);
        writeSlot(b, SLOT_OFFSET, 1, acked, synced, new CRC32C());
        final Path temp = dataDirectory.resolve(FILE_NAME + ".tmp");
        try
        {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE))
            {
                final ByteBuffer src = ByteBuffer.wrap(bytes);
                while (src.hasRemaining())
                {
                    ch.write(src);
                }
                ch.force(true);
            }
            Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(dataDirectory);
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.IO_ERROR, "cannot write " + path + ": " + ex.getMessage(), ex);
        }
    }

    /** Maps the (valid) state file of {@code dataDirectory} for {@link #record} updates. */
    public static WalState open(final Path dataDirectory)
    {
        final Path path = dataDirectory.resolve(FILE_NAME);
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            if (channel.size() != LENGTH)
            {
                throw new IOException("the file is " + channel.size() + " bytes, not " + LENGTH);
            }
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, LENGTH);
            final UnsafeBuffer b = new UnsafeBuffer(mapped);
            final long g0 = b.getLong(SLOT_OFFSET, LE);
            final long g1 = b.getLong(SLOT_OFFSET + SLOT_LENGTH, LE);
            return new WalState(channel, mapped, Math.max(g0, g1), g1 > g0 ? 1 : 0);
        }
        catch (final IOException ex)
        {
            if (channel != null)
            {
                try
                {
                    channel.close();
                }
                catch (final IOException ignore)
                {
                    // already failing
                }
            }
            throw new AedbException(ErrorCode.IO_ERROR, "cannot map " + path + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Writer thread: records the last acknowledged and the last synced frame in the slot that is not current, CRC
     * last, then makes it current. Plain stores into a mapped page: no system call.
     */
    public void record(final long ackedSeq, final byte[] ackedFile, final long ackedPosition, final int ackedLength, final int ackedCrc,
        final long syncedSeq, final byte[] syncedFile, final long syncedPosition, final int syncedLength, final int syncedCrc)
    {
        final int slot = 1 - current;
        final int o = SLOT_OFFSET + slot * SLOT_LENGTH;
        generation++;
        buffer.putLong(o, generation, LE);
        buffer.putBytes(o + 8, BOOT_ID);
        putMark(buffer, o + ACKED_OFFSET, ackedSeq, ackedFile, ackedPosition, ackedLength, ackedCrc);
        putMark(buffer, o + SYNCED_OFFSET, syncedSeq, syncedFile, syncedPosition, syncedLength, syncedCrc);
        final ByteBuffer view = slotViews[slot];
        view.clear();
        crc.reset();
        crc.update(view);
        buffer.putInt(o + SLOT_CRC_OFFSET, (int)crc.getValue(), LE); // last: a torn slot fails its CRC and the other one stands
        current = slot;
    }

    private static void writeSlot(final UnsafeBuffer b, final int o, final long generation, final Mark acked, final Mark synced,
        final CRC32C crc)
    {
        b.putLong(o, generation, LE);
        b.putBytes(o + 8, BOOT_ID);
        putMark(b, o + ACKED_OFFSET, acked.commitSeq(), nameBytes(acked.file()), acked.position(), acked.length(), acked.crc());
        putMark(b, o + SYNCED_OFFSET, synced.commitSeq(), nameBytes(synced.file()), synced.position(), synced.length(), synced.crc());
        crc.reset();
        crc.update(b.byteArray(), o, SLOT_CRC_OFFSET);
        b.putInt(o + SLOT_CRC_OFFSET, (int)crc.getValue(), LE);
    }

    private static void putMark(final UnsafeBuffer b, final int o, final long seq, final byte[] file, final long position,
        final int length, final int crc)
    {
        b.putLong(o, seq, LE);
        b.putLong(o + 8, position, LE);
        b.putInt(o + 16, length, LE);
        b.putInt(o + 20, crc, LE);
        final int n = file == null ? 0 : file.length;
        b.putByte(o + 24, (byte)n);
        if (n > 0)
        {
            b.putBytes(o + 25, file);
        }
    }

    /** @return a cycle file name as the bytes {@link #record} takes. */
    public static byte[] nameBytes(final String file)
    {
        if (file == null)
        {
            return null;
        }
        final byte[] bytes = file.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_NAME)
        {
            throw new IllegalArgumentException("WAL file name longer than " + MAX_NAME + " bytes: " + file);
        }
        return bytes;
    }

    @Override
    public void close()
    {
        try
        {
            mapped.force();
        }
        finally
        {
            IoUtil.unmap(mapped);
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // the mapping is what carried the data, and it is forced and gone
            }
        }
    }

    /** @return the first 64 bytes of a state file whose header is valid, or null. */
    private static byte[] readHeader(final Path path)
    {
        try
        {
            final byte[] bytes = Files.readAllBytes(path);
            final UnsafeBuffer b = new UnsafeBuffer(bytes);
            if (bytes.length == LENGTH && b.getLong(0, LE) == MAGIC && b.getInt(HEADER_CRC_OFFSET, LE) == headerCrc(bytes))
            {
                return java.util.Arrays.copyOf(bytes, SLOT_OFFSET);
            }
        }
        catch (final IOException ex)
        {
            // none, or unreadable: a new identity
        }
        return null;
    }

    private static int headerCrc(final byte[] bytes)
    {
        final CRC32C c = new CRC32C();
        c.update(bytes, 0, HEADER_CRC_OFFSET);
        c.update(bytes, 16, SLOT_OFFSET - 16);
        return (int)c.getValue();
    }

    private static void fsyncDirectory(final Path directory) throws IOException
    {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
        {
            dir.force(true);
        }
    }

    private static boolean isZero(final byte[] bytes)
    {
        for (final byte b : bytes)
        {
            if (b != 0)
            {
                return false;
            }
        }
        return true;
    }

    /** The kernel's boot id (Linux), or zeros when it cannot be read: then only the synced mark binds after a restart. */
    private static byte[] bootId()
    {
        final byte[] id = new byte[16];
        try
        {
            final String text = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
            final UUID uuid = UUID.fromString(text);
            final UnsafeBuffer b = new UnsafeBuffer(id);
            b.putLong(0, uuid.getMostSignificantBits(), LE);
            b.putLong(8, uuid.getLeastSignificantBits(), LE);
        }
        catch (final IOException | RuntimeException ex)
        {
            // not Linux, or hidden: unknown
        }
        return id;
    }
}
