package dev.aedb.ycsb;

import dev.aedb.AedbConfig;
import dev.aedb.AedbInstance;
import dev.aedb.KvEntry;
import dev.aedb.model.AedbException;
import dev.aedb.model.Durability;
import dev.aedb.model.Mutation;

import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Vector;

/**
 * aedb as a YCSB {@link DB}, through its ordinary byte[] API: {@code kvGet}, {@code kvScanRange} and single-mutation
 * {@code commit}s of {@code KvSet}/{@code KvDel} in the default scope of project {@code ycsb}. Every YCSB table maps
 * to that one KV space (the core workloads use one table, {@code usertable}); the key is the YCSB key in UTF-8, the
 * value a {@link Records} record. An update is a read, a merge and a write, as in YCSB's RocksDB binding (two client
 * threads updating one record at once may lose one update's fields; neither binding serialises them).
 * <p>
 * Properties: {@code aedb.dir} (required; created and initialised when empty), {@code aedb.durability} ({@code FULL},
 * {@code BATCH} or {@code OS_BUFFERED}, default {@code OS_BUFFERED}: every commit reaches the OS before it is
 * acknowledged, the same level as RocksDB's default unsynced WAL). All client threads share one instance, opened by
 * the first {@link #init} and closed (cleanly, writing a checkpoint) by the last {@link #cleanup}.
 */
public final class AedbClient extends DB
{
    static final String PROJECT = "ycsb";
    static final String SCOPE = "app"; // the default scope of a new project

    private static final Object LOCK = new Object();
    private static AedbInstance db;
    private static int clients;

    @Override
    public void init() throws DBException
    {
        synchronized (LOCK)
        {
            if (clients == 0)
            {
                final String dir = getProperties().getProperty("aedb.dir");
                if (dir == null)
                {
                    throw new DBException("aedb.dir is not set");
                }
                final Durability durability = Durability.valueOf(getProperties().getProperty("aedb.durability", "OS_BUFFERED"));
                try
                {
                    final Path path = Path.of(dir);
                    Files.createDirectories(path);
                    final boolean create;
                    try (var entries = Files.list(path))
                    {
                        create = entries.findAny().isEmpty();
                    }
                    db = AedbInstance.open(new AedbConfig().durability(durability), path);
                    if (create)
                    {
                        db.createProject(PROJECT);
                    }
                }
                catch (final Exception ex)
                {
                    throw new DBException("aedb open of " + dir + " failed: " + ex, ex);
                }
            }
            clients++;
        }
    }

    @Override
    public void cleanup() throws DBException
    {
        synchronized (LOCK)
        {
            if (--clients == 0)
            {
                try
                {
                    db.close();
                }
                catch (final AedbException ex)
                {
                    throw new DBException("aedb close failed: " + ex.getMessage(), ex);
                }
                finally
                {
                    db = null;
                }
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
        final byte[] record = db.kvGet(PROJECT, SCOPE, key(key)).value();
        if (record == null)
        {
            return Status.NOT_FOUND;
        }
        Records.decode(record, fields, result);
        return Status.OK;
    }

    @Override
    public Status scan(final String table, final String startKey, final int recordCount, final Set<String> fields,
        final Vector<HashMap<String, ByteIterator>> result)
    {
        final List<KvEntry> entries = db.kvScanRange(PROJECT, SCOPE, key(startKey), null, recordCount, null, null).entries();
        for (int i = 0, n = entries.size(); i < n; i++)
        {
            final HashMap<String, ByteIterator> row = new HashMap<>();
            Records.decode(entries.get(i).value(), fields, row);
            result.add(row);
        }
        return Status.OK;
    }

    @Override
    public Status update(final String table, final String key, final Map<String, ByteIterator> values)
    {
        final byte[] k = key(key);
        final byte[] record = db.kvGet(PROJECT, SCOPE, k).value();
        if (record == null)
        {
            return Status.NOT_FOUND;
        }
        db.commit(new Mutation.KvSet(PROJECT, SCOPE, k, Records.merge(record, values)));
        return Status.OK;
    }

    @Override
    public Status insert(final String table, final String key, final Map<String, ByteIterator> values)
    {
        db.commit(new Mutation.KvSet(PROJECT, SCOPE, key(key), Records.encode(values)));
        return Status.OK;
    }

    @Override
    public Status delete(final String table, final String key)
    {
        db.commit(new Mutation.KvDel(PROJECT, SCOPE, key(key)));
        return Status.OK;
    }
}
