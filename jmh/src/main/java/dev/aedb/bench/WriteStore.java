package dev.aedb.bench;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An empty store of one engine that the write benchmarks put new keys into: {@code key(n) -> writeValue(n)} with
 * {@code n} from one counter shared by all writer threads. {@link #open} checks one put and one batch round trip
 * before anything is measured; {@link #checkAndClose} reads back a sample of everything written (and the last key)
 * before it closes the engine and deletes the directory, so a benchmark whose writes were lost fails.
 */
final class WriteStore
{
    /**
     * Entries to size a fixed-capacity store by (Chronicle Map, the only one that needs it): more than ~10 s of the
     * fastest single-thread puts seen here. Chronicle Map allocates its whole file up front (2.1 GiB for this).
     */
    static final long CAPACITY = 1L << 24;

    private final AtomicLong next = new AtomicLong();
    private Path dir;
    private String engineName;
    Engine engine;
    /** The session of the thread that opened the store, for the single-thread benchmarks. */
    Engine.Session session;
    private final byte[][] batchKeys = new byte[BatchCommitBench.BATCH][];
    private final byte[][] batchValues = new byte[BatchCommitBench.BATCH][];
    private BenchData.InsertOrder order = BenchData.InsertOrder.SEQUENTIAL;

    /**
     * The order of the new keys, set before {@link #open}: SEQUENTIAL writes {@code key(n)} (each new key after every
     * other, an append), RANDOM {@code key(scramble(n))} (each new key anywhere, as most applications insert).
     *
     * @return this.
     */
    WriteStore order(final BenchData.InsertOrder order)
    {
        this.order = order;
        return this;
    }

    private long updateKeys;

    /**
     * Set before {@link #open}: with {@code keys > 0} the n-th write goes to key {@code n mod keys} (in the order's
     * mapping), so after the first {@code keys} writes every write rewrites an existing key; 0 (the default) writes a
     * new key every time.
     *
     * @return this.
     */
    WriteStore updateKeys(final long keys)
    {
        this.updateKeys = keys;
        return this;
    }

    /** @return the key index of the n-th key written. */
    long keyIndex(final long n)
    {
        final long k = updateKeys > 0 ? n % updateKeys : n;
        return order == BenchData.InsertOrder.RANDOM ? BenchData.scramble(k) : k;
    }

    /** @return the last write (at or below {@code written - 1}) to the key the {@code n}-th write went to. */
    private long lastWriteOf(final long n, final long written)
    {
        return updateKeys > 0 ? n + (written - 1 - n) / updateKeys * updateKeys : n;
    }

    /** Opens a fresh store and checks single puts (and, when {@code checkBatch}, one batch) against reads. */
    void open(final String engineName, final Engine.SyncMode mode, final String label, final boolean checkBatch)
    {
        open(engineName, mode, label, checkBatch, CAPACITY);
    }

    void open(final String engineName, final Engine.SyncMode mode, final String label, final boolean checkBatch,
        final long capacity)
    {
        this.engineName = engineName;
        dir = BenchData.tempDir(label + "-" + engineName);
        try
        {
            engine = Engine.create(engineName);
            engine.open(dir, mode, capacity);
            session = engine.session();
            for (int i = 0; i < 3; i++)
            {
                putNext(session);
            }
            if (checkBatch)
            {
                putBatch();
            }
            final StoreCheck check = new StoreCheck(engineName, session);
            for (long i = 0; i < next.get(); i++)
            {
                check.get(keyIndex(i), BenchData.writeValue(lastWriteOf(i, next.get())));
            }
        }
        catch (final RuntimeException | Error ex)
        {
            // JMH skips the teardown of a state whose setup failed: do not leave the store behind.
            close();
            throw ex;
        }
    }

    /** Puts the next new key through {@code writer} (thread-safe across sessions). */
    void putNext(final Engine.Session writer)
    {
        final long n = next.getAndIncrement();
        writer.put(BenchData.key(keyIndex(n)), BenchData.writeValue(n));
    }

    /** Commits the next {@value BatchCommitBench#BATCH} new keys as one batch through {@link #session}. */
    void putBatch()
    {
        final long first = next.getAndAdd(BatchCommitBench.BATCH);
        for (int i = 0; i < BatchCommitBench.BATCH; i++)
        {
            batchKeys[i] = BenchData.key(keyIndex(first + i));
            batchValues[i] = BenchData.writeValue(first + i);
        }
        session.putBatch(batchKeys, batchValues);
    }

    /** Checks 1,000 random written keys, the first and the last, and one absent key; then closes and deletes. */
    void checkAndClose()
    {
        try
        {
            if (engine != null)
            {
                final long written = next.get();
                try (Engine.Session reader = engine.session())
                {
                    final StoreCheck check = new StoreCheck(engineName, reader);
                    check.gets(written, 1000, 0xC0FFEEL, this::keyIndex, n -> BenchData.writeValue(lastWriteOf(n, written)));
                    check.absent(updateKeys > 0 ? (order == BenchData.InsertOrder.RANDOM ? BenchData.scramble(updateKeys) : updateKeys)
                        : keyIndex(written));
                }
                System.out.printf("%n[aedb-jmh] %s: %,d keys written, sample read back, files %,d MiB%n", engineName,
                    written, BenchData.fileBytes(dir) >> 20);
            }
        }
        finally
        {
            close();
        }
    }

    private void close()
    {
        try
        {
            if (engine != null)
            {
                engine.close();
            }
        }
        finally
        {
            engine = null;
            BenchData.deleteRecursively(dir);
        }
    }
}
