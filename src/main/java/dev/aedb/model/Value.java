package dev.aedb.model;


import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A typed value: one variant per {@link ColumnType} plus {@link #NULL}. Immutable; byte arrays are copied in.
 * Factories and constructors reject what cannot be stored faithfully: a Java null (INVALID_ARGUMENT naming the
 * parameter; use {@link #NULL}), text with an unpaired surrogate (INVALID_VALUE), a u256 out of range
 * (INVALID_VALUE). Type checks against a column (no coercion, finite floats, well-formed JSON) happen at commit.
 */
public sealed interface Value
{
    /** The SQL-style null. */
    Value NULL = new Null();

    /** @return the column type this value belongs to, or null for {@link #NULL}. */
    ColumnType type();

    /** @return an INTEGER value. */
    static Value integer(final long value)
    {
        return new Int(value);
    }

    /** @return a FLOAT value; a column accepts only finite ones (checked at commit). */
    static Value float64(final double value)
    {
        return new Float64(value);
    }

    /**
     * @param value text, not null, with no unpaired surrogate.
     * @return a TEXT value.
     * @throws AedbException INVALID_ARGUMENT for null, INVALID_VALUE for an unpaired surrogate.
     */
    static Value text(final String value)
    {
        return new Text(value);
    }

    /** @return a BOOLEAN value. */
    static Value bool(final boolean value)
    {
        return new Bool(value);
    }

    /**
     * @param value bytes, not null; copied.
     * @return a BLOB value.
     * @throws AedbException INVALID_ARGUMENT for null.
     */
    static Value blob(final byte[] value)
    {
        return new Blob(value);
    }

    /** @return a TIMESTAMP value, microseconds since the epoch. */
    static Value timestamp(final long micros)
    {
        return new Timestamp(micros);
    }

    /** @return a U64 value; the long is read as unsigned. */
    static Value u64(final long unsigned)
    {
        return new U64(unsigned);
    }

    /**
     * @param value 0..2^256-1, not null.
     * @return a U256 value.
     * @throws AedbException INVALID_ARGUMENT for null, INVALID_VALUE out of range.
     */
    static Value u256(final BigInteger value)
    {
        return U256.of(value);
    }

    /**
     * @param value JSON text, not null, with no unpaired surrogate (well-formedness is checked at commit).
     * @return a JSON value.
     * @throws AedbException INVALID_ARGUMENT for null, INVALID_VALUE for an unpaired surrogate.
     */
    static Value json(final String value)
    {
        return new Json(value);
    }

    /**
     * The order of the values of one column type: the one order the engine has. Query filters compare with it, and
     * the primary-key encoding is built to agree with it: for a and b of one type, the unsigned byte order of
     * {@code KeyCodec.encode(a)} and {@code KeyCodec.encode(b)} is {@code compare(a, b)} (property-tested).
     * <ul>
     *   <li>INTEGER, TIMESTAMP: signed.</li>
     *   <li>U64: unsigned, so values with the top bit set sort above {@link Long#MAX_VALUE}.</li>
     *   <li>U256: unsigned magnitude.</li>
     *   <li>FLOAT: numeric order with {@code -0.0 == 0.0} (the key encoding writes -0.0 as 0.0, so they are one key).
     *       Every NaN, whatever its bits, equals every other NaN and sorts above {@code +Infinity}, as the key
     *       encoding's canonical NaN does. A column holds finite values only and a query refuses a non-finite
     *       literal, so the place of NaN and the infinities matters to the encoding's contract, not to results.</li>
     *   <li>BOOLEAN: false before true.</li>
     *   <li>TEXT, JSON: Unicode code point order, which is UTF-8 byte order (not {@link String#compareTo}'s UTF-16
     *       order, which puts U+E000..U+FFFF above the supplementary characters); a prefix sorts first.</li>
     *   <li>BLOB: unsigned bytes, lexicographic; a prefix sorts first.</li>
     * </ul>
     * Allocates nothing; safe from any thread.
     *
     * @param a a value, not null and not {@link #NULL}.
     * @param b a value of the same type as a, not null and not {@link #NULL}.
     * @return negative, zero or positive as a sorts before, equal to or after b.
     * @throws AedbException INVALID_ARGUMENT naming a Java null; TYPE_MISMATCH when a and b are not of one type or
     *                       either is {@link #NULL}.
     */
    static int compare(final Value a, final Value b)
    {
        if (a instanceof Int x && b instanceof Int y)
        {
            return Long.compare(x.value(), y.value());
        }
        if (a instanceof Timestamp x && b instanceof Timestamp y)
        {
            return Long.compare(x.value(), y.value());
        }
        if (a instanceof U64 x && b instanceof U64 y)
        {
            return Long.compareUnsigned(x.value(), y.value());
        }
        if (a instanceof Float64 x && b instanceof Float64 y)
        {
            return compareFloat(x.value(), y.value());
        }
        if (a instanceof Bool x && b instanceof Bool y)
        {
            return Boolean.compare(x.value(), y.value());
        }
        if (a instanceof Text x && b instanceof Text y)
        {
            return compareCodePoints(x.value(), y.value());
        }
        if (a instanceof Json x && b instanceof Json y)
        {
            return compareCodePoints(x.value(), y.value());
        }
        if (a instanceof Blob x && b instanceof Blob y)
        {
            return Arrays.compareUnsigned(x.unsafeBytes(), y.unsafeBytes());
        }
        if (a instanceof U256 x && b instanceof U256 y)
        {
            return Arrays.compareUnsigned(x.unsafeBytes(), y.unsafeBytes());
        }
        if (a == null || b == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, (a == null ? "a" : "b") + "=null; use Value.NULL for a NULL");
        }
        throw new AedbException(ErrorCode.TYPE_MISMATCH, "cannot compare " + a + " with " + b);
    }

    private static int compareFloat(final double x, final double y)
    {
        if (x == y)
        {
            return 0; // includes -0.0 == 0.0
        }
        // Not equal, so not both zeros: Double.compare is numeric here, with every NaN equal and above +Infinity.
        return Double.compare(x, y);
    }

    private static int compareCodePoints(final String x, final String y)
    {
        final int n = Math.min(x.length(), y.length());
        for (int i = 0; i < n; i++)
        {
            final char cx = x.charAt(i);
            final char cy = y.charAt(i);
            if (cx != cy)
            {
                // UTF-16 units sort as code points except that surrogates (U+10000 and up) sort below U+E000..U+FFFF.
                // Text holds no unpaired surrogate, so at the first difference moving the surrogates above U+FFFF
                // gives code point order.
                return Integer.compare(codePointOrderUnit(cx), codePointOrderUnit(cy));
            }
        }
        return Integer.compare(x.length(), y.length());
    }

    private static int codePointOrderUnit(final char c)
    {
        return Character.isSurrogate(c) ? c + 0x10000 : c;
    }

    private static void checkText(final String kind, final String value)
    {
        if (value == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "value=null; use Value.NULL for a " + kind + " NULL");
        }
        final int at = Utf16.unpairedSurrogate(value);
        if (at >= 0)
        {
            throw new AedbException(ErrorCode.INVALID_VALUE, kind + " value has an unpaired surrogate U+"
                + Integer.toHexString(value.charAt(at)).toUpperCase(java.util.Locale.ROOT) + " at index " + at
                + ", which UTF-8 cannot encode");
        }
    }

    /** Null. */
    record Null() implements Value
    {
        @Override
        public ColumnType type()
        {
            return null;
        }

        @Override
        public String toString()
        {
            return "NULL";
        }
    }

    /** @param value signed 64-bit integer. */
    record Int(long value) implements Value
    {
        @Override
        public ColumnType type()
        {
            return ColumnType.INTEGER;
        }
    }

    /** @param value a finite double. */
    record Float64(double value) implements Value
    {
        @Override
        public ColumnType type()
        {
            return ColumnType.FLOAT;
        }

        /** Equal exactly when {@link Value#compare} says so: -0.0 equals 0.0 (one key), every NaN equals NaN. */
        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Float64 f && compareFloat(value, f.value) == 0;
        }

        @Override
        public int hashCode()
        {
            return Double.hashCode(value == 0.0 ? 0.0 : value);
        }
    }

    /** @param value text: not null, no unpaired surrogate (see {@link Value#text}). */
    record Text(String value) implements Value
    {
        /** @throws AedbException INVALID_ARGUMENT for null, INVALID_VALUE for an unpaired surrogate. */
        public Text
        {
            checkText("text", value);
        }

        @Override
        public ColumnType type()
        {
            return ColumnType.TEXT;
        }
    }

    /** @param value boolean. */
    record Bool(boolean value) implements Value
    {
        @Override
        public ColumnType type()
        {
            return ColumnType.BOOLEAN;
        }
    }

    /** @param value microseconds since the epoch. */
    record Timestamp(long value) implements Value
    {
        @Override
        public ColumnType type()
        {
            return ColumnType.TIMESTAMP;
        }
    }

    /** @param value unsigned 64-bit integer held in a long. */
    record U64(long value) implements Value
    {
        @Override
        public ColumnType type()
        {
            return ColumnType.U64;
        }

        @Override
        public String toString()
        {
            return "U64[" + Long.toUnsignedString(value) + "]";
        }
    }

    /** @param value JSON text: not null, no unpaired surrogate (see {@link Value#json}). */
    record Json(String value) implements Value
    {
        /** @throws AedbException INVALID_ARGUMENT for null, INVALID_VALUE for an unpaired surrogate. */
        public Json
        {
            checkText("json", value);
        }

        @Override
        public ColumnType type()
        {
            return ColumnType.JSON;
        }
    }

    /** Bytes, copied on the way in and out. */
    final class Blob implements Value
    {
        private final byte[] bytes;

        /**
         * @param value the bytes, copied.
         * @throws AedbException INVALID_ARGUMENT for null.
         */
        public Blob(final byte[] value)
        {
            if (value == null)
            {
                throw new AedbException(ErrorCode.INVALID_ARGUMENT, "value=null; use Value.NULL for a blob NULL");
            }
            this.bytes = value.clone();
        }

        /** @return a copy of the bytes. */
        public byte[] value()
        {
            return bytes.clone();
        }

        /** @return the length in bytes. */
        public int length()
        {
            return bytes.length;
        }

        byte[] unsafeBytes()
        {
            return bytes;
        }

        @Override
        public ColumnType type()
        {
            return ColumnType.BLOB;
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Blob b && Arrays.equals(bytes, b.bytes);
        }

        @Override
        public int hashCode()
        {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString()
        {
            return "Blob[" + HexFormat.of().formatHex(bytes) + "]";
        }
    }

    /** Unsigned 256-bit integer, 32 bytes big-endian. */
    final class U256 implements Value
    {
        /** The largest value, 2^256 - 1. */
        public static final BigInteger MAX = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);

        private final byte[] bigEndian;

        /**
         * @param bigEndian exactly 32 bytes, big-endian; copied.
         * @throws AedbException INVALID_ARGUMENT for null, INVALID_VALUE for another length.
         */
        public U256(final byte[] bigEndian)
        {
            if (bigEndian == null)
            {
                throw new AedbException(ErrorCode.INVALID_ARGUMENT, "bigEndian=null; use Value.NULL for a u256 NULL");
            }
            if (bigEndian.length != 32)
            {
                throw new AedbException(ErrorCode.INVALID_VALUE, "u256 needs exactly 32 big-endian bytes, length="
                    + bigEndian.length);
            }
            this.bigEndian = bigEndian.clone();
        }

        /**
         * @param value a value in 0..2^256-1.
         * @return the value.
         * @throws AedbException INVALID_ARGUMENT for null, INVALID_VALUE out of range.
         */
        public static U256 of(final BigInteger value)
        {
            if (value == null)
            {
                throw new AedbException(ErrorCode.INVALID_ARGUMENT, "value=null; use Value.NULL for a u256 NULL");
            }
            if (value.signum() < 0 || value.compareTo(MAX) > 0)
            {
                throw new AedbException(ErrorCode.INVALID_VALUE, "u256 out of range 0..2^256-1, value=" + value);
            }
            final byte[] raw = value.toByteArray();
            final byte[] out = new byte[32];
            final int n = Math.min(raw.length, 32);
            System.arraycopy(raw, raw.length - n, out, 32 - n, n);
            return new U256(out);
        }

        /** @return a copy of the 32 big-endian bytes. */
        public byte[] bytes()
        {
            return bigEndian.clone();
        }

        byte[] unsafeBytes()
        {
            return bigEndian;
        }

        /** @return the value as a BigInteger. */
        public BigInteger toBigInteger()
        {
            return new BigInteger(1, bigEndian);
        }

        @Override
        public ColumnType type()
        {
            return ColumnType.U256;
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof U256 u && Arrays.equals(bigEndian, u.bigEndian);
        }

        @Override
        public int hashCode()
        {
            return Arrays.hashCode(bigEndian);
        }

        @Override
        public String toString()
        {
            return "U256[" + toBigInteger() + "]";
        }
    }

    /**
     * Bytes held by a blob or u256 without a copy, for encoders inside the engine. Never hand the array out.
     *
     * @param value a Blob or U256.
     * @return the backing array.
     */
    static byte[] rawBytes(final Value value)
    {
        if (value instanceof Blob b)
        {
            return b.unsafeBytes();
        }
        if (value instanceof U256 u)
        {
            return u.unsafeBytes();
        }
        if (value instanceof Text t)
        {
            return t.value().getBytes(StandardCharsets.UTF_8);
        }
        if (value instanceof Json j)
        {
            return j.value().getBytes(StandardCharsets.UTF_8);
        }
        throw new AedbException(ErrorCode.INVALID_ARGUMENT, "only text, json, blob and u256 values have raw bytes, value=" + value);
    }
}
