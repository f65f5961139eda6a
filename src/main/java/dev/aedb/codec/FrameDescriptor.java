package dev.aedb.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Layout of the frame inside each WAL excerpt, little-endian:
 * <pre>
 *   0                   4          6      7          8
 *   +-------------------+----------+------+----------+
 *   | magic "AEWF"      | version  | type | reserved |
 *   +-------------------+----------+------+----------+
 *   | commit seq (u64)                               |  8
 *   | timestamp micros (u64)                         | 16
 *   | payload length (u32)                           | 24
 *   | payload ...                                    | 28
 *   | crc32c (u32) over bytes [0, 28 + length)       |
 *   +------------------------------------------------+
 * </pre>
 * Type {@link #TYPE_COMMIT}: the payload is an {@link EnvelopeCodec} payload and seq is the commit seq.
 * Type {@link #TYPE_DROP_MARKER} (read, no longer written): written by permissive recovery of earlier versions
 * after a torn tail; seq is 0 and the payload is a u32 count then that many u64 WAL indexes of the frames it
 * dropped, which stay in the log before it.
 * Type {@link #TYPE_DROP_RECORD}: the last frame a permissive recovery writes into the WAL it rebuilt from the
 * readable prefix of a damaged one; seq is 0 and the payload is
 * {@code u64 first dropped seq | u64 last dropped seq (0 = unknown) | u64 superseded state seq | u32 superseded
 * state crc32c | u32 text length | UTF-8 text} (see {@code WalReplay}).
 */
public final class FrameDescriptor
{
    public static final int MAGIC = 0x46574541; // "AEWF" little-endian
    public static final int VERSION = 1;
    public static final int TYPE_COMMIT = 1;
    public static final int TYPE_DROP_MARKER = 2;
    public static final int TYPE_DROP_RECORD = 3;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int TYPE_OFFSET = 6;
    public static final int SEQ_OFFSET = 8;
    public static final int TIMESTAMP_OFFSET = 16;
    public static final int LENGTH_OFFSET = 24;
    public static final int HEADER_LENGTH = 28;
    public static final int TRAILER_LENGTH = 4;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private FrameDescriptor()
    {
    }

    /**
     * Fills the header and trailer around a payload already written at {@link #HEADER_LENGTH}.
     *
     * @return the frame length.
     */
    public static int seal(final MutableDirectBuffer frame, final byte[] array, final int type, final long seq,
        final long timestampMicros, final int payloadLength, final CRC32C crc)
    {
        frame.putInt(MAGIC_OFFSET, MAGIC, LE);
        frame.putShort(VERSION_OFFSET, (short)VERSION, LE);
        frame.putByte(TYPE_OFFSET, (byte)type);
        frame.putByte(TYPE_OFFSET + 1, (byte)0);
        frame.putLong(SEQ_OFFSET, seq, LE);
        frame.putLong(TIMESTAMP_OFFSET, timestampMicros, LE);
        frame.putInt(LENGTH_OFFSET, payloadLength, LE);
        crc.reset();
        crc.update(array, 0, HEADER_LENGTH + payloadLength);
        frame.putInt(HEADER_LENGTH + payloadLength, (int)crc.getValue(), LE);
        return HEADER_LENGTH + payloadLength + TRAILER_LENGTH;
    }

    /**
     * @param frame  the excerpt bytes.
     * @param length the excerpt length.
     * @return null when the frame is valid, else the reason it is not.
     */
    public static String check(final DirectBuffer frame, final byte[] array, final int length, final CRC32C crc)
    {
        if (length < HEADER_LENGTH + TRAILER_LENGTH)
        {
            return "frame of " + length + " bytes is shorter than a header";
        }
        if (frame.getInt(MAGIC_OFFSET, LE) != MAGIC)
        {
            return "bad magic 0x" + Integer.toHexString(frame.getInt(MAGIC_OFFSET, LE));
        }
        final int version = frame.getShort(VERSION_OFFSET, LE);
        if (version != VERSION)
        {
            return "unsupported frame version " + version;
        }
        final int payloadLength = frame.getInt(LENGTH_OFFSET, LE);
        if (payloadLength < 0 || HEADER_LENGTH + payloadLength + TRAILER_LENGTH != length)
        {
            return "payload length " + payloadLength + " does not match excerpt length " + length;
        }
        crc.reset();
        crc.update(array, 0, HEADER_LENGTH + payloadLength);
        final int expected = frame.getInt(HEADER_LENGTH + payloadLength, LE);
        if ((int)crc.getValue() != expected)
        {
            return "crc32c mismatch";
        }
        final int type = frame.getByte(TYPE_OFFSET);
        if (type != TYPE_COMMIT && type != TYPE_DROP_MARKER && type != TYPE_DROP_RECORD)
        {
            return "unknown frame type " + type;
        }
        return null;
    }

    public static int type(final DirectBuffer frame)
    {
        return frame.getByte(TYPE_OFFSET);
    }

    public static long seq(final DirectBuffer frame)
    {
        return frame.getLong(SEQ_OFFSET, LE);
    }

    public static int payloadLength(final DirectBuffer frame)
    {
        return frame.getInt(LENGTH_OFFSET, LE);
    }
}
