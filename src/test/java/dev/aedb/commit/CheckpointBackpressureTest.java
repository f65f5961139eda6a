package dev.aedb.commit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rule by which a checkpoint still being written holds commits back ({@code CommitEngine.holdsBack}): at the
 * trigger, except that the WAL may grow past it by {@code checkpointWalImagePercent} of what the checkpoint has
 * written beyond the newest image's size (the trigger follows the image being written), so a checkpoint of a growing
 * store that writes faster than commits write WAL does not stop them, and one that falls behind does. The bound this
 * keeps on the WAL under endless commits is checked end to end by {@code CheckpointTriggerTest}.
 */
class CheckpointBackpressureTest
{
    private static final long MIB = 1L << 20;
    private static final long TRIGGER = 200 * MIB;
    private static final long NEWEST = 200 * MIB;

    @Test
    void shouldHoldCommitsBackAtTheTriggerWhileTheImageIsNoLargerThanTheNewest()
    {
        assertFalse(CommitEngine.holdsBack(TRIGGER - 1, TRIGGER, 0, NEWEST, 100));
        assertTrue(CommitEngine.holdsBack(TRIGGER, TRIGGER, 0, NEWEST, 100), "nothing written yet");
        assertTrue(CommitEngine.holdsBack(TRIGGER, TRIGGER, NEWEST, NEWEST, 100), "an image the size of the newest");
    }

    @Test
    void shouldLetTheWalPassTheTriggerByWhatTheImageGrewBeyondTheNewest()
    {
        final long written = NEWEST + 300 * MIB;
        assertFalse(CommitEngine.holdsBack(TRIGGER + 300 * MIB - 1, TRIGGER, written, NEWEST, 100));
        assertTrue(CommitEngine.holdsBack(TRIGGER + 300 * MIB, TRIGGER, written, NEWEST, 100), "fallen behind");
        assertFalse(CommitEngine.holdsBack(TRIGGER + 300 * MIB, TRIGGER, written, NEWEST, 200), "200 % doubles it");
        assertTrue(CommitEngine.holdsBack(TRIGGER + 150 * MIB, TRIGGER, written, NEWEST, 50));
    }

    @Test
    void shouldGiveNoSlackWithTheFixedTrigger()
    {
        assertTrue(CommitEngine.holdsBack(TRIGGER, TRIGGER, 5 * NEWEST, NEWEST, 0));
    }

    @Test
    void shouldCountTheWholeImageAsGrowthBeforeTheFirstCheckpoint()
    {
        assertFalse(CommitEngine.holdsBack(TRIGGER + 10 * MIB, TRIGGER, 20 * MIB, 0, 100));
        assertTrue(CommitEngine.holdsBack(TRIGGER + 20 * MIB, TRIGGER, 20 * MIB, 0, 100));
    }

    @Test
    void shouldNotOverflowOnHugeProgressOrPercent()
    {
        assertFalse(CommitEngine.holdsBack(Long.MAX_VALUE / 4, TRIGGER, Long.MAX_VALUE / 1000, NEWEST, 10_000));
        assertFalse(CommitEngine.holdsBack(TRIGGER * 2, TRIGGER, 1L << 40, NEWEST, 10_000));
    }
}
