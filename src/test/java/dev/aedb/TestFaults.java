package dev.aedb;

import dev.aedb.io.IoFaults;
import dev.aedb.model.Mutation;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A settable {@link IoFaults} for one instance: install it with {@link #applyTo(AedbConfig)} (public so tests in
 * other packages can), flip its switches from the test thread while the instance runs. Thread-safe: every switch is
 * volatile or atomic, so a switch set before a commit is seen by the sequencer that handles it.
 * <p>
 * Counts what passes through the seam ({@link #hits}, {@link #walBytesAppended}), so a test can check that the
 * point it arms is really on the path it drives.
 */
public final class TestFaults implements IoFaults
{
    private static final long UNLIMITED = -1;

    private volatile boolean failEverySync;
    private final AtomicBoolean failNextSync = new AtomicBoolean();
    private final AtomicLong writeAllowance = new AtomicLong(UNLIMITED);
    private final AtomicLong walBytesAppended = new AtomicLong();
    private final LongAdder syncs = new LongAdder();
    private volatile long usableSpace = NO_OVERRIDE;
    private volatile long checkpointSpace = UNLIMITED;
    private volatile boolean failCheckpointSync;
    private final Map<String, Consumer<Mutation>> crashActions = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> hits = new ConcurrentHashMap<>();

    /**
     * @param config a configuration not yet passed to {@link AedbInstance#open}.
     * @return {@code config}, now routing its instance's I/O faults and crash points through this.
     */
    public AedbConfig applyTo(final AedbConfig config)
    {
        return config.ioFaults(this);
    }

    /** @param fail when true, every WAL sync fails with an IOException until set false. */
    public TestFaults failEverySync(final boolean fail)
    {
        failEverySync = fail;
        return this;
    }

    /** The next WAL sync, and only that one, fails with an IOException. */
    public TestFaults failNextSync()
    {
        failNextSync.set(true);
        return this;
    }

    /**
     * Lets the WAL take {@code bytes} more frame bytes, then fails every append that would go past them (as ENOSPC or
     * EIO would), with nothing of that frame written. Whole frames only: the frame that does not fit fails entirely.
     *
     * @param bytes frame bytes still allowed, or -1 for no limit.
     */
    public TestFaults failAfterWalBytes(final long bytes)
    {
        writeAllowance.set(bytes);
        return this;
    }

    /** @param bytes usable bytes the WAL's free-space guard is told, or {@link IoFaults#NO_OVERRIDE}. */
    public TestFaults usableSpace(final long bytes)
    {
        usableSpace = bytes;
        return this;
    }

    /**
     * Runs {@code action} each time crash point {@code name} is reached, on the thread that reaches it; what it throws
     * is thrown there. It gets the mutation at {@link IoFaults#APPLY_BEFORE_MUTATION} and null at the other points.
     *
     * @param name one of {@link IoFaults#CRASH_POINTS}.
     */
    public TestFaults crashAt(final String name, final Consumer<Mutation> action)
    {
        if (!CRASH_POINTS.contains(name))
        {
            throw new IllegalArgumentException("no such crash point, name=" + name);
        }
        crashActions.put(name, action);
        return this;
    }

    /**
     * Lets a checkpoint image grow to {@code bytes}, then fails its next write as a full disk would ("No space left on
     * device"), or -1 for no limit.
     */
    public TestFaults checkpointSpace(final long bytes)
    {
        checkpointSpace = bytes;
        return this;
    }

    /** @param fail when true, every fsync of a checkpoint file fails with an IOException until set false. */
    public TestFaults failCheckpointSync(final boolean fail)
    {
        failCheckpointSync = fail;
        return this;
    }

    @Override
    public void beforeCheckpointWrite(final long bytesWritten) throws IOException
    {
        final long limit = checkpointSpace;
        if (limit != UNLIMITED && bytesWritten >= limit)
        {
            throw new IOException("injected checkpoint write failure: No space left on device");
        }
    }

    @Override
    public void beforeCheckpointSync() throws IOException
    {
        if (failCheckpointSync)
        {
            throw new IOException("injected checkpoint fsync failure");
        }
    }

    /** Clears every switch and crash action (the counts stay). */
    public TestFaults reset()
    {
        failEverySync = false;
        failNextSync.set(false);
        writeAllowance.set(UNLIMITED);
        usableSpace = NO_OVERRIDE;
        checkpointSpace = UNLIMITED;
        failCheckpointSync = false;
        crashActions.clear();
        return this;
    }

    /** @return how often crash point {@code name} was reached. */
    public long hits(final String name)
    {
        final LongAdder count = hits.get(name);
        return count == null ? 0 : count.sum();
    }

    /** @return frame bytes the WAL appended through this seam (appends it failed not counted). */
    public long walBytesAppended()
    {
        return walBytesAppended.get();
    }

    /** @return WAL syncs attempted through this seam (failed ones included). */
    public long syncs()
    {
        return syncs.sum();
    }

    @Override
    public void beforeSync() throws IOException
    {
        syncs.increment();
        if (failEverySync || failNextSync.getAndSet(false))
        {
            throw new IOException("injected sync failure");
        }
    }

    @Override
    public void beforeAppend(final int frameBytes) throws IOException
    {
        while (true)
        {
            final long allowance = writeAllowance.get();
            if (allowance == UNLIMITED)
            {
                break;
            }
            if (allowance < frameBytes)
            {
                throw new IOException("injected write failure: No space left on device");
            }
            if (writeAllowance.compareAndSet(allowance, allowance - frameBytes))
            {
                break;
            }
        }
        walBytesAppended.addAndGet(frameBytes);
    }

    @Override
    public long usableSpaceOverride()
    {
        return usableSpace;
    }

    @Override
    public void crashPoint(final String name)
    {
        crashPoint(name, null);
    }

    @Override
    public void crashPoint(final String name, final Mutation mutation)
    {
        hits.computeIfAbsent(name, n -> new LongAdder()).increment();
        final Consumer<Mutation> action = crashActions.get(name);
        if (action != null)
        {
            action.accept(mutation);
        }
    }
}
