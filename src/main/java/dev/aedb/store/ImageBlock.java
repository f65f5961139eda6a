package dev.aedb.store;

import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * One checksummed block of a checkpoint image (an arena segment or a hash-index array), mapped from its file and
 * verified against its CRC32C the first time anything reads or writes it: a damaged block is met as
 * {@code CHECKPOINT_CORRUPT} before a byte of it is used, never returned as data.
 * <p>
 * A block mapped for the live store is a private (copy-on-write) mapping: the writer updates chain heads, skip-list
 * links and hash slots in place, the kernel copies each page it writes, and the image file is never changed. A block
 * mapped for reading an image as it is ({@code AT_CHECKPOINT}) is a read-only mapping.
 * <p>
 * Threading: any thread may call {@link #verified()}; several may verify at once, the first to finish publishes the
 * buffer. Only after that can the writer write to the block (it gets the buffer from here), so a verification still
 * running then may read changed bytes: its mismatch is ignored when the block was published meanwhile.
 */
public final class ImageBlock
{
    private final MappedByteBuffer mapping;
    private final int expectedCrc;
    private final String where;
    private volatile UnsafeBuffer verified;
    private volatile AedbException damage;

    private ImageBlock(final MappedByteBuffer mapping, final int expectedCrc, final String where)
    {
        this.mapping = mapping;
        this.expectedCrc = expectedCrc;
        this.where = where;
    }

    /**
     * Maps {@code length} bytes of {@code channel} at {@code position}; nothing is read yet.
     *
     * @param copyOnWrite true for a private mapping the live store may write (the file stays unchanged), false for a
     *                    read-only one.
     * @param where       the file and offset, for messages.
     * @throws IOException when the region cannot be mapped.
     */
    public static ImageBlock map(final FileChannel channel, final long position, final int length, final int expectedCrc,
        final boolean copyOnWrite, final String where) throws IOException
    {
        final MappedByteBuffer m = channel.map(copyOnWrite ? FileChannel.MapMode.PRIVATE : FileChannel.MapMode.READ_ONLY,
            position, length);
        return new ImageBlock(m, expectedCrc, where);
    }

    /** @return the block's length in bytes. */
    public int length()
    {
        return mapping.capacity();
    }

    /**
     * @return the block's bytes, verified against the CRC32C recorded for them (done once, on the first call).
     * @throws AedbException CHECKPOINT_CORRUPT, naming the file and offset, when they do not match; every later call
     *                       throws it again.
     */
    public UnsafeBuffer verified()
    {
        final UnsafeBuffer v = verified;
        if (v != null)
        {
            return v;
        }
        return verify();
    }

    /** @return whether the block was verified (and found intact) already. */
    public boolean isVerified()
    {
        return verified != null;
    }

    private UnsafeBuffer verify()
    {
        final AedbException known = damage;
        if (known != null)
        {
            throw new AedbException(known.code(), known.getMessage(), known);
        }
        final CRC32C crc = new CRC32C();
        crc.update(mapping.duplicate().clear());
        final int actual = (int)crc.getValue();
        if (actual != expectedCrc)
        {
            final UnsafeBuffer meanwhile = verified;
            if (meanwhile != null)
            {
                // another thread verified it first and the writer has written to it since (copy-on-write): intact
                return meanwhile;
            }
            final AedbException ex = new AedbException(ErrorCode.CHECKPOINT_CORRUPT, "checkpoint block at " + where
                + " (" + mapping.capacity() + " bytes) fails its CRC32C: recorded 0x" + Integer.toHexString(expectedCrc)
                + ", found 0x" + Integer.toHexString(actual) + "; none of its data is used");
            damage = ex;
            throw ex;
        }
        final UnsafeBuffer b = new UnsafeBuffer(mapping);
        verified = b;
        return b;
    }

    /** Unmaps the block; nothing may read it afterwards. */
    void unmap()
    {
        verified = null;
        IoUtil.unmap(mapping);
    }
}
