package dev.aedb.model;

/**
 * Column types. Values are checked strictly on write: no coercion between types.
 * The byte tag is part of the row, key and WAL formats and never changes.
 */
public enum ColumnType
{
    /** Signed 64-bit integer. */
    INTEGER(1),
    /** IEEE-754 double; NaN and infinities are rejected. */
    FLOAT(2),
    /** UTF-8 text. */
    TEXT(3),
    /** true or false. */
    BOOLEAN(4),
    /** Raw bytes. */
    BLOB(5),
    /** Microseconds since the Unix epoch, signed 64-bit. */
    TIMESTAMP(6),
    /** Unsigned 64-bit integer (held in a long, compared unsigned). */
    U64(7),
    /** Unsigned 256-bit integer, 32 bytes big-endian. */
    U256(8),
    /** JSON text (stored as given, validated as well-formed JSON). */
    JSON(9);

    private static final ColumnType[] BY_TAG = new ColumnType[16];

    static
    {
        for (final ColumnType type : values())
        {
            BY_TAG[type.tag] = type;
        }
    }

    private final int tag;

    ColumnType(final int tag)
    {
        this.tag = tag;
    }

    /** @return the stable byte tag used in encodings. */
    public int tag()
    {
        return tag;
    }

    /**
     * @param tag a stable byte tag.
     * @return the type, or null when the tag is unknown.
     */
    public static ColumnType fromTag(final int tag)
    {
        return tag > 0 && tag < BY_TAG.length ? BY_TAG[tag] : null;
    }
}
