package dev.aedb.store;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A piece of work the writer wants done before it needs the result (a zero-filled arena segment, a hash index's next
 * table), off its own thread. It is claimed exactly once: by the {@link PreparationAgent}, which then does the work,
 * or by the writer in {@link #take()}, which then finds nothing and does the work itself. So the writer never waits
 * for preparation that has not started (no agent running, or a test that does not invoke it), and never waits longer
 * than for work already under way, as it would inline.
 * <p>
 * Threading: {@link #run()} on the preparation agent, {@link #take()} on the writer thread.
 *
 * @param <T> what the work makes.
 */
final class Preparation<T>
{
    private static final int PENDING = 0;
    private static final int STARTED = 1;
    private static final int TAKEN = 2;

    private final Callable<T> work;
    private final AtomicInteger state = new AtomicInteger(PENDING);
    private final CompletableFuture<T> result = new CompletableFuture<>();

    /** @param work the work; it cleans up after itself when it fails. */
    Preparation(final Callable<T> work)
    {
        this.work = work;
    }

    /**
     * Preparation agent: does the work unless the writer took it first; a failure (an Error too) is kept for
     * {@link #take()} to throw.
     *
     * @return true when the work ran here.
     */
    boolean run()
    {
        if (!state.compareAndSet(PENDING, STARTED))
        {
            return false;
        }
        try
        {
            result.complete(work.call());
        }
        catch (final Throwable t)
        {
            result.completeExceptionally(t);
        }
        return true;
    }

    /**
     * Writer: the prepared result, waiting for it if the agent is still at work on it.
     *
     * @return the result, or null when the work had not started: it never will, and the writer must do it itself.
     * @throws java.util.concurrent.CompletionException when the work failed on the agent.
     */
    T take()
    {
        if (state.compareAndSet(PENDING, TAKEN))
        {
            return null;
        }
        return result.join();
    }
}
