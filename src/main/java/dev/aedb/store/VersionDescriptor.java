package dev.aedb.store;

/**
 * Layout of a version record in the {@link Arena} (native byte order, 16-byte aligned):
 * <pre>
 *   0        8        16       20       24
 *   +--------+--------+--------+--------+----------------+
 *   | seq    | next   | flags  | length | payload ...    |
 *   +--------+--------+--------+--------+----------------+
 * </pre>
 * {@code seq} is the commit that wrote the version; {@code next} the next older version of the same key (0 = none);
 * flag {@link #TOMBSTONE} marks a delete. The payload is an encoded row (tables) or the value bytes (KV).
 * A record is immutable once its address is published, except {@code next}, which the writer only ever cuts.
 */
final class VersionDescriptor
{
    public static final int SEQ_OFFSET = 0;
    public static final int NEXT_OFFSET = 8;
    public static final int FLAGS_OFFSET = 16;
    public static final int LENGTH_OFFSET = 20;
    public static final int PAYLOAD_OFFSET = 24;
    public static final int TOMBSTONE = 1;

    private VersionDescriptor()
    {
    }

    public static int recordSize(final int payloadLength)
    {
        return PAYLOAD_OFFSET + payloadLength;
    }
}
