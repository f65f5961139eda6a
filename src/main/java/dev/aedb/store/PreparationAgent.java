package dev.aedb.store;

import dev.aedb.agent.WakeableIdleStrategy;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The store's background agent ({@value #ROLE_NAME}): does the {@link Preparation}s the writer queues ahead of need,
 * creating and zero-filling the arena's next segment (100-200 ms for 64 MiB) and allocating a large hash index's next
 * table (about 90 ms for 128 MiB), so the writer does not stall for them. One per store, off the writer thread.
 * <p>
 * Nothing depends on it running: work it has not started is done by the writer when it needs the result (see
 * {@link Preparation#take()}), and a full queue only means the writer does that work itself.
 * <p>
 * Idle: it never spins (the work is rare and the CPUs are shared with the writer); it parks at once, woken by each
 * submission through {@link WakeableIdleStrategy#wake()}, and otherwise looks again every {@value #MAX_PARK_MILLIS} ms
 * at most.
 */
final class PreparationAgent implements Agent, WakeableIdleStrategy.Condition
{
    /** The agent's role name, also its thread's name. */
    static final String ROLE_NAME = "aedb-store-prep";
    private static final int QUEUE_CAPACITY = 64;
    private static final long MAX_PARK_MILLIS = 100;

    private final ManyToOneConcurrentArrayQueue<Preparation<?>> queue = new ManyToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final WakeableIdleStrategy idleStrategy = new WakeableIdleStrategy(0, 0, 1_000_000, MAX_PARK_MILLIS * 1_000_000, this);
    private volatile boolean stopping;

    /** @return the idle strategy its thread must use (it is what {@link #submit} wakes). */
    WakeableIdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * Writer: queues work and wakes the agent.
     *
     * @return false when the queue is full; the work is then done by whoever takes it.
     */
    boolean submit(final Preparation<?> preparation)
    {
        if (!queue.offer(preparation))
        {
            return false;
        }
        idleStrategy.wake();
        return true;
    }

    /** Asks the agent to stop: its next duty cycle ends it, leaving queued work to the writer. */
    void requestStop()
    {
        stopping = true;
        idleStrategy.wake();
    }

    /**
     * Runs every queued preparation the writer has not taken.
     *
     * @return how many ran.
     * @throws AgentTerminationException once {@link #requestStop()} was called.
     */
    @Override
    public int doWork()
    {
        int ran = 0;
        while (!stopping)
        {
            final Preparation<?> p = queue.poll();
            if (p == null)
            {
                return ran;
            }
            if (p.run())
            {
                ran++;
            }
        }
        throw new AgentTerminationException(true);
    }

    @Override
    public boolean hasWork()
    {
        return stopping || !queue.isEmpty();
    }

    @Override
    public long parkLimitNanos()
    {
        return Long.MAX_VALUE;
    }

    @Override
    public String roleName()
    {
        return ROLE_NAME;
    }

    /**
     * The runner's error handler. Nothing is expected to escape {@link #doWork()} (a preparation keeps its own
     * failure for the writer), and nothing depends on this agent: a defect here is reported and the agent stops, so the
     * writer does all later preparation itself.
     */
    void onError(final Throwable t)
    {
        stopping = true;
        System.getLogger(PreparationAgent.class.getName()).log(System.Logger.Level.ERROR,
            ROLE_NAME + " stopped; the writer prepares store memory itself from now on", t);
    }
}
