package dev.aedb.bench;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * H2's MVStore (the storage layer under H2 SQL, used directly; no SQL, no TransactionStore): one file
 * {@code kv.mv.db}, one {@link MVMap} of {@code byte[] -> byte[]} with {@link ByteArrayDataType} (unsigned byte order),
 * a 256 MiB page cache, auto-commit disabled (no background writer thread: nothing reaches the file unless we commit).
 * Every put or batch is followed by {@link MVStore#commit()}, which writes a new chunk to the file (FileChannel write,
 * no fsync); DURABLE adds {@link MVStore#sync()} (FileChannel.force) after it. MVStore has no atomic multi-key batch
 * of its own: a batch is 100 puts and then one commit, which stores them in one chunk and one version. Reads use
 * {@code MVMap.get} (returns the stored array; copied into the session's buffer) and {@code MVMap.cursor(from)}.
 */
final class H2MvStoreEngine implements Engine
{
    static final int CACHE_MB = 256;

    private final SessionRegistry sessions = new SessionRegistry();
    private MVStore store;
    private MVMap<byte[], byte[]> map;
    private boolean durable;

    @Override
    public void open(final Path dir, final SyncMode mode, final long capacity)
    {
        durable = mode == SyncMode.DURABLE;
        store = new MVStore.Builder()
            .fileName(dir.resolve("kv.mv.db").toString())
            .cacheSize(CACHE_MB)
            .autoCommitDisabled()
            .open();
        map = store.openMap("kv", new MVMap.Builder<byte[], byte[]>()
            .keyType(ByteArrayDataType.INSTANCE)
            .valueType(ByteArrayDataType.INSTANCE));
    }

    @Override
    public boolean ordered()
    {
        return true;
    }

    @Override
    public Session session()
    {
        return sessions.add(new H2Session());
    }

    @Override
    public void flush()
    {
        store.commit();
        store.sync();
    }

    @Override
    public void close()
    {
        sessions.closeAll();
        if (store != null)
        {
            store.close();
            store = null;
        }
    }

    private void commit()
    {
        store.commit();
        if (durable)
        {
            store.sync();
        }
    }

    private final class H2Session implements Session
    {
        private final byte[] key = new byte[BenchData.KEY_BYTES];
        private final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
        private final UnsafeBuffer keyView = new UnsafeBuffer(new byte[0]);
        private final UnsafeBuffer valueView = new UnsafeBuffer(new byte[0]);

        @Override
        public void put(final byte[] k, final byte[] v)
        {
            map.put(k, v);
            commit();
        }

        @Override
        public void putBatch(final byte[][] keys, final byte[][] values)
        {
            for (int i = 0; i < keys.length; i++)
            {
                map.put(keys[i], values[i]);
            }
            commit();
        }

        @Override
        public int get(final DirectBuffer keys, final int keyOffset)
        {
            keys.getBytes(keyOffset, key);
            final byte[] found = map.get(key);
            if (found == null)
            {
                return -1;
            }
            value.putBytes(0, found);
            return found.length;
        }

        @Override
        public DirectBuffer value()
        {
            return value;
        }

        @Override
        public int scan(final DirectBuffer keys, final int startOffset, final int limit, final EntryVisitor visitor)
        {
            keys.getBytes(startOffset, key);
            final Cursor<byte[], byte[]> cursor = map.cursor(key);
            int visited = 0;
            while (visited < limit && cursor.hasNext())
            {
                keyView.wrap(cursor.next());
                valueView.wrap(cursor.getValue());
                visitor.visit(keyView, 0, keyView.capacity(), valueView, 0, valueView.capacity());
                visited++;
            }
            return visited;
        }

        @Override
        public byte[] getBytes(final byte[] k)
        {
            return map.get(k);
        }

        @Override
        public int scanBytes(final byte[] start, final int limit, final BytesVisitor visitor)
        {
            final Cursor<byte[], byte[]> cursor = map.cursor(start);
            int visited = 0;
            while (visited < limit && cursor.hasNext())
            {
                final byte[] k = cursor.next();
                visitor.visit(k, cursor.getValue());
                visited++;
            }
            return visited;
        }

        @Override
        public void close()
        {
            sessions.remove(this);
        }
    }
}
