package dev.aedb.model;

import java.util.List;

/**
 * What recovery did at open.
 *
 * @param replayedFrames commit frames replayed.
 * @param lastSeq        the recovered head sequence.
 * @param droppedFrames  what {@link RecoveryMode#PERMISSIVE} recovery dropped at this open (file, byte position,
 *                       reason), and the drops earlier recoveries recorded in the WAL.
 * @param notes          anything else recovery did or found: a state file recreated, Chronicle metadata set aside,
 *                       the WAL rebuilt and where the damaged one was kept, an interrupted recovery completed.
 */
public record RecoveryReport(long replayedFrames, long lastSeq, List<String> droppedFrames, List<String> notes)
{
}
