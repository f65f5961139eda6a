package dev.aedb.bench;

import dev.aedb.AedbConfig;
import dev.aedb.AedbInstance;
import dev.aedb.KvEntry;
import dev.aedb.KvHandle;
import dev.aedb.KvVisitor;
import dev.aedb.model.Durability;
import dev.aedb.model.Mutation;
import dev.aedb.model.TransactionEnvelope;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * aedb: one project {@code bench}, its default scope's KV space. DURABLE = {@link Durability#FULL} (ack after the WAL
 * msync, group commit), BUFFERED = {@link Durability#OS_BUFFERED}; 64 MiB store segments. A put is one envelope with
 * one KvSet, a batch one envelope of KvSets. Reads go through {@link KvHandle}: {@code get} into the session's
 * direct buffer and {@code scan} with a visitor, both allocation-free; the ordinary byte[] reads are
 * {@code AedbInstance.kvGet} and {@code kvScanRange}.
 */
final class AedbEngine implements Engine
{
    static final String PROJECT = "bench";
    static final String SCOPE = "app"; // the default scope that createProject makes

    private final SessionRegistry sessions = new SessionRegistry();
    private final java.util.function.UnaryOperator<AedbConfig> tweak;
    private AedbInstance db;
    private KvHandle kv;

    AedbEngine()
    {
        this(c -> c);
    }

    /** @param tweak changes the configuration below (e.g. checkpointsKept) before each open. */
    AedbEngine(final java.util.function.UnaryOperator<AedbConfig> tweak)
    {
        this.tweak = tweak;
    }

    /** @return the open instance (for harnesses that call aedb's own API beside the adapter's), or null. */
    AedbInstance db()
    {
        return db;
    }

    @Override
    public void open(final Path dir, final SyncMode mode, final long capacity)
    {
        final boolean create = BenchData.isEmptyDirectory(dir);
        final Durability durability = mode == SyncMode.DURABLE ? Durability.FULL : Durability.OS_BUFFERED;
        db = AedbInstance.open(config(durability), dir);
        if (create)
        {
            db.createProject(PROJECT);
        }
        kv = db.kvHandle(PROJECT, SCOPE);
    }

    /** @return the configuration this adapter opens with: {@code durability}, 64 MiB store segments, the tweak. */
    AedbConfig config(final Durability durability)
    {
        return tweak.apply(new AedbConfig().durability(durability).storeSegmentBytes(64 << 20));
    }

    @Override
    public boolean ordered()
    {
        return true;
    }

    @Override
    public Session session()
    {
        return sessions.add(new AedbSession());
    }

    @Override
    public void flush()
    {
        db.sync();
    }

    @Override
    public void close()
    {
        sessions.closeAll();
        if (db != null)
        {
            db.close();
            db = null;
        }
    }

    private final class AedbSession implements Session
    {
        private final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
        private EntryVisitor visitor;
        private final KvVisitor forward = (key, keyOffset, keyLength, val, valueOffset, valueLength, version) ->
        {
            visitor.visit(key, keyOffset, keyLength, val, valueOffset, valueLength);
            return true;
        };

        @Override
        public void put(final byte[] key, final byte[] val)
        {
            db.commit(new Mutation.KvSet(PROJECT, SCOPE, key, val));
        }

        @Override
        public void putBatch(final byte[][] keys, final byte[][] values)
        {
            final Mutation[] batch = new Mutation[keys.length];
            for (int i = 0; i < keys.length; i++)
            {
                batch[i] = new Mutation.KvSet(PROJECT, SCOPE, keys[i], values[i]);
            }
            db.commit(TransactionEnvelope.of(batch));
        }

        @Override
        public int get(final DirectBuffer keys, final int keyOffset)
        {
            return kv.get(keys, keyOffset, BenchData.KEY_BYTES, value, 0);
        }

        @Override
        public DirectBuffer value()
        {
            return value;
        }

        @Override
        public int scan(final DirectBuffer keys, final int startOffset, final int limit, final EntryVisitor visitor)
        {
            this.visitor = visitor;
            return kv.scan(keys, startOffset, BenchData.KEY_BYTES, limit, forward);
        }

        @Override
        public byte[] getBytes(final byte[] key)
        {
            return db.kvGet(PROJECT, SCOPE, key).value();
        }

        @Override
        public int scanBytes(final byte[] start, final int limit, final BytesVisitor visitor)
        {
            final List<KvEntry> entries = db.kvScanRange(PROJECT, SCOPE, start, null, limit, null, null).entries();
            for (int i = 0, n = entries.size(); i < n; i++)
            {
                final KvEntry e = entries.get(i);
                visitor.visit(e.key(), e.value());
            }
            return entries.size();
        }

        @Override
        public void close()
        {
            sessions.remove(this);
        }
    }
}
