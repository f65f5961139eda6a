package dev.aedb.agent;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The wake-up protocol over Agrona's {@code BackoffIdleStrategy}: the flag is up exactly when the backoff parks, so a
 * {@code wake()} ends a park that would otherwise last an hour; no park while the condition reports work; a
 * condition's deadline bounds the park. Parks here are an hour long, so a missed wake-up shows as a timeout.
 */
class WakeableIdleStrategyTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long HOUR_NANOS = 3_600_000_000_000L;
    private static final long SPINS = 10;
    private static final long YIELDS = 2;
    /** Per the BackoffIdleStrategy state machine: one call to start spinning, SPINS, YIELDS, one to start parking. */
    private static final int FIRST_PARKING_CALL = (int)(SPINS + YIELDS + 3);

    private static final class TestCondition implements WakeableIdleStrategy.Condition
    {
        final AtomicBoolean work = new AtomicBoolean();
        volatile long limitNanos = Long.MAX_VALUE;
        final AtomicInteger asked = new AtomicInteger();

        @Override
        public boolean hasWork()
        {
            asked.incrementAndGet();
            return work.get();
        }

        @Override
        public long parkLimitNanos()
        {
            return limitNanos;
        }
    }

    @Test
    void shouldRaiseTheFlagAtTheFirstParkSoThatWakeEndsIt() throws Exception
    {
        final TestCondition condition = new TestCondition();
        final WakeableIdleStrategy idle = new WakeableIdleStrategy(SPINS, YIELDS, HOUR_NANOS, HOUR_NANOS, condition);
        final Thread agent = new Thread(() ->
        {
            for (int i = 0; i < FIRST_PARKING_CALL; i++)
            {
                idle.idle(0);
            }
        }, "idler");
        assertTimeoutPreemptively(TIMEOUT, () ->
        {
            agent.start();
            while (!idle.isParked())
            {
                Thread.onSpinWait();
            }
            idle.wake();
            agent.join();
        }, "the park was not woken: the flag is not up when the backoff parks");
        assertEquals(1, condition.asked.get(), "asked once, on the one call that parks");
        assertFalse(idle.isParked());
    }

    @Test
    void shouldNotParkWhileTheConditionReportsWork()
    {
        final TestCondition condition = new TestCondition();
        condition.work.set(true);
        final WakeableIdleStrategy idle = new WakeableIdleStrategy(SPINS, YIELDS, HOUR_NANOS, HOUR_NANOS, condition);
        assertTimeoutPreemptively(TIMEOUT, () ->
        {
            for (int i = 0; i < 1_000; i++)
            {
                idle.idle(0);
            }
        });
        assertEquals(1_000 - FIRST_PARKING_CALL + 1, condition.asked.get());
    }

    @Test
    void shouldParkNoLongerThanTheConditionsLimit()
    {
        final TestCondition condition = new TestCondition();
        condition.limitNanos = 1_000_000;
        final WakeableIdleStrategy idle = new WakeableIdleStrategy(SPINS, YIELDS, HOUR_NANOS, HOUR_NANOS, condition);
        assertTimeoutPreemptively(TIMEOUT, () ->
        {
            for (int i = 0; i < FIRST_PARKING_CALL + 5; i++)
            {
                idle.idle(0);
            }
        });
    }

    @Test
    void shouldStartOverAfterWork()
    {
        final TestCondition condition = new TestCondition();
        condition.work.set(true);
        final WakeableIdleStrategy idle = new WakeableIdleStrategy(SPINS, YIELDS, HOUR_NANOS, HOUR_NANOS, condition);
        for (int round = 0; round < 3; round++)
        {
            for (int i = 1; i < FIRST_PARKING_CALL; i++)
            {
                idle.idle(0);
            }
            idle.idle(1);
        }
        assertEquals(0, condition.asked.get(), "work resets the backoff: it never reached a park");
    }

    @Test
    void shouldRefuseBadBounds()
    {
        final TestCondition condition = new TestCondition();
        assertThrows(IllegalArgumentException.class, () -> new WakeableIdleStrategy(-1, 0, 1, 1, condition));
        assertThrows(IllegalArgumentException.class, () -> new WakeableIdleStrategy(0, 0, 0, 1, condition));
        assertThrows(IllegalArgumentException.class, () -> new WakeableIdleStrategy(0, 0, 2, 1, condition));
    }
}
