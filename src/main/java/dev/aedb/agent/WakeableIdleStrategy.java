package dev.aedb.agent;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/** Padding before the flag: agent-thread state of neighbouring objects shares no cache line with it. */
abstract class WakeableIdleStrategyPrePad
{
    byte p000;
    byte p001;
    byte p002;
    byte p003;
    byte p004;
    byte p005;
    byte p006;
    byte p007;
    byte p008;
    byte p009;
    byte p010;
    byte p011;
    byte p012;
    byte p013;
    byte p014;
    byte p015;
    byte p016;
    byte p017;
    byte p018;
    byte p019;
    byte p020;
    byte p021;
    byte p022;
    byte p023;
    byte p024;
    byte p025;
    byte p026;
    byte p027;
    byte p028;
    byte p029;
    byte p030;
    byte p031;
    byte p032;
    byte p033;
    byte p034;
    byte p035;
    byte p036;
    byte p037;
    byte p038;
    byte p039;
    byte p040;
    byte p041;
    byte p042;
    byte p043;
    byte p044;
    byte p045;
    byte p046;
    byte p047;
    byte p048;
    byte p049;
    byte p050;
    byte p051;
    byte p052;
    byte p053;
    byte p054;
    byte p055;
    byte p056;
    byte p057;
    byte p058;
    byte p059;
    byte p060;
    byte p061;
    byte p062;
    byte p063;
}

/** What submitters read: apart from the agent thread's per-call state, so a spinning agent does not steal its line. */
abstract class WakeableIdleStrategyFlag extends WakeableIdleStrategyPrePad
{
    /** The agent thread, recorded before {@link #parked} is first raised (which publishes it). */
    Thread agentThread;
    volatile boolean parked;
}

/** Padding after the flag, before the agent thread's per-call state. */
abstract class WakeableIdleStrategyPostPad extends WakeableIdleStrategyFlag
{
    byte p064;
    byte p065;
    byte p066;
    byte p067;
    byte p068;
    byte p069;
    byte p070;
    byte p071;
    byte p072;
    byte p073;
    byte p074;
    byte p075;
    byte p076;
    byte p077;
    byte p078;
    byte p079;
    byte p080;
    byte p081;
    byte p082;
    byte p083;
    byte p084;
    byte p085;
    byte p086;
    byte p087;
    byte p088;
    byte p089;
    byte p090;
    byte p091;
    byte p092;
    byte p093;
    byte p094;
    byte p095;
    byte p096;
    byte p097;
    byte p098;
    byte p099;
    byte p100;
    byte p101;
    byte p102;
    byte p103;
    byte p104;
    byte p105;
    byte p106;
    byte p107;
    byte p108;
    byte p109;
    byte p110;
    byte p111;
    byte p112;
    byte p113;
    byte p114;
    byte p115;
    byte p116;
    byte p117;
    byte p118;
    byte p119;
    byte p120;
    byte p121;
    byte p122;
    byte p123;
    byte p124;
    byte p125;
    byte p126;
    byte p127;
}

/**
 * An Agrona {@link BackoffIdleStrategy} (spin, then yield, then park with a doubling period) that another thread can
 * wake out of its park, so work handed to an idle agent waits for no park period.
 * <p>
 * Protocol: before each call that may park, the agent thread raises a volatile {@code parked} flag and then asks its
 * {@link Condition} once more whether there is work; a submitter makes its work visible (a queue offer) and then reads
 * the flag in {@link #wake()}, unparking the agent thread only while it is raised. Each side writes, then reads what
 * the other wrote, so at least one of them sees the other: the work is never left behind a full park. While the
 * backoff is still spinning or yielding the flag is down and a submitter pays nothing.
 * <p>
 * A condition can also bound the park by a deadline of its own (the sequencer's BATCH sync): the thread then parks
 * until that deadline if it comes before {@code maxParkNanos}; otherwise the backoff's own period applies.
 * <p>
 * Threading: {@link #idle(int)}, {@link #idle()} and {@link #reset()} on the agent thread only (this is what an
 * {@code AgentRunner} does); {@link #wake()} from any thread. The flag sits on a cache line of its own (padded as
 * Agrona pads its idle strategies), so a submitter's read does not contend with the agent's per-call counting.
 */
