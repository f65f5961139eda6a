package dev.aedb.catalog;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A typed value: one variant per {@link ColumnType} plus {@link #NULL}. Immutable; byte arrays are copied in.
 */
public sealed interface Value
{
    /** The SQL-style null. */
    Value NULL = new Null();

    /** @return the column type this value belongs to, or null for {@link #NULL}. */
    ColumnType type();

    static Value integer(final long v)
    {
        return new Int(v);
    }

    static Value float64(final double v)
    {
        return new Float64(v);
    }

    static Value text(final String v)
    {
        return new Text(v);
    }

    static Value bool(final boolean v)
    {
        return new Bool(v);
    }

    static Value blob(final byte[] v)
    {
        return new Blob(v);
    }

    static Value timestamp(final long micros)
    {
        return new Timestamp(micros);
    }

    static Value u64(final long unsigned)
    {
        return new U64(unsigned);
    }

    static Value u256(final BigInteger v)
    {
        return U256.of(v);
    }

    static Value json(final String v)
    {
        return new Json(v);
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
    }

    /** @param value text. */
    record Text(String value) implements Value
    {
        public Text
        {
            if (value == null)
            {
                throw new IllegalArgumentException("text value=null; use Value.NULL");
            }
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

    /** @param value JSON text. */
    record Json(String value) implements Value
    {
        public Json
        {
            if (value == null)
            {
                throw new IllegalArgumentException("json value=null; use Value.NULL");
            }
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

        public Blob(final byte[] bytes)
        {
            if (bytes == null)
            {
                throw new IllegalArgumentException("blob value=null; use Value.NULL");
            }
            this.bytes = bytes.clone();
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

        /** @param bigEndian exactly 32 bytes, big-endian. */
        public U256(final byte[] bigEndian)
        {
            if (bigEndian == null || bigEndian.length != 32)
            {
                throw new IllegalArgumentException("u256 needs exactly 32 big-endian bytes, length="
                    + (bigEndian == null ? "null" : bigEndian.length));
            }
            this.bigEndian = bigEndian.clone();
        }

        /**
         * @param v a value in 0..2^256-1.
         * @return the value.
         */
        public static U256 of(final BigInteger v)
        {
            if (v.signum() < 0 || v.compareTo(MAX) > 0)
            {
                throw new IllegalArgumentException("u256 out of range, value=" + v);
            }
            final byte[] raw = v.toByteArray();
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
        throw new IllegalArgumentException("no raw bytes for " + value);
    }
}
