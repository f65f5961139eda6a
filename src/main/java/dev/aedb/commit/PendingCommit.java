package dev.aedb.commit;

import dev.aedb.model.AedbException;
import dev.aedb.model.CommitResult;
import dev.aedb.model.TransactionEnvelope;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * An envelope (or a sync request) on its way through the sequencer.
 * <p>
 * Its outcome, a {@link CommitResult} or the {@link AedbException} that rejected it, is set exactly once by
 * {@link #resolve}: by the sequencer, or by the submitting thread when the sequencer stopped under it. A blocking
 * caller waits in {@link #await} on that outcome and is unparked by the resolver directly, so no callback of any
 * kind runs on the sequencer thread and the blocking path costs no thread hop. For {@code commitAsync} the object
 * is also the {@link CompletableFuture} handed to the caller; the engine completes that future on its callback
 * executor after resolving (see {@link CommitEngine}), never on the sequencer, because completing a future runs
 * its dependent stages on the completing thread.
 */
final class PendingCommit extends CompletableFuture<CommitResult>
{
    static final int COMMIT = 1;
    static final int SYNC = 2;

    private static final VarHandle OUTCOME;
    private static final VarHandle WAITER_PARKED;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            OUTCOME = lookup.findVarHandle(PendingCommit.class, "outcome", Object.class);
            WAITER_PARKED = lookup.findVarHandle(PendingCommit.class, "waiterParked", boolean.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    final int kind;
    final TransactionEnvelope envelope;
    /** The frame's bytes from offset 0; the array may be longer than the frame (header + payloadLength + trailer). */
    final byte[] frame;
    final int payloadLength;
    final byte[] fingerprint;
    /** The thread blocked in {@link #await}, or null for an asynchronous commit. */
    final Thread waiter;
    long seq;
    boolean duplicate;

    /** null while pending, then the CommitResult or AedbException; set once, by CAS. */
    @SuppressWarnings("unused") // accessed through OUTCOME
    private volatile Object outcome;
    /** Set by the waiter before it parks, so the resolver pays for an unpark only when someone sleeps. */
    @SuppressWarnings("unused") // accessed through WAITER_PARKED
    private volatile boolean waiterParked;

    PendingCommit(final int kind, final TransactionEnvelope envelope, final byte[] frame, final int payloadLength,
        final byte[] fingerprint, final Thread waiter)
    {
        this.kind = kind;
        this.envelope = envelope;
        this.frame = frame;
        this.payloadLength = payloadLength;
        this.fingerprint = fingerprint;
        this.waiter = waiter;
    }

    /** @return true for a commit submitted with {@code commitAsync}, whose future must be completed off the sequencer. */
    boolean isAsync()
    {
        return waiter == null;
    }

    /**
     * Sets the outcome and wakes the blocked waiter, if any. Does not complete the future. Called by the sequencer,
     * or by the submitter when it finds the sequencer stopped under it (then both may race, and the first wins; see
     * CommitEngine.enqueue for why such a request was never applied).
     *
     * @param result a {@link CommitResult} or an {@link AedbException}.
     * @return false when the outcome had already been set; nothing changes then.
     */
    boolean resolve(final Object result)
    {
        // One CAS on the line the waiter spins on: every extra write there would cost a cross-core transfer.
        if (!OUTCOME.compareAndSet(this, null, result))
        {
            return false;
        }
        wakeWaiter();
        return true;
    }

    private void wakeWaiter()
    {
        // Dekker pairing with await: it writes waiterParked then reads outcome; we wrote outcome then read waiterParked.
        if (waiter != null && (boolean)WAITER_PARKED.getVolatile(this))
        {
            LockSupport.unpark(waiter);
        }
    }

    /** Completes the future from the outcome; runs the caller's dependent stages on the current thread. */
    void completeFuture()
    {
        final Object o = OUTCOME.getAcquire(this);
        if (o instanceof CommitResult r)
        {
            complete(r);
        }
        else
        {
            completeExceptionally((Throwable)o);
        }
    }

    /**
     * Waits for the outcome: spins for up to {@code spinNanos}, then parks until the resolver unparks it. An interrupt
     * does not end the wait, because the commit may already be applied; the flag is restored before returning.
     *
     * @return the commit's result.
     * @throws AedbException the rejection, with this caller's stack and the sequencer-side exception as its cause.
     */
    CommitResult await(final long spinNanos)
    {
        Object o = OUTCOME.getAcquire(this);
        if (pending(o) && spinNanos > 0)
        {
            final long deadline = System.nanoTime() + spinNanos;
            do
            {
                Thread.onSpinWait();
                o = OUTCOME.getAcquire(this);
            }
            while (pending(o) && System.nanoTime() - deadline < 0);
        }
        if (pending(o))
        {
            o = park();
        }
        if (o instanceof CommitResult r)
        {
            return r;
        }
        final AedbException a = (AedbException)o;
        throw new AedbException(a.code(), a.getMessage().substring(a.code().code().length() + 2), a);
    }

    private static boolean pending(final Object o)
    {
        return o == null;
    }

    private Object park()
    {
        boolean interrupted = false;
        Object o;
        while (true)
        {
            WAITER_PARKED.setVolatile(this, true);
            o = OUTCOME.getVolatile(this);
            if (!pending(o))
            {
                break;
            }
            LockSupport.park(this);
            if (Thread.interrupted())
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        return o;
    }
}
