package dev.aedb.store;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Reader slots: each active read or open snapshot pins the commit seq it reads at in one slot, so the writer
 * never reclaims a version or a node such a reader can reach.
 * <p>
 * Protocol (Dekker-style, all accesses sequentially consistent): a reader claims a slot with a CAS that stores
 * its seq, then reads the {@linkplain #horizon() horizon}; if its seq is below the horizon it retries with a newer
 * seq (latest reads) or gives up (reads at an old seq). The writer raises the horizon first, then scans the slots;
 * either it sees the reader's seq or the reader sees the new horizon. Versions older than what the effective
 * horizon needs are unlinked; unlinked memory is freed only when every active pin is above the visible head at
 * the time it was unlinked (or no reader is active), so a reader that still holds a pointer never sees reuse.
 */
public final class ReaderRegistry
{
    /** Slot value when the slot is free. */
    public static final long FREE = -1;
    private static final int STRIDE = 8;

    private final AtomicLongArray slots;
    private final int capacity;
    private volatile long horizon;
    private long minActivePin = Long.MAX_VALUE;

    /** @param capacity number of slots. */
    public ReaderRegistry(final int capacity)
    {
        this.capacity = capacity;
        this.slots = new AtomicLongArray(capacity * STRIDE);
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

    /**
     * Claims a slot holding {@code seq}.
     *
     * @return the slot index, or -1 when every slot is taken.
     */
    public int claim(final long seq)
    {
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

    /** Moves a claimed slot to another seq. */
    public void repin(final int slot, final long seq)
    {
        slots.set(slot * STRIDE, seq);
    }

    /** @return the seq a claimed slot is pinned at. */
    public long pinned(final int slot)
    {
        return slots.get(slot * STRIDE);
    }

    /** Releases a claimed slot. */
    public void release(final int slot)
    {
        slots.set(slot * STRIDE, FREE);
    }

    /**
     * Writer only: raises the horizon to {@code candidate} (never lowers it), then scans the slots.
     *
     * @return the effective horizon: no reader can read below it, so for each key the newest version at or below
     *         it and everything newer must be kept, and anything older may be unlinked.
     */
    public long advance(final long candidate)
    {
        if (candidate > horizon)
        {
            horizon = candidate;
        }
        long effective = horizon;
        long minPin = Long.MAX_VALUE;
        for (int i = 0; i < capacity; i++)
        {
            final long v = slots.get(i * STRIDE);
            if (v != FREE && v < minPin)
            {
                minPin = v;
            }
        }
        minActivePin = minPin;
        return Math.min(effective, minPin);
    }

    /** @return the smallest pinned seq seen by the last {@link #advance}, or Long.MAX_VALUE when none was active. */
    public long minActivePin()
    {
        return minActivePin;
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
}
