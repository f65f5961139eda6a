package dev.aedb.bench;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * A store of one engine holding {@code key(i) -> value(i)} for {@code i < count}, loaded through
 * {@link Engine#load(int[])} (opened BUFFERED, atomic batches of 1,000, then {@link Engine#flush()}) in a seeded random
 * order ({@link BenchData#insertionOrder}, unless a benchmark asks for key order) and checked with
 * {@link StoreCheck#loaded} before anything is measured, plus the key table the read benchmarks take keys from.
 * {@link #reopen()} closes it cleanly and opens it again (aedb: the close writes a checkpoint, the open maps it).
 * Not a JMH state itself: the read benchmarks' trial-level states own one each, so the load happens once per fork.
 */
final class LoadedStore
{
    Path dir;
    Engine engine;
    String engineName;
    /** Keys 0..count-1 back to back, key i at offset i * 16. */
    UnsafeBuffer keys;
    int count;

    void open(final String engineName, final int count, final String label)
    {
        open(engineName, count, label, BenchData.InsertOrder.RANDOM);
    }

    void open(final String engineName, final int count, final String label, final BenchData.InsertOrder order)
    {
        this.count = count;
        this.engineName = engineName;
        dir = BenchData.tempDir(label + "-" + engineName);
        final long loadMillis;
        final long t1;
        try
        {
            engine = Engine.create(engineName);
            engine.open(dir, Engine.SyncMode.BUFFERED, capacity(count));
            final long t0 = System.nanoTime();
            engine.load(BenchData.insertionOrder(count, order));
            loadMillis = (System.nanoTime() - t0) / 1_000_000;
            keys = BenchData.keyTable(count);
            t1 = System.nanoTime();
            try (Engine.Session session = engine.session())
            {
                new StoreCheck(engineName, session).loaded(count, engine.ordered());
            }
        }
        catch (final RuntimeException | Error ex)
        {
            // JMH skips the teardown of a state whose setup failed: do not leave the store behind.
            close();
            throw ex;
        }
        System.out.printf("%n[aedb-jmh] %s: loaded %,d keys in %s order in %,d ms (%,.0f puts/s), checked in %,d ms%n",
            engineName, count, order.describe(), loadMillis, count * 1000.0 / Math.max(1, loadMillis),
            (System.nanoTime() - t1) / 1_000_000);
    }

    /**
     * Closes the store cleanly and opens it again (BUFFERED), then checks it as after the load. aedb's clean close writes
     * a checkpoint (checkpointOnClose, the default), so the reopened store serves the mapped, key-ordered image.
     */
    void reopen()
    {
        final String name = engineName();
        final long t0 = System.nanoTime();
        closeEngine();
        final long t1 = System.nanoTime();
        try
        {
            engine = Engine.create(name);
            engine.open(dir, Engine.SyncMode.BUFFERED, capacity(count));
        }
        catch (final RuntimeException | Error ex)
        {
            close();
            throw ex;
        }
        final long t2 = System.nanoTime();
        try (Engine.Session session = engine.session())
        {
            new StoreCheck(name, session).loaded(count, engine.ordered());
        }
        catch (final RuntimeException | Error ex)
        {
            close();
            throw ex;
        }
        System.out.printf("%n[aedb-jmh] %s: closed in %,d ms, reopened in %,d ms, checked in %,d ms (%,d bytes in %s)%n",
            name, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000,
            BenchData.fileBytes(dir), dir.getFileName());
    }

    private String engineName()
    {
        if (engineName == null)
        {
            throw new IllegalStateException("no store was loaded");
        }
        return engineName;
    }

    /** @return the capacity to open a store of {@code count} keys with (only Chronicle Map uses it). */
    static long capacity(final int count)
    {
        return count + 1000L;
    }

    /** Closes the engine cleanly and keeps the directory. */
    void closeEngine()
    {
        if (engine != null)
        {
            engine.close();
            engine = null;
        }
    }

    /** Closes the engine and deletes the directory. */
    void close()
    {
        try
        {
            closeEngine();
        }
        finally
        {
            BenchData.deleteRecursively(dir);
        }
    }
}
