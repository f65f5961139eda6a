package dev.aedb.checkpoint;

import dev.aedb.catalog.CatalogState;
import dev.aedb.codec.ByteReader;
import dev.aedb.codec.ByteWriter;
import dev.aedb.codec.DecodeException;
import dev.aedb.io.IoFaults;
import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;
import dev.aedb.store.ImageBlock;
import dev.aedb.store.KeySpace;
import dev.aedb.store.StoreImageWriter;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * One checkpoint image file, {@code checkpoints/checkpoint-<seq, 20 digits>.img}: the whole state at one commit seq.
 * <pre>
 *   0      header, 4096 bytes, little-endian:
 *            0 u64 magic "AEDBCKP1" | 8 u32 format version (2; 1 is read too) | 12 u32 flags (bit 0: arena blocks big-endian)
 *           16 u64 seq | 24 u64 created, micros since the epoch | 32 u64 meta position | 40 u32 meta length
 *           44 u32 meta CRC32C | 48 u64 file length | 56 u32 image CRC32C | 60 u32 block count
 *           64..4091 zero | 4092 u32 CRC32C of bytes [0, 4092)
 *   4096   blocks, page-aligned ({@link StoreImageWriter}): arena segments and hash-index arrays, native byte order
 *   meta   little-endian: u32 blocks (u8 kind | u64 position | u32 length | u32 CRC32C) | u64 record bytes
 *          | u32 key spaces (u64 head | u32 top level | u32 hash block | u64 live keys | u64 bytes)
 *          | u32 WAL from-cycle | sized catalog ({@link CatalogCodec}) | sized idempotency records
 * </pre>
 * The image CRC32C ("whole") is the CRC32C of the meta CRC and every block's CRC (each as 4 little-endian bytes, in
 * block order): checking the header and meta proves the block table, and each block is checked against its own CRC
 * before first use ({@link ImageBlock}), or all at once by {@link Opened#verifyAll()}.
 */
final class CheckpointImage
{
    static final long MAGIC = 0x31504B4342444541L; // "AEDBCKP1" little-endian
    /** Version 2 added secondary indexes to the catalog section; version 1 images (no indexes) are still read. */
    static final int FORMAT_VERSION = 2;
    static final int OLDEST_READ_VERSION = 1;
    static final int HEADER_LENGTH = 4096;
    private static final int FLAG_BIG_ENDIAN = 1;
    private static final String PREFIX = "checkpoint-";
    private static final String SUFFIX = ".img";
    static final String TEMP_SUFFIX = ".tmp";

    private CheckpointImage()
    {
    }

    static String fileName(final long seq)
    {
        return PREFIX + String.format("%020d", seq) + SUFFIX;
    }

    /** @return the seq in a checkpoint image's file name, or -1. */
    static long seqOf(final String fileName)
    {
        if (!fileName.startsWith(PREFIX) || !fileName.endsWith(SUFFIX) || fileName.length() != PREFIX.length() + 20 + SUFFIX.length())
        {
            return -1;
        }
        try
        {
            return Long.parseLong(fileName.substring(PREFIX.length(), PREFIX.length() + 20));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /** What an image holds, as written or as read back. */
    record Summary(String file, long seq, long length, int imageCrc, int fromCycle, long keys, long recordBytes)
    {
    }

    /**
     * Writes the image of the state at {@code seq} to a temp file, fsyncs it, renames it into place and fsyncs the
     * directory. The caller holds a reader slot pinned at {@code seq}. On any failure the temp file is deleted and
     * nothing else changed.
     *
     * @param catalog     the catalog at {@code seq}.
     * @param idempotency the idempotency records at {@code seq}, encoded by the writer.
     * @param fromCycle   the first WAL cycle holding commits after {@code seq}.
     * @param readDone    run once the last key space has been read, before the writes are waited for and synced:
     *                    nothing of the store is read after it, so the caller's pin may go (a pinned reader holds back
     *                    the freeing of every version retired meanwhile, and the fsyncs can take longer than the read).
     * @param pacer       paces the writes of segments and hash arrays ({@link CheckpointPacer}).
     * @throws IOException when a write, the fsync or the rename fails.
     */
    static Summary write(final Path directory, final long seq, final CatalogState catalog, final byte[] idempotency,
        final int fromCycle, final long createdMicros, final IoFaults faults, final Runnable readDone, final AtomicLong progress,
        final StoreImageWriter.Pacer pacer) throws IOException
    {
        Files.createDirectories(directory);
        final String name = fileName(seq);
        final Path temp = directory.resolve(name + TEMP_SUFFIX);
        final Path target = directory.resolve(name);
        Files.deleteIfExists(temp);
        boolean done = false;
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileChannel direct = openDirect(temp);
            StoreImageWriter writer = new StoreImageWriter(ch, direct == null ? ch : direct, HEADER_LENGTH,
                () -> Checkpointer.force(ch, faults), progress, pacer))
        {
            final List<KeySpace> keySpaces = CatalogCodec.keySpaces(catalog);
            final byte[] catalogBytes = CatalogCodec.encode(catalog);
            final List<StoreImageWriter.KeySpaceRecord> records = new ArrayList<>(keySpaces.size());
            long keys = 0;
            for (int i = 0; i < keySpaces.size(); i++)
            {
                faults.beforeCheckpointWrite(writer.position());
                if (i == keySpaces.size() / 2)
                {
                    faults.crashPoint(IoFaults.CHECKPOINT_IMAGE_HALF_WRITTEN);
                }
                final StoreImageWriter.KeySpaceRecord r = writer.write(keySpaces.get(i), seq);
                records.add(r);
                keys += r.live();
            }
            if (keySpaces.isEmpty())
            {
                faults.crashPoint(IoFaults.CHECKPOINT_IMAGE_HALF_WRITTEN);
            }
            readDone.run();
            faults.beforeCheckpointWrite(writer.position());
            final List<StoreImageWriter.Block> blocks = writer.finish();
            final ByteWriter meta = new ByteWriter(1024);
            meta.putInt(blocks.size());
            for (final StoreImageWriter.Block b : blocks)
            {
                meta.putByte(b.kind());
                meta.putLong(b.position());
                meta.putInt(b.length());
                meta.putInt(b.crc());
            }
            meta.putLong(writer.recordBytes());
            meta.putInt(records.size());
            for (final StoreImageWriter.KeySpaceRecord r : records)
            {
                meta.putLong(r.head());
                meta.putInt(r.topLevel());
                meta.putInt(r.hashBlock());
                meta.putLong(r.live());
                meta.putLong(r.bytes());
            }
            meta.putInt(fromCycle);
            meta.putSizedBytes(catalogBytes);
            meta.putSizedBytes(idempotency);
            final byte[] metaBytes = meta.toByteArray();
            final long metaPosition = writer.position();
            writeFully(ch, ByteBuffer.wrap(metaBytes), metaPosition);
            final long length = metaPosition + metaBytes.length;
            final int metaCrc = crc(metaBytes, 0, metaBytes.length);
            final int imageCrc = imageCrc(metaCrc, blocks);
            final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            header.putLong(0, MAGIC);
            header.putInt(8, FORMAT_VERSION);
            header.putInt(12, ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? FLAG_BIG_ENDIAN : 0);
            header.putLong(16, seq);
            header.putLong(24, createdMicros);
            header.putLong(32, metaPosition);
            header.putInt(40, metaBytes.length);
            header.putInt(44, metaCrc);
            header.putLong(48, length);
            header.putInt(56, imageCrc);
            header.putInt(60, blocks.size());
            header.putInt(HEADER_LENGTH - 4, crc(header.array(), 0, HEADER_LENGTH - 4));
            writeFully(ch, header, 0);
            Checkpointer.force(ch, faults);
            faults.crashPoint(IoFaults.CHECKPOINT_BEFORE_IMAGE_RENAME);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Manifest.fsyncDirectory(directory);
            done = true;
            return new Summary(name, seq, length, imageCrc, fromCycle, keys, writer.recordBytes());
        }
        finally
        {
            if (!done)
            {
                Files.deleteIfExists(temp);
            }
        }
    }

    /**
     * The image's blocks are written with {@code O_DIRECT} where the file system offers it for 4 KiB-aligned writes:
     * they reach the device as they are written, in pieces the pacer can space out, instead of staying dirty until an
     * fsync pushes them out at once and every WAL sync issued meanwhile waits behind them (§12). The header, the meta
     * section and the later links go through the page cache, and the final fsync covers both.
     *
     * @return {@code file} opened again for direct writes, or null where that is not offered (tmpfs, a block size
     *         that does not divide 4096, a JDK or platform without it): the image then goes through the page cache.
     */
    static FileChannel openDirect(final Path file)
    {
        try
        {
            final long block = Files.getFileStore(file).getBlockSize();
            if (block <= 0 || block > HEADER_LENGTH || HEADER_LENGTH % block != 0)
            {
                return null;
            }
            return FileChannel.open(file, StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT);
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return null; // EINVAL where the file system has no O_DIRECT: the page cache then, as before
        }
    }

    private static void writeFully(final FileChannel ch, final ByteBuffer bytes, final long at) throws IOException
    {
        long p = at;
        while (bytes.hasRemaining())
        {
            p += ch.write(bytes, p);
        }
    }

    static int crc(final byte[] bytes, final int offset, final int length)
    {
        final CRC32C c = new CRC32C();
        c.update(bytes, offset, length);
        return (int)c.getValue();
    }

    private static int imageCrc(final int metaCrc, final List<StoreImageWriter.Block> blocks)
    {
        final ByteBuffer all = ByteBuffer.allocate(4 + 4 * blocks.size()).order(ByteOrder.LITTLE_ENDIAN);
        all.putInt(metaCrc);
        for (final StoreImageWriter.Block b : blocks)
        {
            all.putInt(b.crc());
        }
        return crc(all.array(), 0, all.capacity());
    }

    /** A key space of an opened image. */
    record KeySpaceEntry(long head, int topLevel, int hashBlock, long live, long bytes)
    {
    }

    /**
     * An image whose header, meta section and block table are checked, its blocks mapped (not yet read).
     *
     * @param segments the arena segments, segment {@code i} first.
     * @param blocks   every block, by index.
     */
    record Opened(Path file, long seq, long createdMicros, long length, int imageCrc, int fromCycle, long recordBytes,
        List<ImageBlock> blocks, ImageBlock[] segments, List<KeySpaceEntry> keySpaces, byte[] catalog, byte[] idempotency,
        int version)
    {
        /**
         * Verifies every block against its CRC32C now.
         *
         * @throws AedbException CHECKPOINT_CORRUPT naming the first damaged block's file and offset.
         */
        void verifyAll()
        {
            for (final ImageBlock b : blocks)
            {
                b.verified();
            }
        }

        /** @return the keys the image holds. */
        long keys()
        {
            long n = 0;
            for (final KeySpaceEntry k : keySpaces)
            {
                n += k.live();
            }
            return n;
        }

        Summary summary()
        {
            return new Summary(file.getFileName().toString(), seq, length, imageCrc, fromCycle, keys(), recordBytes);
        }
    }

    /**
     * Opens an image: checks its header (magic, CRC, version, byte order, length), its meta section (CRC, decoding,
     * ranges) and the image CRC, then maps its blocks; reads no block.
     *
     * @param copyOnWrite true to map the blocks privately for the live store, false read-only.
     * @throws AedbException CHECKPOINT_CORRUPT (the file and offset named) or CHECKPOINT_UNSUPPORTED; IO_ERROR.
     */
    static Opened open(final Path file, final boolean copyOnWrite)
    {
        if (!Files.isRegularFile(file))
        {
            throw corrupt(file + " is missing (the checkpoint manifest names it)");
        }
        // A private (copy-on-write) mapping needs a channel open for writing too; nothing is ever written through it.
        try (FileChannel ch = copyOnWrite ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
            : FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = ch.size();
            if (size < HEADER_LENGTH)
            {
                throw corrupt(file + " is " + size + " bytes long, shorter than its " + HEADER_LENGTH + "-byte header (truncated)");
            }
            final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, header, 0);
            if (header.getLong(0) != MAGIC)
            {
                throw corrupt(file + " offset 0: not a checkpoint image (magic 0x" + Long.toHexString(header.getLong(0)) + ")");
            }
            final int headerCrc = crc(header.array(), 0, HEADER_LENGTH - 4);
            if (headerCrc != header.getInt(HEADER_LENGTH - 4))
            {
                throw corrupt(file + " offset 0: the header fails its CRC32C (recorded at offset " + (HEADER_LENGTH - 4) + ")");
            }
            final int version = header.getInt(8);
            if (version < OLDEST_READ_VERSION || version > FORMAT_VERSION)
            {
                throw new AedbException(ErrorCode.CHECKPOINT_UNSUPPORTED, file + " offset 8: checkpoint format version " + version
                    + ", this aedb reads versions " + OLDEST_READ_VERSION + " to " + FORMAT_VERSION
                    + (version > FORMAT_VERSION ? " (written by a newer aedb)" : ""));
            }
            final boolean bigEndian = (header.getInt(12) & FLAG_BIG_ENDIAN) != 0;
            if (bigEndian != (ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN))
            {
                throw new AedbException(ErrorCode.CHECKPOINT_UNSUPPORTED, file + " offset 12: written on a machine of the other byte "
                    + "order; its blocks are mapped as they are, so it cannot be used here (the WAL can: move the checkpoint aside)");
            }
            final long seq = header.getLong(16);
            final long created = header.getLong(24);
            final long metaPosition = header.getLong(32);
            final int metaLength = header.getInt(40);
            final int metaCrc = header.getInt(44);
            final long length = header.getLong(48);
            final int imageCrc = header.getInt(56);
            if (length != size)
            {
                throw corrupt(file + " offset 48: the header records " + length + " bytes but the file has " + size
                    + (size < length ? " (truncated)" : ""));
            }
            if (metaPosition < HEADER_LENGTH || metaLength < 0 || metaPosition + metaLength != length)
            {
                throw corrupt(file + " offset 32: meta section [" + metaPosition + ", +" + metaLength + ") out of range");
            }
            final byte[] meta = new byte[metaLength];
            readFully(ch, ByteBuffer.wrap(meta), metaPosition);
            if (crc(meta, 0, metaLength) != metaCrc)
            {
                throw corrupt(file + " offset " + metaPosition + ": the meta section (" + metaLength + " bytes) fails its CRC32C");
            }
            return decode(file, ch, seq, created, length, imageCrc, metaCrc, meta, metaPosition, copyOnWrite, version);
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.IO_ERROR, "cannot read checkpoint " + file + ": " + ex.getMessage(), ex);
        }
    }

    private static Opened decode(final Path file, final FileChannel ch, final long seq, final long created, final long length,
        final int imageCrc, final int metaCrc, final byte[] meta, final long metaPosition, final boolean copyOnWrite, final int version)
        throws IOException
    {
        final ByteReader r = new ByteReader().wrap(new UnsafeBuffer(meta), 0, meta.length);
        try
        {
            final int blockCount = r.getInt();
            if (blockCount < 0 || blockCount > meta.length / 17)
            {
                throw corrupt(file + " offset " + metaPosition + ": block count " + blockCount + " out of range");
            }
            final List<ImageBlock> blocks = new ArrayList<>(blockCount);
            final List<ImageBlock> segments = new ArrayList<>();
            final List<StoreImageWriter.Block> table = new ArrayList<>(blockCount);
            for (int i = 0; i < blockCount; i++)
            {
                final int kind = r.getByte();
                final long position = r.getLong();
                final int blockLength = r.getInt();
                final int crc = r.getInt();
                if ((kind != StoreImageWriter.KIND_SEGMENT && kind != StoreImageWriter.KIND_HASH) || position < HEADER_LENGTH
                    || blockLength <= 0 || position + blockLength > metaPosition)
                {
                    throw corrupt(file + ": block " + i + " (kind " + kind + ", offset " + position + ", " + blockLength
                        + " bytes) out of range");
                }
                table.add(new StoreImageWriter.Block(kind, position, blockLength, crc));
            }
            if (imageCrc(metaCrc, table) != imageCrc)
            {
                throw corrupt(file + " offset 56: the image CRC32C does not match the meta section and block table");
            }
            for (final StoreImageWriter.Block b : table)
            {
                final ImageBlock block = ImageBlock.map(ch, b.position(), b.length(), b.crc(), copyOnWrite,
                    file + " offset " + b.position());
                blocks.add(block);
                if (b.kind() == StoreImageWriter.KIND_SEGMENT)
                {
                    segments.add(block);
                }
            }
            final long recordBytes = r.getLong();
            final int keySpaceCount = r.getInt();
            if (keySpaceCount < 0 || keySpaceCount > r.remaining() / 32)
            {
                throw corrupt(file + ": key space count " + keySpaceCount + " out of range");
            }
            final List<KeySpaceEntry> keySpaces = new ArrayList<>(keySpaceCount);
            for (int i = 0; i < keySpaceCount; i++)
            {
                final KeySpaceEntry k = new KeySpaceEntry(r.getLong(), r.getInt(), r.getInt(), r.getLong(), r.getLong());
                final int segment = (int)(k.head() >>> 32);
                if (k.hashBlock() < 0 || k.hashBlock() >= table.size() || table.get(k.hashBlock()).kind() != StoreImageWriter.KIND_HASH
                    || segment < 0 || segment >= segments.size() || k.topLevel() < 1 || k.topLevel() > 20 || k.live() < 0
                    || k.live() > Integer.MAX_VALUE)
                {
                    throw corrupt(file + ": key space " + i + " " + k + " out of range");
                }
                keySpaces.add(k);
            }
            final int fromCycle = r.getInt();
            final byte[] catalog = r.getSizedBytes();
            final byte[] idempotency = r.getSizedBytes();
            r.expectEnd();
            return new Opened(file, seq, created, length, imageCrc, fromCycle, recordBytes, List.copyOf(blocks),
                segments.toArray(new ImageBlock[0]), List.copyOf(keySpaces), catalog, idempotency, version);
        }
        catch (final DecodeException | IndexOutOfBoundsException ex)
        {
            throw corrupt(file + " offset " + metaPosition + ": the meta section does not decode: " + ex.getMessage());
        }
    }

    private static void readFully(final FileChannel ch, final ByteBuffer into, final long at) throws IOException
    {
        long p = at;
        while (into.hasRemaining())
        {
            final int n = ch.read(into, p);
            if (n < 0)
            {
                throw new IOException("unexpected end of file at " + p);
            }
            p += n;
        }
    }

    static AedbException corrupt(final String message)
    {
        return new AedbException(ErrorCode.CHECKPOINT_CORRUPT, message);
    }
}
