package dev.aedb.cli;

import dev.aedb.AedbInstance;
import dev.aedb.KvHandle;
import dev.aedb.KvVisitor;
import dev.aedb.model.Mutation;

import org.HdrHistogram.Recorder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread of {@code aedb bench}: draws an op from the mix and a key, and runs it, either on a fixed schedule
 * (open loop, {@code --rate}: op {@code k} of this thread is due at {@code start + offset + k * interval}; latency
 * counts from that intended start, the service time from the actual one) or back to back (closed loop).
 * <p>
 * Gets and scans use the thread's own key buffer, value buffer and visitor and allocate nothing. A commit is one
 * envelope with one {@code KvSet} of fresh arrays (the commit path copies and encodes them anyway).
 */
final class BenchWorker implements Runnable
{
    static final String PROJECT = "bench";
    static final String SCOPE = "app"; // the default scope that createProject makes
    /** Largest value the histograms hold (one hour in ns); anything longer is recorded as one hour. */
    static final long MAX_NANOS = 3_600_000_000_000L;

    /** The recorders one phase (warm-up or measurement) writes to, indexed by {@link BenchOp#ordinal()}. */
    static final class Recorders
    {
        /** Latency: from the intended start in open loop, the service time in closed loop. */
        final Recorder[] latency = new Recorder[BenchOp.ALL.length];
        /** Service time from the actual start; null in closed loop. */
        final Recorder[] service;

        Recorders(final boolean openLoop)
        {
            service = openLoop ? new Recorder[BenchOp.ALL.length] : null;
            for (int i = 0; i < latency.length; i++)
            {
                latency[i] = new Recorder(MAX_NANOS, 3);
                if (service != null)
                {
                    service[i] = new Recorder(MAX_NANOS, 3);
                }
            }
        }
    }

    /** What every worker shares. */
    static final class Plan
    {
        AedbInstance db;
        BenchMix mix;
        int keys;
        int valueSize;
        int scanLength;
        boolean insert;
        int threads;
        /** Nanoseconds between two ops of one thread; 0 = closed loop. */
        long intervalNanos;
        long startNanos;
        long warmupEndNanos;
        long endNanos;
        Recorders warmup;
        Recorders measured;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
    }

