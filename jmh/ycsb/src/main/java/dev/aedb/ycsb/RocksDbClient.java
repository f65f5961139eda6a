package dev.aedb.ycsb;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.Vector;

/**
 * RocksDB as a YCSB {@link DB}, of the same shape as {@link AedbClient} (YCSB's own RocksDB binding is not served
 * from our registry): the default column family, configured as the JMH suite's RocksDB peer (RocksDB's defaults plus a
 * 256 MiB LRU block cache and a 10-bit Bloom filter), byte[] gets, an iterator per scan, a read-merge-write per
 * update, every YCSB table in the one key space, values as {@link Records} records.
 * <p>
 * Properties: {@code rocksdb.dir} (required; created when missing), {@code rocksdb.sync} (default false: the write
 * is in RocksDB's WAL in the OS, not synced, the level of aedb's {@code OS_BUFFERED}; true = fsync per write). All
 * client threads share one database, opened by the first {@link #init} and closed by the last {@link #cleanup}.
 */
public final class RocksDbClient extends DB
{
    private static final Object LOCK = new Object();
    private static LRUCache cache;
    private static BloomFilter filter;
    private static Options options;
    private static WriteOptions writeOptions;
    private static ReadOptions readOptions;
    private static RocksDB db;
    private static int clients;

    static
    {
        RocksDB.loadLibrary();
    }

    @Override
    public void init() throws DBException
    {
        synchronized (LOCK)
        {
            if (clients == 0)
            {
                final String dir = getProperties().getProperty("rocksdb.dir");
                if (dir == null)
                {
                    throw new DBException("rocksdb.dir is not set");
                }
                try
                {
                    Files.createDirectories(Path.of(dir));
                    cache = new LRUCache(256L << 20);
                    filter = new BloomFilter(10);
                    options = new Options().setCreateIfMissing(true)
                        .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache).setFilterPolicy(filter));
                    writeOptions = new WriteOptions().setSync(Boolean.parseBoolean(getProperties().getProperty("rocksdb.sync",
                        "false")));
                    readOptions = new ReadOptions();
                    db = RocksDB.open(options, dir);
                }
                catch (final Exception ex)
                {
                    throw new DBException("rocksdb open of " + dir + " failed: " + ex, ex);
                }
            }
            clients++;
        }
    }

    @Override
    public void cleanup()
    {
        synchronized (LOCK)
        {
            if (--clients == 0)
            {
                db.close();
                readOptions.close();
                writeOptions.close();
                options.close();
                filter.close();
                cache.close();
                db = null;
            }
        }
    }

    private static byte[] key(final String key)
    {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Status read(final String table, final String key, final Set<String> fields, final Map<String, ByteIterator> result)
    {
        try
        {
            final byte[] record = db.get(readOptions, key(key));
            if (record == null)
            {
                return Status.NOT_FOUND;
            }
            Records.decode(record, fields, result);
            return Status.OK;
        }
        catch (final RocksDBException ex)
        {
            return Status.ERROR;
        }
    }

    @Override
    public Status scan(final String table, final String startKey, final int recordCount, final Set<String> fields,
        final Vector<HashMap<String, ByteIterator>> result)
    {
        try (RocksIterator it = db.newIterator(readOptions))
        {
            it.seek(key(startKey));
            for (int i = 0; i < recordCount && it.isValid(); i++)
            {
                final HashMap<String, ByteIterator> row = new HashMap<>();
                Records.decode(it.value(), fields, row);
                result.add(row);
                it.next();
            }
            it.status();
            return Status.OK;
        }
        catch (final RocksDBException ex)
        {
            return Status.ERROR;
        }
    }

    @Override
    public Status update(final String table, final String key, final Map<String, ByteIterator> values)
    {
        try
        {
            final byte[] k = key(key);
            final byte[] record = db.get(readOptions, k);
            if (record == null)
            {
                return Status.NOT_FOUND;
            }
            db.put(writeOptions, k, Records.merge(record, values));
            return Status.OK;
        }
        catch (final RocksDBException ex)
        {
            return Status.ERROR;
        }
    }

    @Override
    public Status insert(final String table, final String key, final Map<String, ByteIterator> values)
    {
        try
        {
            db.put(writeOptions, key(key), Records.encode(values));
            return Status.OK;
        }
        catch (final RocksDBException ex)
        {
            return Status.ERROR;
        }
    }

    @Override
    public Status delete(final String table, final String key)
    {
        try
        {
            db.delete(writeOptions, key(key));
            return Status.OK;
        }
        catch (final RocksDBException ex)
        {
            return Status.ERROR;
        }
    }
}
