package dev.aedb.checkpoint;

import org.junit.jupiter.api.Test;

import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pacer on a clock of its own: sleeps advance it, so what it waits for is exact and nothing really sleeps. */
class CheckpointPacerTest
{
    private static final long MS = 1_000_000L;
    private static final int PIECE = 256 << 10;
    private static final long RATE = PIECE * 1000L; // one piece a millisecond

    private long now = 1_000 * MS;
    private long lastSync = Long.MIN_VALUE / 2;
    private final List<Long> sleeps = new ArrayList<>();

    private CheckpointPacer pacer(final long rate)
    {
        return new CheckpointPacer(() -> lastSync, rate, () -> now, nanos ->
        {
            sleeps.add(nanos);
            now += nanos;
        });
    }

    @Test
    void shouldWriteAtTheRateWhileSyncsAreRecent() throws InterruptedIOException
    {
        final CheckpointPacer pacer = pacer(RATE);
        final long start = now;
        lastSync = now;
        for (int i = 0; i < 5; i++)
        {
            pacer.beforeWrite(PIECE);
            lastSync = now; // durable commits go on syncing
        }
        assertEquals(List.of(MS, MS, MS, MS), sleeps, "the first piece at once, then one a millisecond");
        assertEquals(start + 4 * MS, now);
    }

    @Test
    void shouldCountTheTimeTheWritesTookAgainstTheWait() throws InterruptedIOException
    {
        final CheckpointPacer pacer = pacer(RATE);
        lastSync = now;
        pacer.beforeWrite(PIECE);
        now += MS / 4; // the write itself took a quarter of the interval
        lastSync = now;
        pacer.beforeWrite(PIECE);
        now += 2 * MS; // a slow write: the next piece is already due
        lastSync = now;
        pacer.beforeWrite(PIECE);
        assertEquals(List.of(3 * MS / 4), sleeps);
    }

    @Test
    void shouldNotWaitWithoutARecentSync() throws InterruptedIOException
    {
        final CheckpointPacer pacer = pacer(RATE);
        for (int i = 0; i < 100; i++)
        {
            pacer.beforeWrite(PIECE); // no sync ever
        }
        lastSync = now - CheckpointPacer.RECENT_NANOS - 1;
        for (int i = 0; i < 100; i++)
        {
            pacer.beforeWrite(PIECE); // the last sync too long ago
        }
        assertEquals(List.of(), sleeps);
    }

    @Test
    void shouldNeverWaitWhenTheRateIsZero() throws InterruptedIOException
    {
        final CheckpointPacer pacer = pacer(0);
        lastSync = now;
        for (int i = 0; i < 100; i++)
        {
            pacer.beforeWrite(PIECE);
        }
        assertEquals(List.of(), sleeps);
    }

    @Test
    void shouldStartAfreshWhenSyncsResumeWithNoDebtCarriedOver() throws InterruptedIOException
    {
        final CheckpointPacer pacer = pacer(RATE);
        lastSync = now;
        for (int i = 0; i < 3; i++)
        {
            pacer.beforeWrite(PIECE);
        }
        assertEquals(2, sleeps.size());
        now += 20 * MS; // syncs stopped: the image ran at full speed meanwhile
        for (int i = 0; i < 50; i++)
        {
            pacer.beforeWrite(PIECE);
        }
        assertEquals(2, sleeps.size(), "no waits while no sync is recent");
        lastSync = now; // syncs again: paced from here, not charged for the 50 pieces written unpaced
        pacer.beforeWrite(PIECE);
        pacer.beforeWrite(PIECE);
        assertEquals(List.of(MS, MS, MS), sleeps);
    }

    @Test
    void shouldReportAnInterruptWhileWaiting()
    {
        final CheckpointPacer pacer = new CheckpointPacer(() -> now, RATE, () -> now, nanos ->
        {
            throw new InterruptedIOException("interrupted");
        });
        assertThrows(InterruptedIOException.class, () ->
        {
            pacer.beforeWrite(PIECE);
            pacer.beforeWrite(PIECE);
        });
        assertTrue(sleeps.isEmpty());
    }
}
