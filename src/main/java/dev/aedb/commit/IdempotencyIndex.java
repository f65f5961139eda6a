package dev.aedb.commit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Idempotency keys of the last {@code window} commits, per caller. A record made by commit {@code r} is in force at
 * seq {@code S} iff {@code S - window < r <= S}: the commit at {@code S + 1} is a duplicate of it (same caller, key
 * and fingerprint) or a reuse (same caller and key, another fingerprint) exactly then, whatever other commits came
 * between. Rebuilt by replay from the keys and fingerprints carried in the WAL frames, so it survives a reopen.
 * <p>
 * Threading: the writer (the sequencer, or replay before it starts) calls {@link #find}, {@link #record} and
 * {@link #pruneHistory}. Any thread may call {@link #visit} for a seq it has pinned in the store: the records are
 * also kept, in seq order, in a {@link ConcurrentLinkedQueue} (the <em>history</em>) down to
 * {@code horizon - window}, where the horizon is the store's effective horizon (no reader reads below it), so a reader
 * at any readable seq finds every record in force there. The writer adds a record before it publishes its seq as
 * visible (a volatile write the reader's pin reads), so the reader sees it.
 */
final class IdempotencyIndex
{
    /**
     * One record. Immutable: the arrays are this record's own copies and never written.
     *
     * @param caller      the caller id, null = anonymous.
     * @param key         the idempotency key.
     * @param fingerprint the request's fingerprint (16 bytes).
     * @param seq         the commit that used the key.
     */
    record Entry(String caller, byte[] key, byte[] fingerprint, long seq)
    {
    }

    /** The lookup key: caller and idempotency key as one byte string ({@code u32 BE caller length | caller | key}). */
    private static final class Key
    {
        private final byte[] bytes;
        private final int hash;

        Key(final String caller, final byte[] key)
        {
            final byte[] c = caller == null ? new byte[0] : caller.getBytes(StandardCharsets.UTF_8);
            bytes = new byte[4 + c.length + key.length];
            bytes[0] = (byte)(c.length >>> 24);
            bytes[1] = (byte)(c.length >>> 16);
            bytes[2] = (byte)(c.length >>> 8);
            bytes[3] = (byte)c.length;
            System.arraycopy(c, 0, bytes, 4, c.length);
            System.arraycopy(key, 0, bytes, 4 + c.length, key.length);
            hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode()
        {
            return hash;
        }
    }

    /** What {@link #visit} hands out. */
    interface Visitor
    {
        /** One record in force, in seq order; the arrays must not be written. */
        void visit(String caller, byte[] key, byte[] fingerprint, long seq);
    }

    private final long window;
    /** Writer only: the newest record per caller and key (older ones may still be in {@link #history}). */
    private final Map<Key, Entry> latest = new HashMap<>();
    private final ConcurrentLinkedQueue<Entry> history = new ConcurrentLinkedQueue<>();

    IdempotencyIndex(final long window)
    {
        this.window = window;
    }

    /**
     * Writer only.
     *
     * @param lastSeq the last commit; the lookup is for the next one.
     * @return the record of {@code caller}'s {@code key} in force at {@code lastSeq}, or null.
     */
    Entry find(final String caller, final byte[] key, final long lastSeq)
    {
        final Entry e = latest.get(new Key(caller, key));
        return e != null && e.seq() > lastSeq - window ? e : null;
    }

    /**
     * Any thread, {@code seq} pinned: the records in force at {@code seq}, oldest first, for a checkpoint image
     * (little-endian): {@code u32 count}, then per record {@code string caller (u32 length, -1 = anonymous, UTF-8)
     * | sized key | u64 seq | sized fingerprint}.
     */
    byte[] encode(final long seq)
    {
        final dev.aedb.codec.ByteWriter w = new dev.aedb.codec.ByteWriter(256);
        w.putInt(0);
        final long n = visit(seq, (caller, key, fingerprint, at) ->
        {
            w.putString(caller);
            w.putSizedBytes(key);
            w.putLong(at);
            w.putSizedBytes(fingerprint);
        });
        w.putIntAt(0, (int)n);
        return w.toByteArray();
    }

    /**
     * Recovery, before replay: the records in force at the checkpoint's {@code seq}, as {@link #encode} wrote them.
     *
     * @throws dev.aedb.codec.DecodeException when the bytes do not decode.
     */
    void restore(final byte[] bytes, final long seq)
    {
        final dev.aedb.codec.ByteReader r = new dev.aedb.codec.ByteReader().wrap(new org.agrona.concurrent.UnsafeBuffer(bytes), 0,
            bytes.length);
        final int n = r.getInt();
        if (n < 0 || n > bytes.length)
        {
            throw new dev.aedb.codec.DecodeException("idempotency record count " + n + " out of range");
        }
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < n; i++)
        {
            final String caller = r.getString();
            final byte[] key = r.getSizedBytes();
            final long at = r.getLong();
            final byte[] fingerprint = r.getSizedBytes();
            if (at <= previous || at > seq)
            {
                throw new dev.aedb.codec.DecodeException("idempotency record of commit " + at + " out of order");
            }
            previous = at;
            record(caller, key, fingerprint, at, seq);
        }
        r.expectEnd();
    }

    /**
     * Writer only: records that commit {@code seq} (above every seq recorded before) used {@code key}, and forgets
     * what no reader can need any more.
     *
     * @param horizon the store's effective horizon: no reader reads below it.
     */
    void record(final String caller, final byte[] key, final byte[] fingerprint, final long seq, final long horizon)
    {
        final Entry e = new Entry(caller, key.clone(), fingerprint.clone(), seq);
        latest.put(new Key(caller, e.key()), e);
        history.add(e);
        pruneHistory(horizon);
    }

    /** Writer only: drops the records out of force at every seq at or above {@code horizon}. */
    void pruneHistory(final long horizon)
    {
        final long last = horizon - window;
        Entry oldest;
        while ((oldest = history.peek()) != null && oldest.seq() <= last)
        {
            history.poll();
            final Key k = new Key(oldest.caller(), oldest.key());
            if (latest.get(k) == oldest)
            {
                latest.remove(k);
            }
        }
    }

    /**
     * Any thread: visits the records in force at {@code seq}, in seq order. {@code seq} must be pinned in the store
     * (at or above the effective horizon) and visible.
     *
     * @return how many were visited.
     */
    long visit(final long seq, final Visitor visitor)
    {
        long visited = 0;
        for (final Iterator<Entry> it = history.iterator(); it.hasNext(); )
        {
            final Entry e = it.next();
            if (e.seq() > seq)
            {
                break;
            }
            if (e.seq() > seq - window)
            {
                visitor.visit(e.caller(), e.key(), e.fingerprint(), e.seq());
                visited++;
            }
        }
        return visited;
    }
}
