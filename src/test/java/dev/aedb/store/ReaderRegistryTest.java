package dev.aedb.store;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReaderRegistryTest
{
    @Test
    void shouldClaimDistinctSlotsFromManyThreadsAndReportTheLowestPin() throws Exception
    {
        final ReaderRegistry registry = new ReaderRegistry(7);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();
        final int[] slots = new int[7];
        for (int t = 0; t < 7; t++)
        {
            final int index = t;
            threads.add(new Thread(() ->
            {
                try
                {
                    slots[index] = registry.claim(100 + index);
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (final Thread t : threads)
        {
            t.join();
        }
        assertNull(failure.get());
        assertEquals(7, java.util.Arrays.stream(slots).distinct().filter(s -> s >= 0).count());
        assertEquals(-1, registry.claim(5), "no free slot left");
        assertEquals(100, registry.advance(1_000));
        assertEquals(100, registry.minActivePin());
        registry.release(slots[0]);
        assertEquals(101, registry.advance(1_000));
        for (int i = 1; i < 7; i++)
        {
            registry.release(slots[i]);
        }
        assertEquals(1_000, registry.advance(1_000));
        assertEquals(Long.MAX_VALUE, registry.minActivePin());
        assertTrue(registry.horizon() == 1_000 && registry.advance(10) == 1_000, "the horizon never moves back");
    }

    private static final long MAX_AGE = 10_000_000;
    private static final long PAST_WRITER_LIMIT = MAX_AGE + ReaderRegistry.EXPIRY_GRACE_NANOS + 1;

    private final AtomicLong clock = new AtomicLong(1_000);

    private long[] pins(final ReaderRegistry registry)
    {
        return java.util.Arrays.copyOf(registry.pins(), registry.pinCount());
    }

    @Test
    void shouldListTheDistinctPinsBelowTheHorizonNewestFirstWhenScanning()
    {
        final ReaderRegistry registry = new ReaderRegistry(8);
        for (final long seq : new long[]{40, 10, 70, 40, 95, 10, 100})
        {
            registry.claim(seq);
        }
        assertEquals(10, registry.advance(90));
        assertArrayEquals(new long[]{70, 40, 10}, pins(registry), "pins at or above the horizon are covered by it");
        assertEquals(10, registry.minActivePin());
        assertEquals(10, registry.minReadingPin(), "one-shot reads may be walking the store");
    }

    @Test
    void shouldStopHonouringAnIdleSnapshotPastItsAgeButHonourOneThatIsReading()
    {
        final ReaderRegistry registry = new ReaderRegistry(4, MAX_AGE, clock::get);
        final int idleSlot = registry.claim(5);
        final PinnedSlot idle = new PinnedSlot(registry, idleSlot, 5);
        final int busySlot = registry.claim(7);
        final PinnedSlot busy = new PinnedSlot(registry, busySlot, 7);
        assertEquals(5, registry.advance(50));
        assertEquals(Long.MAX_VALUE, registry.minReadingPin(), "idle snapshots walk nothing: memory can be freed");
        assertEquals(PinnedSlot.Admission.READ, busy.enter());
        assertEquals(5, registry.advance(50));
        assertEquals(7, registry.minReadingPin(), "a reading snapshot holds back freeing");

        clock.addAndGet(MAX_AGE + 1);
        assertEquals(5, registry.advance(50), "within the grace the writer still honours the pin");
        clock.addAndGet(ReaderRegistry.EXPIRY_GRACE_NANOS);
        assertEquals(7, registry.advance(50), "the idle expired pin is ignored, the reading one is not, whatever its age");
        assertArrayEquals(new long[]{7}, pins(registry));
        busy.leave();
        assertEquals(50, registry.advance(50), "once the read is over the expired pin is ignored too");
        assertEquals(PinnedSlot.Admission.EXPIRED, idle.enter(), "a read after the writer ignored the pin must fail");
        assertTrue(idle.released());
        assertEquals(PinnedSlot.Admission.EXPIRED, busy.enter());
        assertEquals(0, registry.activeCount(), "both expired snapshots gave their slots back");
    }

    @Test
    void shouldNotJudgeAReusedSlotByItsPreviousOwnersAge()
    {
        final ReaderRegistry registry = new ReaderRegistry(1, MAX_AGE, clock::get);
        final int slot = registry.claim(3);
        final PinnedSlot old = new PinnedSlot(registry, slot, 3);
        clock.addAndGet(PAST_WRITER_LIMIT);
        old.run();
        assertEquals(slot, registry.claim(3), "the same slot, at the same seq");
        assertEquals(3, registry.advance(20), "a one-shot read in a reused slot is honoured: the old claim time was zeroed");
        clock.addAndGet(PAST_WRITER_LIMIT);
        assertEquals(3, registry.advance(20), "and one-shot reads never expire");
        assertEquals(1, registry.readingCount());
    }

    @Test
    void shouldReleaseASlotClosedDuringAReadOnlyWhenTheReadLeaves()
    {
        final ReaderRegistry registry = new ReaderRegistry(2, MAX_AGE, clock::get);
        final int slot = registry.claim(9);
        final PinnedSlot pin = new PinnedSlot(registry, slot, 9);
        assertEquals(PinnedSlot.Admission.READ, pin.enter());
        assertEquals(PinnedSlot.Admission.READ, pin.enter(), "reads from two threads may overlap");
        pin.run();
        pin.leave();
        assertFalse(pin.released(), "one read is still in flight");
        assertEquals(9, registry.advance(30));
        pin.leave();
        assertTrue(pin.released());
        assertEquals(30, registry.advance(30));
        assertEquals(PinnedSlot.Admission.RELEASED, pin.enter());
        pin.run();
        assertEquals(0, registry.activeCount(), "run() is idempotent");
    }

    @Test
    void shouldRefuseToMarkASlotBusyThatIsNotPinnedAtTheSeq()
    {
        final ReaderRegistry registry = new ReaderRegistry(1, MAX_AGE, clock::get);
        final int slot = registry.claim(4);
        assertThrows(IllegalStateException.class, () -> registry.beginRead(slot, 5));
        assertThrows(IllegalArgumentException.class, () -> registry.claim(-2));
    }

    @Test
    void shouldReportSnapshotsReadsAndTheOldestAge()
    {
        final ReaderRegistry registry = new ReaderRegistry(4, MAX_AGE, clock::get);
        new PinnedSlot(registry, registry.claim(12), 12);
        clock.addAndGet(MAX_AGE + 5);
        new PinnedSlot(registry, registry.claim(15), 15);
        registry.claim(11);
        final ReaderStats stats = registry.stats();
        assertEquals(new ReaderStats(2, 1, 1, MAX_AGE + 5, 11), stats);
    }

    @Test
    void shouldEndAGracePeriodWhenEveryReadUnderWayAtItsStartHasEndedWhateverTheSeqs()
    {
        final ReaderRegistry registry = new ReaderRegistry(4, MAX_AGE, clock::get);
        final int oneShot = registry.claim(8);
        final PinnedSlot idle = new PinnedSlot(registry, registry.claim(8), 8);
        final PinnedSlot busy = new PinnedSlot(registry, registry.claim(8), 8);
        assertEquals(PinnedSlot.Admission.READ, busy.enter());
        registry.startGrace();
        assertFalse(registry.graceOver(), "a one-shot read and a busy snapshot were under way");
        final int later = registry.claim(8); // starts after the grace period: it sees the unlinks, so it does not count
        busy.leave();
        assertFalse(registry.graceOver(), "the one-shot read is still under way");
        registry.release(oneShot);
        assertEquals(oneShot, registry.claim(8), "the same thread takes the same slot again, at the same seq");
        assertTrue(registry.graceOver(), "the read noted ended, though its slot holds the same seq again");
        assertEquals(PinnedSlot.Admission.READ, idle.enter());
        assertEquals(PinnedSlot.Admission.READ, busy.enter());
        registry.startGrace();
        assertFalse(registry.graceOver());
        idle.leave();
        busy.leave();
        assertFalse(registry.graceOver(), "two one-shot reads are left");
        registry.release(later);
        registry.release(oneShot);
        assertTrue(registry.graceOver());
        registry.startGrace();
        assertTrue(registry.graceOver(), "idle snapshots walk nothing: a grace period with no read ends at once");
    }
}
