package dev.aedb.bench;

import org.agrona.DirectBuffer;

import java.nio.file.Path;
import java.util.List;

/**
 * One embedded key-value engine as the benchmarks drive it: a store in one directory, opened in one {@link SyncMode},
 * used through per-thread {@link Session}s. Each adapter maps these calls onto the engine's own API with the
 * configuration that {@code jmh/README.md} states ("Peers"). An operation an engine cannot do honestly (an atomic
 * batch in Chronicle Map, an ordered scan in a hash map) throws {@link UnsupportedOperationException} instead of
 * being imitated, so a benchmark that asks for it fails rather than reports a number.
 * <p>
 * Open, {@link #flush()}, {@link #load} and close are called by one thread; {@link #session()} may be called by many
 * threads at once, and each session is used by one thread at a time, concurrently with the others.
 */
public interface Engine extends AutoCloseable
{
    /** The names the benchmarks' {@code engine} parameter takes. */
    String AEDB = "aedb";
    String LMDB = "lmdb";
    String ROCKSDB = "rocksdb";
    String H2_MVSTORE = "h2mvstore";
    String CHRONICLE_MAP = "chroniclemap";
    String SQLITE = "sqlite";
    /** Every engine, aedb first: the column order of the results table. */
    List<String> NAMES = List.of(AEDB, LMDB, ROCKSDB, H2_MVSTORE, CHRONICLE_MAP, SQLITE);

    /** @return an unopened engine of that name. */
    static Engine create(final String name)
    {
        return switch (name)
        {
            case AEDB -> new AedbEngine();
            case LMDB -> new LmdbEngine();
            case ROCKSDB -> new RocksDbEngine();
            case H2_MVSTORE -> new H2MvStoreEngine();
            case CHRONICLE_MAP -> new ChronicleMapEngine();
            case SQLITE -> new SqliteEngine();
            default -> throw new IllegalArgumentException("engine=" + name + " is not one of " + NAMES);
        };
    }

    /** How a commit is acknowledged. */
    enum SyncMode
    {
        /** Each commit is on stable storage (fsync/fdatasync/msync) before the call returns. */
        DURABLE,
        /** Each commit has reached the OS (it survives a process crash) but is not synced. */
        BUFFERED
    }

    /**
     * Opens the store in {@code dir}, creating it when the directory is empty.
     *
     * @param capacity the most entries the store will hold; only fixed-size engines (Chronicle Map) use it.
     */
    void open(Path dir, SyncMode mode, long capacity);

    /** @return whether {@link Session#scan} visits keys in unsigned byte order (false: no scans at all). */
    boolean ordered();

    /** @return a new handle for the calling thread (thread-safe); closed by its owner or, at the latest, by {@link #close()}. */
    Session session();

    /**
     * Makes everything written so far durable and settles the store for reading (RocksDB also flushes its memtable
     * and compacts, SQLite checkpoints its WAL). Called after a bulk load, never while measuring.
     */
    void flush();

    /**
     * Puts keys {@code 0..count-1} with their {@link BenchData#value values} in the seeded random order
     * {@link BenchData#insertionOrder} ({@link BenchData.InsertOrder#RANDOM}), then {@link #flush()}es.
     */
    default void load(final int count)
    {
        load(BenchData.insertionOrder(count, BenchData.InsertOrder.RANDOM));
    }

    /**
     * Puts key {@code order[i]} with its {@link BenchData#value value} for every {@code i}, in that order, in atomic
     * batches of 1,000, then {@link #flush()}es. Engines without atomic batches override this with plain puts.
     */
    default void load(final int[] order)
    {
        final int count = order.length;
        final int chunk = 1000;
        final byte[][] keys = new byte[chunk][];
        final byte[][] values = new byte[chunk][];
        try (Session session = session())
        {
            for (int base = 0; base < count; base += chunk)
            {
                final int n = Math.min(chunk, count - base);
                final byte[][] k = n == chunk ? keys : new byte[n][];
                final byte[][] v = n == chunk ? values : new byte[n][];
                for (int i = 0; i < n; i++)
                {
                    k[i] = BenchData.key(order[base + i]);
                    v[i] = BenchData.value(order[base + i]);
                }
                session.putBatch(k, v);
            }
        }
        flush();
    }

    /** Closes every session still open, then the store: a clean close. Idempotent. */
    @Override
    void close();

    /**
     * One thread's handle: its scratch buffers, statements, read transaction or cursor. The arrays passed to the put
     * methods belong to the engine afterwards (some engines keep them), so callers pass fresh key arrays.
     */
    interface Session extends AutoCloseable
    {
        /** Commits one put under the store's {@link SyncMode}. */
        void put(byte[] key, byte[] value);

        /** Commits {@code keys.length} puts as one atomic batch or transaction under the store's {@link SyncMode}. */
        void putBatch(byte[][] keys, byte[][] values);

        /**
         * Copies the value of the 16-byte key at {@code keyOffset} of {@code keys} into {@link #value()}.
         *
         * @return the value's length, or -1 when the key is absent.
         */
        int get(DirectBuffer keys, int keyOffset);

        /** @return the buffer that {@link #get} fills, from index 0; owned by this session. */
        DirectBuffer value();

        /**
         * Visits up to {@code limit} entries in key order, from the 16-byte key at {@code startOffset} of
         * {@code keys} (inclusive).
         *
         * @return the number of entries visited.
         */
        int scan(DirectBuffer keys, int startOffset, int limit, EntryVisitor visitor);

        /**
         * The engine's ordinary byte[] read, the call a user without buffer handles makes: the value of {@code key}
         * as an array the caller may keep, or null when the key is absent. The key array is not kept.
         */
        byte[] getBytes(byte[] key);

        /**
         * The engine's ordinary scan: up to {@code limit} entries in key order from {@code start} (inclusive), each
         * key and value as arrays the caller may keep, handed to {@code visitor}. The start array is not kept.
         *
         * @return the number of entries visited.
         */
        int scanBytes(byte[] start, int limit, BytesVisitor visitor);

        /** Releases this session's resources. Idempotent. */
        @Override
        void close();
    }

    /** Receives the entries of a scan; the buffers are valid only during the call. */
    @FunctionalInterface
    interface EntryVisitor
    {
        void visit(DirectBuffer key, int keyOffset, int keyLength, DirectBuffer value, int valueOffset, int valueLength);
    }

    /** Receives the entries of an ordinary scan as arrays the visitor may keep. */
    @FunctionalInterface
    interface BytesVisitor
    {
        void visit(byte[] key, byte[] value);
    }
}
