package dev.aedb.store;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Reader slots: each active read or open snapshot pins the commit seq it reads at in one slot, so the writer never
 * reclaims a version or a node such a reader can reach.
 * <p>
 * <b>Slot layout</b> (one slot per 64 bytes, so readers on different slots do not share a cache line): long 0 is the
 * value, {@link #FREE} or the pinned seq, with {@link #BUSY} set while a {@link PinnedSlot snapshot} reads; long 1 is
 * the snapshot's claim time on the registry's clock, 0 for a one-shot read (and for a snapshot in the instant between
 * its claim and its stamp); long 2 counts the reads its owners ended in it (for grace periods, {@link #startGrace()}).
 * Only the slot's owner writes these longs; the writer only reads them.
 * <p>
 * <b>Claim</b> (Dekker-style): a reader CASes its seq into a free slot, then reads the {@linkplain #horizon()
 * horizon}; if its seq is below it, a latest read repins at a newer seq and reads the horizon again, a read at an old
 * seq gives up unless an honoured snapshot in another slot holds exactly that seq ({@link #heldBySnapshot}). The
 * writer, in {@link #advance}, raises the horizon, issues a full fence, then scans the slots. The
 * claim CAS and the horizon store are each followed by a full fence, so either the writer's scan sees the reader's seq
 * (and keeps what it needs) or the reader sees the new horizon (and does not read below it). The same fence orders
 * the writer's earlier unlinks (release stores into chains and skip lists) before the scan: a reader whose claim or
 * {@link #BUSY} store the scan does not see will, after its own fence, see those unlinks, so it cannot reach anything
 * the scan lets the writer free.
 * <p>
 * <b>What the writer keeps</b>: every version newer than the horizon {@code h}, the newest at or below {@code h}, and
 * for each distinct pinned seq {@code p < h} (the {@linkplain #pins() pin list} of the last scan) the newest version
 * at or below {@code p}. Readers that claim after the scan pin at or above {@code h}, so the list stays sufficient
 * until the next scan. Unlinked memory is freed only once every slot that may be walking the store (a one-shot read
 * or a busy snapshot: {@link #minReadingPin()}) pinned a seq above the visible head at the time of the unlink; an idle
 * snapshot holds no pointer into the store, and its next read starts after its BUSY store, hence sees the unlinks.
 * <p>
 * <b>Expiry</b>: the writer stops honouring a snapshot's pin when the slot is not {@link #BUSY} and its claim time
 * is more than the maximum age plus {@link #EXPIRY_GRACE_NANOS} ago; a snapshot that starts a read stores BUSY
 * first (a CAS, a full fence), then checks its own age against the maximum and gives up (SNAPSHOT_EXPIRED) when
 * over it. The writer reads its clock, then fences, before loading any slot it judges by age. So if the writer
 * loaded the slot idle, the reader's BUSY store came later in the slot's order, its clock reading is later than the
 * writer's, and an age the writer judged over the limit is over it for the reader too: a reader never reads what
 * was trimmed because its pin was ignored. (The scan reads its clock when it first meets a snapshot's slot, then
 * loads that slot again.) The grace absorbs clock reads that the hardware serves slightly out of order. Slot reuse
 * (ABA): the owner zeroes the claim time before it frees the value, and the writer loads the value before the time,
 * so a time the writer loads belongs either to the owner whose value it loaded (still claimed then), or is 0 or a
 * newer owner's recent time; neither is ever judged expired. A snapshot's own check uses its own copy of the claim
 * time.
 */
final class ReaderRegistry
{
    /** Slot value when the slot is free. */
    public static final long FREE = -1;
    /** Value bit of a snapshot that is reading: the writer honours its pin whatever its age. */
    static final long BUSY = 1L << 62;
    /** How much longer than a reader the writer waits before it judges a snapshot expired. */
    static final long EXPIRY_GRACE_NANOS = 1_000_000;
    private static final long SEQ_MASK = BUSY - 1;
    private static final int STRIDE = 8;
    private static final int CLAIM_TIME = 1;
    /** Long 2 of a slot: how many reads its owners have ended in it (see {@link #startGrace()}). */
    private static final int ENDED = 2;

    private final AtomicLongArray slots;
    private final int capacity;
    private final long maxAgeNanos;
    private final long ignoreAfterNanos;
    private final LongSupplier clock;
    private final long[] pins;
    private volatile long horizon;
    private int pinCount;
    private long minActivePin = Long.MAX_VALUE;
    private long minReadingPin = Long.MAX_VALUE;
    private final int[] graceSlots;
    private final long[] graceEnded;
    private int graceCount;

    /** Slots whose snapshots never expire, on {@link System#nanoTime()}. @param capacity number of slots. */
    public ReaderRegistry(final int capacity)
    {
        this(capacity, Long.MAX_VALUE, System::nanoTime);
    }

    /**
     * @param capacity    number of slots.
     * @param maxAgeNanos how long a snapshot's pin is honoured while it is not reading ({@code Long.MAX_VALUE}:
     *                    always).
     * @param clock       monotonic nanosecond clock that snapshots stamp their claims with and that ages are measured
     *                    on.
     */
    public ReaderRegistry(final int capacity, final long maxAgeNanos, final LongSupplier clock)
    {
        if (capacity <= 0 || maxAgeNanos <= 0)
        {
            throw new IllegalArgumentException("capacity=" + capacity + " maxAgeNanos=" + maxAgeNanos);
        }
        this.capacity = capacity;
        this.maxAgeNanos = maxAgeNanos;
        this.ignoreAfterNanos = maxAgeNanos > Long.MAX_VALUE - EXPIRY_GRACE_NANOS ? Long.MAX_VALUE
            : maxAgeNanos + EXPIRY_GRACE_NANOS;
        this.clock = clock;
        this.slots = new AtomicLongArray(capacity * STRIDE);
        this.pins = new long[capacity];
        this.graceSlots = new int[capacity];
        this.graceEnded = new long[capacity];
        for (int i = 0; i < capacity; i++)
        {
            slots.set(i * STRIDE, FREE);
        }
    }

    /** @return the lowest seq a new reader may pin. */
    public long horizon()
    {
        return horizon;
    }

    /** @return the number of slots. */
    public int capacity()
    {
        return capacity;
    }

    /** @return the clock claim times and ages are measured on. */
    public LongSupplier clock()
    {
        return clock;
    }

    /** @return the age past which an idle snapshot's pin lapses ({@code Long.MAX_VALUE}: never). */
    public long maxAgeNanos()
    {
        return maxAgeNanos;
    }

    /**
     * Claims a slot holding {@code seq}, as a one-shot read: honoured until {@link #release}, whatever its age.
     *
     * @return the slot index, or -1 when every slot is taken.
     */
    public int claim(final long seq)
    {
        if (seq < 0 || seq > SEQ_MASK)
        {
            throw new IllegalArgumentException("seq=" + seq);
        }
        final int start = (int)Long.remainderUnsigned(Thread.currentThread().getId() * 0x9E3779B97F4A7C15L, capacity);
        for (int n = 0; n < capacity; n++)
        {
            int i = start + n;
            if (i >= capacity)
            {
                i -= capacity;
            }
            final int index = i * STRIDE;
            if (slots.get(index) == FREE && slots.compareAndSet(index, FREE, seq))
            {
                return i;
            }
        }
        return -1;
    }

    /** Moves a claimed, not busy slot to another seq. */
    public void repin(final int slot, final long seq)
    {
        slots.set(slot * STRIDE, seq);
    }

    /** @return the seq a claimed slot is pinned at. */
    public long pinned(final int slot)
    {
        return slots.get(slot * STRIDE) & SEQ_MASK;
    }

    /** Releases a claimed slot: the claim time is zeroed before the value is freed (see the class comment, ABA). */
    public void release(final int slot)
    {
        if (slots.get(slot * STRIDE + CLAIM_TIME) != 0) // a one-shot read never wrote it: spare the hot path a store
        {
            slots.set(slot * STRIDE + CLAIM_TIME, 0);
        }
        countEnded(slot);
        slots.set(slot * STRIDE, FREE);
    }

    /** Owner, before it frees or idles its slot: a read that was under way in it has ended (see {@link #startGrace}). */
    private void countEnded(final int slot)
    {
        final int index = slot * STRIDE + ENDED;
        slots.lazySet(index, slots.get(index) + 1); // only the owner writes it; a plain store on x86
    }

    /**
     * A reader whose own slot already holds {@code seq} (claimed, fenced) and found {@code seq} below the horizon:
     * whether a snapshot in another slot holds {@code seq} and is honoured, so that the writer keeps the newest version
     * at or below it. Only a stamped slot counts (a snapshot stamps its claim time after its claim was validated; a
     * one-shot claim that is about to give up is never stamped), and an idle one only while its age is within the
     * maximum (the writer drops it only past the maximum plus {@link #EXPIRY_GRACE_NANOS}, on an earlier clock
     * reading). Sound because that snapshot's pin was in every scan since its validation, and every scan after this
     * reader's claim sees the reader's own slot: the seq's versions are kept throughout.
     */
    boolean heldBySnapshot(final long seq, final int exceptSlot)
    {
        for (int i = 0; i < capacity; i++)
        {
            if (i == exceptSlot)
            {
                continue;
            }
            final long value = slots.get(i * STRIDE);
            if (value == FREE || (value & SEQ_MASK) != seq)
            {
                continue;
            }
            final long claimed = slots.get(i * STRIDE + CLAIM_TIME); // after the value, as the writer loads them
            if (claimed == 0)
            {
                continue;
            }
            if ((value & BUSY) != 0 || clock.getAsLong() - claimed <= maxAgeNanos)
            {
                return true;
            }
        }
        return false;
    }

    /** Owner: makes a claimed slot a snapshot's, expirable once idle for longer than the maximum age. */
    void stamp(final int slot, final long claimNanos)
    {
        slots.set(slot * STRIDE + CLAIM_TIME, claimNanos);
    }

    /** Owner: marks the snapshot in {@code slot} as reading; the CAS is the full fence the expiry check relies on. */
    void beginRead(final int slot, final long seq)
    {
        if (!slots.compareAndSet(slot * STRIDE, seq, seq | BUSY))
        {
            throw new IllegalStateException("slot=" + slot + " is not pinned idle at seq=" + seq);
        }
    }

    /** Owner: the snapshot in {@code slot} has finished reading. */
    void endRead(final int slot, final long seq)
    {
        countEnded(slot);
        slots.set(slot * STRIDE, seq);
    }

    /**
     * Writer only: begins a grace period, after the unlinks it is to cover. It notes every slot that may be walking the
     * store now (a one-shot read, a busy snapshot, a snapshot not yet stamped) with the slot's count of ended reads;
     * {@link #graceOver()} reports when each of those reads has ended. A read that starts later claims its slot or
     * marks it busy with a CAS (a full fence) after this scan's full fence, so it sees the unlinks and cannot reach
     * what they unlinked (the argument of the class comment). Unlike the seq rule of {@link #minReadingPin()}, this
     * needs no new commit: readers that keep pinning the same visible head, back to back, end a grace period with
     * their first read that ends.
     */
    void startGrace()
    {
        VarHandle.fullFence();
        int n = 0;
        for (int i = 0; i < capacity; i++)
        {
            final long v = slots.get(i * STRIDE);
            if (v != FREE && ((v & BUSY) != 0 || slots.get(i * STRIDE + CLAIM_TIME) == 0))
            {
                graceSlots[n] = i;
                graceEnded[n] = slots.get(i * STRIDE + ENDED); // after the value: a count that moved on is the later one
                n++;
            }
        }
        graceCount = n;
    }

    /**
     * Writer only: whether every read noted by the last {@link #startGrace()} has ended: its slot was freed, or idles
     * as a stamped snapshot, or counted an ended read since (its owner counts before it frees or idles the slot, and
     * only the owner of the read noted can end it, so a count that moved means that read ended).
     */
    boolean graceOver()
    {
        int n = 0;
        for (int k = 0; k < graceCount; k++)
        {
            final int i = graceSlots[k];
            final long v = slots.get(i * STRIDE);
            final boolean ended = v == FREE
                || slots.get(i * STRIDE + ENDED) != graceEnded[k]
                || ((v & BUSY) == 0 && slots.get(i * STRIDE + CLAIM_TIME) != 0);
            if (!ended)
            {
                graceSlots[n] = i;
                graceEnded[n] = graceEnded[k];
                n++;
            }
        }
        graceCount = n;
        return n == 0;
    }

    /**
     * Writer only: raises the horizon to {@code candidate} (never lowers it), then scans the slots, collecting the
     * {@linkplain #pins() pins below the horizon}. Allocates nothing.
     *
     * @return the effective horizon: the minimum of the horizon and every honoured pin; no reader reads below it.
     */
    public long advance(final long candidate)
    {
        if (candidate > horizon)
        {
            horizon = candidate;
        }
        final long h = horizon;
        VarHandle.fullFence();
        long now = 0;
        boolean clockRead = false;
        long minPin = Long.MAX_VALUE;
        long minReading = Long.MAX_VALUE;
        int n = 0;
        for (int i = 0; i < capacity; i++)
        {
            final long v = slots.get(i * STRIDE);
            if (v == FREE)
            {
                continue;
            }
            final long seq = v & SEQ_MASK;
            boolean reading = (v & BUSY) != 0;
            if (!reading)
            {
                final long claimed = slots.get(i * STRIDE + CLAIM_TIME);
                if (claimed == 0)
                {
                    reading = true; // a one-shot read, or a snapshot between its claim and its stamp
                }
                else
                {
                    if (!clockRead)
                    {
                        // The clock is read only when a snapshot holds a slot (it costs more than the whole scan of an
                        // idle registry), but before any slot load an expiry decision rests on: this slot again, and
                        // every later one (see the class comment, expiry).
                        now = clock.getAsLong();
                        clockRead = true;
                        VarHandle.fullFence();
                        i--;
                        continue;
                    }
                    if (now - claimed > ignoreAfterNanos)
                    {
                        continue; // an idle snapshot past its age: its next read fails, so it needs nothing
                    }
                }
            }
            if (reading && seq < minReading)
            {
                minReading = seq;
            }
            if (seq < minPin)
            {
                minPin = seq;
            }
            if (seq < h)
            {
                n = insertPin(seq, n);
            }
        }
        pinCount = n;
        minActivePin = minPin;
        minReadingPin = minReading;
        return Math.min(h, minPin);
    }

    /** Inserts into the descending, duplicate-free pin list of length {@code n}; @return its new length. */
    private int insertPin(final long seq, final int n)
    {
        int i = 0;
        while (i < n && pins[i] > seq)
        {
            i++;
        }
        if (i < n && pins[i] == seq)
        {
            return n;
        }
        System.arraycopy(pins, i, pins, i + 1, n - i);
        pins[i] = seq;
        return n + 1;
    }

    /** Writer: the distinct honoured pins below the horizon seen by the last {@link #advance}, newest first. */
    long[] pins()
    {
        return pins;
    }

    /** Writer: the length of {@link #pins()}. */
    int pinCount()
    {
        return pinCount;
    }

    /** @return the smallest honoured pin seen by the last {@link #advance}, or Long.MAX_VALUE when none was active. */
    public long minActivePin()
    {
        return minActivePin;
    }

    /**
     * @return the smallest pin of a slot that may be walking the store (a one-shot read or a busy snapshot) seen by
     *         the last {@link #advance}, or Long.MAX_VALUE; memory unlinked at a visible head below it can be freed.
     */
    public long minReadingPin()
    {
        return minReadingPin;
    }

    /** @return the number of slots currently claimed (for metrics and leak checks). */
    public int activeCount()
    {
        int n = 0;
        for (int i = 0; i < capacity; i++)
        {
            if (slots.get(i * STRIDE) != FREE)
            {
                n++;
            }
        }
        return n;
    }

    /** @return the number of claimed slots that may be walking the store: one-shot reads and busy snapshots. */
    public int readingCount()
    {
        int n = 0;
        for (int i = 0; i < capacity; i++)
        {
            final long v = slots.get(i * STRIDE);
            if (v != FREE && ((v & BUSY) != 0 || slots.get(i * STRIDE + CLAIM_TIME) == 0))
            {
                n++;
            }
        }
        return n;
    }

    /**
     * Any thread: a racy but consistent-enough scan for metrics.
     *
     * @return counts and ages of the pins held right now.
     */
    ReaderStats stats()
    {
        final long now = clock.getAsLong();
        int snapshots = 0;
        int reads = 0;
        int expired = 0;
        long oldestAge = 0;
        long oldestSeq = -1;
        for (int i = 0; i < capacity; i++)
        {
            final long v = slots.get(i * STRIDE);
            if (v == FREE)
            {
                continue;
            }
            final long claimed = slots.get(i * STRIDE + CLAIM_TIME);
            if (claimed == 0)
            {
                reads++;
            }
            else
            {
                snapshots++;
                final long age = Math.max(0, now - claimed);
                oldestAge = Math.max(oldestAge, age);
                if (age > maxAgeNanos)
                {
                    expired++;
                }
            }
            final long seq = v & SEQ_MASK;
            if (oldestSeq < 0 || seq < oldestSeq)
            {
                oldestSeq = seq;
            }
        }
        return new ReaderStats(snapshots, reads, expired, oldestAge, oldestSeq);
    }
}
