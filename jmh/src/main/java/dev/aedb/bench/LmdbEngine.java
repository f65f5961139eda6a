package dev.aedb.bench;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.DirectBufferProxy;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.GetOp;
import org.lmdbjava.Txn;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * LMDB through lmdbjava with the Agrona buffer proxy ({@code PROXY_DB}): keys and values are passed to and read from
 * LMDB as {@link DirectBuffer}s over direct memory, values are read as zero-copy views of the map and copied into the
 * session's buffer. One named database ({@code kv}, LMDB's default memcmp order), map size 64 GiB (address space; the
 * file grows with the data), {@code MDB_NOTLS} so a read transaction is not tied to the thread that made it.
 * DURABLE = LMDB's default: every commit writes its pages and meta page and fdatasyncs; BUFFERED =
 * {@code MDB_NOSYNC | MDB_NOMETASYNC}. A put or batch is one write transaction (LMDB has one writer at a time and no
 * group commit). Reads reuse one read transaction per session ({@code mdb_txn_reset}/{@code renew} around every get or
 * scan, so each sees the latest commit) and one cursor.
 */
final class LmdbEngine implements Engine
{
    static final long MAP_SIZE = 64L << 30;

    private final SessionRegistry sessions = new SessionRegistry();
    private Env<DirectBuffer> env;
    private Dbi<DirectBuffer> dbi;

    @Override
    public void open(final Path dir, final SyncMode mode, final long capacity)
    {
        final EnvFlags[] flags = mode == SyncMode.DURABLE
            ? new EnvFlags[]{EnvFlags.MDB_NOTLS}
            : new EnvFlags[]{EnvFlags.MDB_NOTLS, EnvFlags.MDB_NOSYNC, EnvFlags.MDB_NOMETASYNC};
        env = Env.create(DirectBufferProxy.PROXY_DB).setMapSize(MAP_SIZE).setMaxDbs(1).open(dir.toFile(), flags);
        dbi = env.openDbi("kv", DbiFlags.MDB_CREATE);
    }

    @Override
    public boolean ordered()
    {
        return true;
    }

    @Override
    public Session session()
    {
        return sessions.add(new LmdbSession());
    }

    @Override
    public void flush()
    {
        env.sync(true);
    }

    @Override
    public void close()
    {
        sessions.closeAll();
        if (env != null)
        {
            env.close();
            env = null;
        }
    }

    private final class LmdbSession implements Session
    {
        private final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(BenchData.KEY_BYTES));
        private final ByteBuffer putValueMemory = ByteBuffer.allocateDirect(1024);
        private final UnsafeBuffer putValue = new UnsafeBuffer(putValueMemory);
        private final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
        private Txn<DirectBuffer> readTxn;
        private Cursor<DirectBuffer> cursor;

        @Override
        public void put(final byte[] k, final byte[] v)
        {
            try (Txn<DirectBuffer> txn = env.txnWrite())
            {
                put(txn, k, v);
                txn.commit();
            }
        }

        @Override
        public void putBatch(final byte[][] keys, final byte[][] values)
        {
            try (Txn<DirectBuffer> txn = env.txnWrite())
            {
                for (int i = 0; i < keys.length; i++)
                {
                    put(txn, keys[i], values[i]);
                }
                txn.commit();
            }
        }

        private void put(final Txn<DirectBuffer> txn, final byte[] k, final byte[] v)
        {
            // LMDB takes a buffer's whole capacity as the key or value, and copies both during mdb_put.
            key.putBytes(0, k);
            putValue.wrap(putValueMemory, 0, v.length);
            putValue.putBytes(0, v);
            dbi.put(txn, key, putValue);
        }

        /** Starts a read transaction on the latest commit: renews the session's one (made on first use). */
        private Txn<DirectBuffer> beginRead()
        {
            if (readTxn == null)
            {
                readTxn = env.txnRead();
            }
            else
            {
                readTxn.renew();
            }
            return readTxn;
        }

        @Override
        public int get(final DirectBuffer keys, final int keyOffset)
        {
            key.putBytes(0, keys, keyOffset, BenchData.KEY_BYTES);
            final Txn<DirectBuffer> txn = beginRead();
            try
            {
                final DirectBuffer found = dbi.get(txn, key);
                if (found == null)
                {
                    return -1;
                }
                final int length = found.capacity();
                value.putBytes(0, found, 0, length);
                return length;
            }
            finally
            {
                txn.reset();
            }
        }

        @Override
        public DirectBuffer value()
        {
            return value;
        }

        @Override
        public int scan(final DirectBuffer keys, final int startOffset, final int limit, final EntryVisitor visitor)
        {
            key.putBytes(0, keys, startOffset, BenchData.KEY_BYTES);
            final Txn<DirectBuffer> txn = beginRead();
            try
            {
                int visited = 0;
                if (limit > 0 && seek(txn))
                {
                    do
                    {
                        final DirectBuffer k = cursor.key();
                        final DirectBuffer v = cursor.val();
                        visitor.visit(k, 0, k.capacity(), v, 0, v.capacity());
                        visited++;
                    }
                    while (visited < limit && cursor.next());
                }
                return visited;
            }
            finally
            {
                txn.reset();
            }
        }

        @Override
        public byte[] getBytes(final byte[] k)
        {
            key.putBytes(0, k);
            final Txn<DirectBuffer> txn = beginRead();
            try
            {
                final DirectBuffer found = dbi.get(txn, key);
                return found == null ? null : copy(found);
            }
            finally
            {
                txn.reset();
            }
        }

        @Override
        public int scanBytes(final byte[] start, final int limit, final BytesVisitor visitor)
        {
            key.putBytes(0, start);
            final Txn<DirectBuffer> txn = beginRead();
            try
            {
                int visited = 0;
                if (limit > 0 && seek(txn))
                {
                    do
                    {
                        visitor.visit(copy(cursor.key()), copy(cursor.val()));
                        visited++;
                    }
                    while (visited < limit && cursor.next());
                }
                return visited;
            }
            finally
            {
                txn.reset();
            }
        }

        /** Opens or renews the session's cursor on {@code txn} and places it at the first key >= {@link #key}. */
        private boolean seek(final Txn<DirectBuffer> txn)
        {
            if (cursor == null)
            {
                cursor = dbi.openCursor(txn);
            }
            else
            {
                cursor.renew(txn);
            }
            return cursor.get(key, GetOp.MDB_SET_RANGE);
        }

        /** LMDB's values are views of the map, valid until the transaction ends: a byte[] reader copies them. */
        private static byte[] copy(final DirectBuffer view)
        {
            final byte[] bytes = new byte[view.capacity()];
            view.getBytes(0, bytes);
            return bytes;
        }

        @Override
        public void close()
        {
            if (cursor != null)
            {
                cursor.close();
                cursor = null;
            }
            if (readTxn != null)
            {
                // A reset handle is freed by mdb_txn_abort, which close() only calls on a live transaction.
                readTxn.renew();
                readTxn.close();
                readTxn = null;
            }
            sessions.remove(this);
        }
    }
}
