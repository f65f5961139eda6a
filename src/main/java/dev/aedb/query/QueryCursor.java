package dev.aedb.query;

import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The continuation token of a query page (base64url, no padding), tamper-evident with an HMAC-SHA256 under the
 * instance's random key (so a cursor from another instance, or from before a restart, is {@code INVALID_CURSOR}):
 * <pre>
 *   u8 version (1) | u8 kind | u64 snapshot seq | 8 bytes query fingerprint | u16 n | n x (u16 length | bytes)
 *   | 16 bytes HMAC-SHA256 (truncated) of everything before it
 * </pre>
 * {@link #PATH}: the page ended in the access path's own order (no sort stage); the one part is the source key of
 * the last row returned (its primary key, or its index entry), and the next page seeks just past it. {@link #SORTED}:
 * the page was sorted; the parts are the last row's sort-key values ({@code KeyCodec.encodeIndexValue}) and its
 * encoded primary key, and the next page keeps the rows after that position in the sort order. The fingerprint is
 * the first 8 bytes of SHA-256 over the query's table id, columns, predicate, ORDER BY and access path: a cursor
 * resumes only the query that made it (any page size).
 */
final class QueryCursor
{
    static final int VERSION = 1;
    static final int PATH = 1;
    static final int SORTED = 2;
    private static final int MAC_BYTES = 16;
    private static final int HEADER = 1 + 1 + 8 + 8 + 2;

    final int kind;
    final long seq;
    final byte[] fingerprint;
    final List<byte[]> parts;

    QueryCursor(final int kind, final long seq, final byte[] fingerprint, final List<byte[]> parts)
    {
        this.kind = kind;
        this.seq = seq;
        this.fingerprint = fingerprint;
        this.parts = parts;
    }

    String encode(final byte[] key)
    {
        int length = HEADER;
        for (final byte[] p : parts)
        {
            length += 2 + p.length;
        }
        final ByteBuffer b = ByteBuffer.allocate(length + MAC_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte)VERSION).put((byte)kind).putLong(seq).put(fingerprint).putShort((short)parts.size());
        for (final byte[] p : parts)
        {
            b.putShort((short)p.length).put(p);
        }
        b.put(mac(key, b.array(), length), 0, MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    /** @throws AedbException INVALID_CURSOR unless {@link #fingerprint} is {@code expected}: the cursor continues another query. */
    void requireFingerprint(final byte[] expected)
    {
        if (!MessageDigest.isEqual(fingerprint, expected))
        {
            throw invalid("it continues another query");
        }
    }

    /**
     * @throws AedbException INVALID_CURSOR for a malformed, tampered or foreign cursor, or one of another version.
     */
    static QueryCursor decode(final String cursor, final byte[] key)
    {
        final byte[] raw = raw(cursor);
        final int body = raw.length - MAC_BYTES;
        final byte[] expected = mac(key, raw, body);
        final byte[] actual = java.util.Arrays.copyOfRange(raw, body, raw.length);
        if (!MessageDigest.isEqual(java.util.Arrays.copyOf(expected, MAC_BYTES), actual))
        {
            throw invalid("its signature does not match (tampered, or made by another instance or before a restart)");
        }
        final ByteBuffer b = ByteBuffer.wrap(raw, 0, body).order(ByteOrder.LITTLE_ENDIAN);
        final int version = b.get();
        if (version != VERSION)
        {
            throw invalid("version " + version + ", this aedb reads " + VERSION);
        }
        final int kind = b.get();
        final long seq = b.getLong();
        final byte[] print = new byte[8];
        b.get(print);
        final int n = b.getShort() & 0xFFFF;
        final List<byte[]> parts = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            if (b.remaining() < 2)
            {
                throw invalid("truncated");
            }
            final int len = b.getShort() & 0xFFFF;
            if (b.remaining() < len)
            {
                throw invalid("truncated");
            }
            final byte[] p = new byte[len];
            b.get(p);
            parts.add(p);
        }
        if (b.hasRemaining() || (kind != PATH && kind != SORTED))
        {
            throw invalid("malformed");
        }
        return new QueryCursor(kind, seq, print, parts);
    }

    private static byte[] raw(final String cursor)
    {
        final byte[] raw;
        try
        {
            raw = Base64.getUrlDecoder().decode(cursor);
        }
        catch (final IllegalArgumentException ex)
        {
            throw invalid("not base64url");
        }
        if (raw.length < HEADER + MAC_BYTES)
        {
            throw invalid("too short");
        }
        if (!Base64.getUrlEncoder().withoutPadding().encodeToString(raw).equals(cursor))
        {
            throw invalid("not in its canonical form"); // a changed unused bit of the last character still changes the token
        }
        return raw;
    }

    private static AedbException invalid(final String why)
    {
        return new AedbException(ErrorCode.INVALID_CURSOR, "invalid query cursor: " + why);
    }

    private static byte[] mac(final byte[] key, final byte[] data, final int length)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(data, 0, length);
            return mac.doFinal();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new AedbException(ErrorCode.INTERNAL_ERROR, "HmacSHA256 unavailable: " + ex.getMessage());
        }
    }

    /** @return the first 8 bytes of SHA-256 over what identifies the query a cursor may resume. */
    static byte[] fingerprint(final long tableId, final String shape)
    {
        try
        {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(tableId).array());
            sha.update(shape.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.Arrays.copyOf(sha.digest(), 8);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new AedbException(ErrorCode.INTERNAL_ERROR, "SHA-256 unavailable: " + ex.getMessage());
        }
    }
}
