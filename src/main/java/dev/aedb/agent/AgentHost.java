package dev.aedb.agent;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;

import java.util.ArrayList;
import java.util.List;

/**
 * Where an instance's background {@link Agent}s run. {@link #threads()} (production) runs each agent on a daemon
 * thread of its own, named after the agent's role, by an Agrona {@link AgentRunner} with the agent's idle strategy.
 * {@link #invokers()} (tests) runs nothing by itself: each agent gets a started {@link AgentInvoker} and does one duty
 * cycle per {@link AgentInvoker#invoke()} on the calling thread, so a test steps it deterministically, with no sleeps.
 * <p>
 * Stopping is the agent's own business: its owner asks it to stop (in the agent's terms, and wakes it), the agent's
 * {@code doWork} finishes what it must and throws {@link org.agrona.concurrent.AgentTerminationException}, and the
 * owner waits in {@link Handle#awaitClosed()}. With invokers that wait drives the remaining duty cycles on the closing
 * thread, so closing never hangs on an agent a test did not step.
 * <p>
 * Threading: {@link #start} and {@link #invoker} may be called from any thread.
 */
public final class AgentHost
{
    private final boolean invoked;
    private final List<AgentInvoker> invokers = new ArrayList<>();

    private AgentHost(final boolean invoked)
    {
        this.invoked = invoked;
    }

    /** @return a host that runs every agent on a daemon thread of its own (production). */
    public static AgentHost threads()
    {
        return new AgentHost(false);
    }

    /** @return a host that runs no agent by itself: tests drive each one through {@link #invoker(String)}. */
    public static AgentHost invokers()
    {
        return new AgentHost(true);
    }

    /** @return whether agents run on threads of their own (false: tests drive them through invokers). */
    public boolean threaded()
    {
        return !invoked;
    }

    /**
     * Starts an agent: on a new daemon thread named {@link Agent#roleName()}, or as a started invoker.
     *
     * @param agent        the agent; its {@code doWork} must end it with an {@code AgentTerminationException} once its
     *                     owner has asked it to stop.
     * @param idleStrategy what its thread does between duty cycles that found no work (unused with invokers).
     * @param errorHandler what hears of a throwable that escapes the agent (the agent's own fail-stop, if it has one).
     * @return the handle to wait on when the agent stops.
     */
    public Handle start(final Agent agent, final IdleStrategy idleStrategy, final ErrorHandler errorHandler)
    {
        if (invoked)
        {
            final AgentInvoker invoker = new AgentInvoker(errorHandler, null, agent);
            synchronized (invokers)
            {
                invokers.add(invoker);
            }
            invoker.start();
            return new Handle(null, null, invoker);
        }
        final AgentRunner runner = new AgentRunner(idleStrategy, errorHandler, null, agent);
        final Thread thread = AgentRunner.startOnThread(runner, task ->
        {
            final Thread t = new Thread(task, agent.roleName());
            t.setDaemon(true);
            return t;
        });
        return new Handle(runner, thread, null);
    }

    /**
     * Tests: the invoker of the agent with this role name, the one started last if there are several.
     *
     * @throws IllegalStateException when this host runs threads, or no agent of that role was started.
     */
    public AgentInvoker invoker(final String roleName)
    {
        if (!invoked)
        {
            throw new IllegalStateException("agents run on threads, not invokers: roleName=" + roleName);
        }
        synchronized (invokers)
        {
            for (int i = invokers.size() - 1; i >= 0; i--)
            {
                final AgentInvoker invoker = invokers.get(i);
                if (invoker.agent().roleName().equals(roleName))
                {
                    return invoker;
                }
            }
        }
        throw new IllegalStateException("no agent started with roleName=" + roleName);
    }

    /** A started agent. */
    public static final class Handle
    {
        private final AgentRunner runner;
        private final Thread thread;
        private final AgentInvoker invoker;

        private Handle(final AgentRunner runner, final Thread thread, final AgentInvoker invoker)
        {
            this.runner = runner;
            this.thread = thread;
            this.invoker = invoker;
        }

        /**
         * Waits until the agent has stopped itself and run its {@code onClose}: joins its thread, or, with an invoker,
         * invokes it until it closes. The agent must have been asked to stop. Never interrupts the agent (the WAL's file
         * channels would close under it), and an interrupt does not end the wait.
         *
         * @return true when the calling thread was interrupted while it waited: its flag is then clear, and the caller
         *         sets it again once it has done its own closing I/O (which an interrupt would break).
         */
        public boolean awaitClosed()
        {
            if (invoker != null)
            {
                while (!invoker.isClosed())
                {
                    if (!invoker.isRunning())
                    {
                        invoker.close(); // stopped by an interrupt of the invoking thread: close runs onClose
                        break;
                    }
                    invoker.invoke();
                }
                return false;
            }
            boolean interrupted = false;
            while (thread.isAlive())
            {
                try
                {
                    thread.join();
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
            runner.close(); // the thread has ended: marks the runner closed, waits for nothing
            return interrupted;
        }
    }
}