    private final Plan plan;
    private final int index;
    private final KvHandle kv;
    private final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(BenchData.KEY_BYTES));
    private final UnsafeBuffer value;
    private final ScanCheck scanCheck = new ScanCheck();
    private long random;
    private long inserted;
    /** Scheduled ops never started because the run ended while this thread was behind schedule. */
    private long missed;

    BenchWorker(final Plan plan, final int index)
    {
        this.plan = plan;
        this.index = index;
        this.kv = plan.db.kvHandle(PROJECT, SCOPE);
        this.value = new UnsafeBuffer(ByteBuffer.allocateDirect(plan.valueSize));
        this.random = 0x9E3779B97F4A7C15L * (index + 1) ^ 0xD1B54A32D192ED03L;
    }

    long missed()
    {
        return missed;
    }

    @Override
    public void run()
    {
        try
        {
            loop();
        }
        catch (final Throwable t)
        {
            plan.failure.compareAndSet(null, new IllegalStateException("bench thread " + index + ": " + t, t));
            plan.stop.set(true);
        }
    }

    private void loop()
    {
        final boolean open = plan.intervalNanos > 0;
        final long interval = plan.intervalNanos;
        final long end = plan.endNanos;
        // Threads are staggered over one interval so that the total schedule is evenly spaced.
        long intended = plan.startNanos + (open ? interval * index / plan.threads : 0);
        if (!open)
        {
            awaitTime(plan.startNanos);
        }
        while (!plan.stop.get())
        {
            if (open && intended >= end)
            {
                return;
            }
            final BenchOp op = plan.mix.pick((int)Long.remainderUnsigned(nextRandom(), 100));
            final long keyIndex;
            byte[] commitKey = null;
            byte[] commitValue = null;
            switch (op)
            {
                case COMMIT ->
                {
                    keyIndex = plan.insert ? plan.keys + index + plan.threads * inserted++ : randomKey(plan.keys);
                    commitKey = BenchData.key(keyIndex);
                    commitValue = BenchData.value(keyIndex, plan.valueSize);
                }
                case GET ->
                {
                    keyIndex = randomKey(plan.keys);
                    BenchData.key(keyIndex, key);
                }
                case SCAN ->
                {
                    keyIndex = randomKey(plan.keys - plan.scanLength + 1);
                    BenchData.key(keyIndex, key);
                }
                default -> throw new IllegalStateException(op.toString());
            }

            final long start = open ? awaitTime(intended) : System.nanoTime();
            if (start >= end)
            {
                if (open)
                {
                    missed += (end - intended + interval - 1) / interval;
                }
                return;
            }
            if (!open)
            {
                intended = start;
            }

            final long done;
            switch (op)
            {
                case COMMIT ->
                {
                    plan.db.commit(new Mutation.KvSet(PROJECT, SCOPE, commitKey, commitValue));
                    done = System.nanoTime();
                }
                case GET ->
                {
                    final int length = kv.get(key, 0, BenchData.KEY_BYTES, value, 0);
                    done = System.nanoTime();
                    if (!BenchData.isValue(keyIndex, plan.valueSize, value, 0, length))
                    {
                        throw new IllegalStateException(length < 0 ? "get of loaded key " + keyIndex + " found nothing"
                            : "get of loaded key " + keyIndex + " returned " + length + " bytes that are not its value (expected "
                                + plan.valueSize + " bytes)");
                    }
                }
                case SCAN ->
                {
                    scanCheck.reset(keyIndex);
                    final int visited = kv.scan(key, 0, BenchData.KEY_BYTES, plan.scanLength, scanCheck);
                    done = System.nanoTime();
                    scanCheck.check(keyIndex, visited);
                }
                default -> throw new IllegalStateException(op.toString());
            }

            final Recorders phase = intended >= plan.warmupEndNanos ? plan.measured : plan.warmup;
            phase.latency[op.ordinal()].recordValue(Math.min(done - intended, MAX_NANOS));
            if (phase.service != null)
            {
                phase.service[op.ordinal()].recordValue(Math.min(done - start, MAX_NANOS));
            }
            intended += interval;
        }
    }

    private long nextRandom()
    {
        long x = random;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        random = x;
        return x;
    }

    private long randomKey(final int bound)
    {
        return Long.remainderUnsigned(nextRandom(), bound);
    }

    /** Waits until {@code deadline} (parking while it is far, spinning the last stretch). @return the time then. */
    static long awaitTime(final long deadline)
    {
        long now;
        while ((now = System.nanoTime()) < deadline)
        {
            final long remaining = deadline - now;
            if (remaining > 150_000)
            {
                LockSupport.parkNanos(remaining - 100_000);
            }
            else
            {
                Thread.onSpinWait();
            }
        }
        return now;
    }

    /** Checks each scanned entry: consecutive loaded keys from the start key, each with its own value. */
    private final class ScanCheck implements KvVisitor
    {
        private long expected;
        private long badKey = Long.MIN_VALUE;
        private int badValueLength;

        void reset(final long startIndex)
        {
            expected = startIndex;
            badKey = Long.MIN_VALUE;
        }

        @Override
        public boolean visit(final DirectBuffer k, final int keyOffset, final int keyLength, final DirectBuffer v, final int valueOffset,
            final int valueLength, final long version)
        {
            final long at = BenchData.keyIndex(k, keyOffset, keyLength);
            if (at != expected || !BenchData.startsLikeValue(at, plan.valueSize, v, valueOffset, valueLength))
            {
                badKey = at;
                badValueLength = valueLength;
                return false;
            }
            expected++;
            return true;
        }

        void check(final long startIndex, final int visited)
        {
            if (badKey != Long.MIN_VALUE)
            {
                throw new IllegalStateException("scan from loaded key " + startIndex + ": entry " + (expected - startIndex)
                    + " has key index " + badKey + " (expected " + expected + ") or a wrong value of " + badValueLength + " bytes");
            }
            if (visited != plan.scanLength)
            {
                throw new IllegalStateException("scan from loaded key " + startIndex + " visited " + visited + " entries, expected "
                    + plan.scanLength);
            }
        }
    }
}
