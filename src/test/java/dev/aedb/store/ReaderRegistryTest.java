package dev.aedb.store;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
}
