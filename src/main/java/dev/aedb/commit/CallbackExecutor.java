package dev.aedb.commit;

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Completes the futures of {@code commitAsync} off the sequencer thread. Completing a {@code CompletableFuture}
 * runs the caller's dependent stages ({@code thenApply}, {@code thenRun}, ...) on the completing thread, and such a
 * stage may block or even commit again; on the sequencer that would stall or deadlock every commit.
 * <p>
 * The sequencer hands each group commit's completions, in commit order, to one task. Tasks run on a cached pool of
 * daemon threads named {@code aedb-callbacks-N}: a callback that blocks holds up only the futures behind it in its
 * own task; the next group commit gets another thread. Futures of different group commits may therefore complete
 * in any order relative to each other.
 */
final class CallbackExecutor
{
    private static final long KEEP_ALIVE_SECONDS = 10;

    private final AtomicInteger threads = new AtomicInteger();
    private final ThreadPoolExecutor pool;

    CallbackExecutor()
    {
        pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS, new SynchronousQueue<>(),
            task ->
            {
                final Thread t = new CallbackThread(this, task, "aedb-callbacks-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
    }

    /** A pool thread, marked with its owner so that close() does not wait for the thread calling it. */
    private static final class CallbackThread extends Thread
    {
        private final CallbackExecutor owner;

        CallbackThread(final CallbackExecutor owner, final Runnable task, final String name)
        {
            super(task, name);
            this.owner = owner;
        }
    }

    /**
     * Sequencer thread: completes the futures of {@code commits[0..count)} in order, on a pool thread.
     *
     * @param commits resolved asynchronous commits; the array is owned by the task from now on.
     */
    void completeInOrder(final PendingCommit[] commits, final int count)
    {
        pool.execute(() ->
        {
            for (int i = 0; i < count; i++)
            {
                completeOne(commits[i]);
            }
        });
    }

    /** Completes one future on the current thread; a callback's exception belongs to its own dependent future. */
    static void completeOne(final PendingCommit p)
    {
        try
        {
            p.completeFuture();
        }
        catch (final RuntimeException ex)
        {
            // CompletableFuture catches what dependent stages throw; nothing reaches here but a broken subclass.
        }
    }

    /**
     * Stops taking tasks and waits up to {@code waitNanos} for the queued ones to finish. A task still running then
     * (a callback that blocks) keeps its daemon thread and finishes whenever the callback returns.
     */
    void shutdown(final long waitNanos)
    {
        pool.shutdown();
        if (Thread.currentThread() instanceof CallbackThread t && t.owner == this)
        {
            return; // close() called from a callback: waiting would wait for ourselves
        }
        boolean interrupted = false;
        final long deadline = System.nanoTime() + waitNanos;
        while (true)
        {
            try
            {
                pool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
