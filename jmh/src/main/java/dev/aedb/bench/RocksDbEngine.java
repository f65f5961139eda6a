package dev.aedb.bench;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * RocksDB through rocksdbjni: the default column family, RocksDB's defaults (64 MiB memtable, Snappy compression, two
 * background jobs) plus a 256 MiB LRU block cache and a 10-bit Bloom filter. Every write goes through the WAL:
 * DURABLE = {@code WriteOptions.setSync(true)} (fsync of the WAL before the write returns; concurrent writers are
 * group-committed), BUFFERED = {@code setSync(false)}. A batch is one {@link WriteBatch}. Gets use the direct
 * {@link ByteBuffer} API (no Java allocation); a scan opens one iterator (latest state), seeks and copies keys and
 * values into the session's direct buffers. {@link #flush()} flushes the memtable and compacts everything, so reads
 * of a loaded store go to SST files through the block cache.
 */
final class RocksDbEngine implements Engine
{
    static final long BLOCK_CACHE_BYTES = 256L << 20;
    static final int BLOOM_BITS_PER_KEY = 10;

    static
    {
        RocksDB.loadLibrary();
    }

    private final SessionRegistry sessions = new SessionRegistry();
    private LRUCache cache;
    private BloomFilter filter;
    private Options options;
    private WriteOptions writeOptions;
    private ReadOptions readOptions;
    private RocksDB db;

    @Override
    public void open(final Path dir, final SyncMode mode, final long capacity)
    {
        cache = new LRUCache(BLOCK_CACHE_BYTES);
        filter = new BloomFilter(BLOOM_BITS_PER_KEY);
        options = new Options()
            .setCreateIfMissing(true)
            .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache).setFilterPolicy(filter));
        writeOptions = new WriteOptions().setSync(mode == SyncMode.DURABLE);
        readOptions = new ReadOptions();
        try
        {
            db = RocksDB.open(options, dir.toString());
        }
        catch (final RocksDBException ex)
        {
            throw failure("open " + dir, ex);
        }
    }

    @Override
    public boolean ordered()
    {
        return true;
    }

    @Override
    public Session session()
    {
        return sessions.add(new RocksDbSession());
    }

    @Override
    public void flush()
    {
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true))
        {
            db.flush(flush);
            db.compactRange();
        }
        catch (final RocksDBException ex)
        {
            throw failure("flush", ex);
        }
    }

    @Override
    public void close()
    {
        sessions.closeAll();
        if (db != null)
        {
            db.close();
            db = null;
            readOptions.close();
            writeOptions.close();
            options.close();
            filter.close();
            cache.close();
        }
    }

    static IllegalStateException failure(final String what, final RocksDBException ex)
    {
        return new IllegalStateException("rocksdb " + what + " failed: " + ex.getMessage(), ex);
    }

    private final class RocksDbSession implements Session
    {
        private final ByteBuffer key = ByteBuffer.allocateDirect(BenchData.KEY_BYTES);
        private final UnsafeBuffer keyView = new UnsafeBuffer(key);
        private final ByteBuffer scanKey = ByteBuffer.allocateDirect(1024);
        private final UnsafeBuffer scanKeyView = new UnsafeBuffer(scanKey);
        private final ByteBuffer valueMemory = ByteBuffer.allocateDirect(1024);
        private final UnsafeBuffer value = new UnsafeBuffer(valueMemory);
        private final WriteBatch batch = new WriteBatch();

        @Override
        public void put(final byte[] k, final byte[] v)
        {
            try
            {
                db.put(writeOptions, k, v);
            }
            catch (final RocksDBException ex)
            {
                throw failure("put", ex);
            }
        }

        @Override
        public void putBatch(final byte[][] keys, final byte[][] values)
        {
            try
            {
                batch.clear();
                for (int i = 0; i < keys.length; i++)
                {
                    batch.put(keys[i], values[i]);
                }
                db.write(writeOptions, batch);
            }
            catch (final RocksDBException ex)
            {
                throw failure("write batch", ex);
            }
        }

        /** Copies the key into the direct key buffer, ready to pass (position 0, limit 16). */
        private ByteBuffer key(final DirectBuffer keys, final int keyOffset)
        {
            keyView.putBytes(0, keys, keyOffset, BenchData.KEY_BYTES);
            key.clear();
            return key;
        }

        @Override
        public int get(final DirectBuffer keys, final int keyOffset)
        {
            valueMemory.clear();
            try
            {
                final int length = db.get(readOptions, key(keys, keyOffset), valueMemory);
                return length == RocksDB.NOT_FOUND ? -1 : length;
            }
            catch (final RocksDBException ex)
            {
                throw failure("get", ex);
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
            int visited = 0;
            try (RocksIterator it = db.newIterator(readOptions))
            {
                it.seek(key(keys, startOffset));
                while (visited < limit && it.isValid())
                {
                    scanKey.clear();
                    final int keyLength = it.key(scanKey);
                    valueMemory.clear();
                    final int valueLength = it.value(valueMemory);
                    visitor.visit(scanKeyView, 0, keyLength, value, 0, valueLength);
                    visited++;
                    it.next();
                }
                it.status();
            }
            catch (final RocksDBException ex)
            {
                throw failure("scan", ex);
            }
            return visited;
        }

        @Override
        public byte[] getBytes(final byte[] k)
        {
            try
            {
                return db.get(readOptions, k);
            }
            catch (final RocksDBException ex)
            {
                throw failure("get", ex);
            }
        }

        @Override
        public int scanBytes(final byte[] start, final int limit, final BytesVisitor visitor)
        {
            int visited = 0;
            try (RocksIterator it = db.newIterator(readOptions))
            {
                it.seek(start);
                while (visited < limit && it.isValid())
                {
                    visitor.visit(it.key(), it.value());
                    visited++;
                    it.next();
                }
                it.status();
            }
            catch (final RocksDBException ex)
            {
                throw failure("scan", ex);
            }
            return visited;
        }

        @Override
        public void close()
        {
            batch.close();
            sessions.remove(this);
        }
    }
}