public final class WakeableIdleStrategy extends WakeableIdleStrategyPostPad implements IdleStrategy
{
    /** What the idle strategy asks the agent, on the agent thread, before it parks. */
    public interface Condition
    {
        /** @return true when there is work, or a stop to act on, so the thread must not park now. */
        boolean hasWork();

        /** @return the longest the next park may last, in ns; {@link Long#MAX_VALUE} for no bound of the agent's own. */
        long parkLimitNanos();
    }

    private static final VarHandle PARKED;

    static
    {
        try
        {
            PARKED = MethodHandles.lookup().findVarHandle(WakeableIdleStrategyFlag.class, "parked", boolean.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final BackoffIdleStrategy backoff;
    private final Condition condition;
    private final long maxParkNanos;
    /**
     * Idle calls after a reset that the backoff spends spinning and yielding. {@link BackoffIdleStrategy}: the first
     * call moves to spinning, the next {@code maxSpins} spin (the last one moves to yielding), the next
     * {@code maxYields} yield, one more moves to parking, and every call after that parks. Counting one call early
     * (as with {@code maxSpins == 0}) only raises the flag one call before it is needed.
     */
    private final long callsBeforePark;
    private long idleCalls;

    /**
     * @param maxSpins       idle calls that spin ({@link Thread#onSpinWait()}) before yielding.
     * @param maxYields      idle calls that yield before parking.
     * @param minParkNanos   the first park period.
     * @param maxParkNanos   the longest park period (the period doubles up to it).
     * @param condition      what to ask before parking.
     */
    public WakeableIdleStrategy(final long maxSpins, final long maxYields, final long minParkNanos, final long maxParkNanos,
        final Condition condition)
    {
        if (maxSpins < 0 || maxYields < 0 || minParkNanos < 1 || maxParkNanos < minParkNanos)
        {
            throw new IllegalArgumentException("maxSpins=" + maxSpins + " maxYields=" + maxYields + " minParkNanos="
                + minParkNanos + " maxParkNanos=" + maxParkNanos);
        }
        this.backoff = new BackoffIdleStrategy(maxSpins, maxYields, minParkNanos, maxParkNanos);
        this.condition = condition;
        this.maxParkNanos = maxParkNanos;
        this.callsBeforePark = maxSpins + maxYields + 2;
    }

    /** {@inheritDoc} */
    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    /** {@inheritDoc} */
    @Override
    public void idle()
    {
        if (++idleCalls <= callsBeforePark)
        {
            backoff.idle();
            return;
        }
        if (agentThread == null)
        {
            agentThread = Thread.currentThread();
        }
        PARKED.setVolatile(this, true);
        if (!condition.hasWork())
        {
            final long limit = condition.parkLimitNanos();
            if (limit < maxParkNanos)
            {
                LockSupport.parkNanos(this, Math.max(1, limit));
            }
            else
            {
                backoff.idle();
            }
        }
        PARKED.setRelease(this, false);
    }

    /** {@inheritDoc} */
    @Override
    public void reset()
    {
        idleCalls = 0;
        backoff.reset();
    }

    /**
     * Any thread, after making work visible to the agent's {@link Condition}: unparks the agent thread if it is parked
     * or about to park; otherwise costs one volatile read.
     */
    public void wake()
    {
        if ((boolean)PARKED.getVolatile(this))
        {
            LockSupport.unpark(agentThread);
        }
    }

    /** @return true while the agent thread is parked or about to park (for tests). */
    boolean isParked()
    {
        return (boolean)PARKED.getVolatile(this);
    }

    /** {@inheritDoc} */
    @Override
    public String alias()
    {
        return "wakeable-backoff";
    }

    @Override
    public String toString()
    {
        return "WakeableIdleStrategy{" + backoff + ", callsBeforePark=" + callsBeforePark + '}';
    }
}
