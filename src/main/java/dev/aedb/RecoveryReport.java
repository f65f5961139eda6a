package dev.aedb;

import java.util.List;

/**
 * What recovery did at open.
 *
 * @param replayedFrames commit frames replayed.
 * @param lastSeq        the recovered head sequence.
 * @param droppedFrames  descriptions of torn-tail frames dropped in {@link RecoveryMode#PERMISSIVE} mode (file, position, reason).
 */
public record RecoveryReport(long replayedFrames, long lastSeq, List<String> droppedFrames)
{
}
