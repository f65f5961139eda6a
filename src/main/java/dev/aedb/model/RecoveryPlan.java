package dev.aedb.model;

import java.util.List;

/**
 * What opening a data directory would do, worked out without changing anything ({@code aedb recover --dry-run}):
 * which checkpoint it starts from, which WAL files it reads and which commits it replays, what it verifies, and what
 * it found wrong (with what STRICT and PERMISSIVE do about it).
 *
 * @param directory      the data directory.
 * @param mode           the recovery mode the plan is for.
 * @param checkpointSeq  the seq of the checkpoint the open starts from, 0 when none.
 * @param checkpointFile that checkpoint's image file, or null.
 * @param walFiles       the WAL cycle files replay reads, in order.
 * @param firstReplaySeq the first commit replay applies (checkpointSeq + 1).
 * @param lastReadSeq    the last commit the WAL reads back as valid (checkpointSeq when there is none after it).
 * @param steps          the plan, step by step.
 * @param problems       what is wrong and what each mode does about it; empty when the open would succeed as is.
 */
public record RecoveryPlan(String directory, RecoveryMode mode, long checkpointSeq, String checkpointFile, List<String> walFiles,
    long firstReplaySeq, long lastReadSeq, List<String> steps, List<String> problems)
{
    /** Copies the lists. */
    public RecoveryPlan
    {
        walFiles = List.copyOf(walFiles);
        steps = List.copyOf(steps);
        problems = List.copyOf(problems);
    }

    /** @return the plan as text, one line per step and problem, for people. */
    public String describe()
    {
        final StringBuilder s = new StringBuilder();
        s.append("recovery plan for ").append(directory).append(" (").append(mode).append(")\n");
        int n = 1;
        for (final String step : steps)
        {
            s.append("  ").append(n++).append(". ").append(step).append('\n');
        }
        if (problems.isEmpty())
        {
            s.append("  no problem found: the open would restore ")
                .append(checkpointSeq == 0 ? "nothing from a checkpoint" : "checkpoint seq " + checkpointSeq)
                .append(" and replay commits ").append(firstReplaySeq).append("..").append(lastReadSeq)
                .append(lastReadSeq < firstReplaySeq ? " (none)" : "").append('\n');
        }
        else
        {
            for (final String p : problems)
            {
                s.append("  PROBLEM: ").append(p).append('\n');
            }
        }
        return s.toString();
    }
}
