package dev.aedb.commit;

import dev.aedb.checkpoint.CheckpointRecovery;
import dev.aedb.codec.FrameDescriptor;
import dev.aedb.model.AedbException;
import dev.aedb.model.RecoveryMode;
import dev.aedb.model.RecoveryPlan;
import dev.aedb.wal.WalReader;
import dev.aedb.wal.WalState;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Works out a {@link RecoveryPlan} without changing anything: the checkpoint recovery would start from (its checks,
 * as {@link CheckpointRecovery#load}), then a read-only pass over the WAL from the checkpoint's first cycle that checks
 * what replay checks before applying anything (each frame's CRC32C and type, dense seqs from the checkpoint on, the
 * acknowledged frame {@code wal.state} names). It applies nothing, so it cannot see a frame that decodes but does not
 * apply (REPLAY_DIVERGENCE): the real open can.
 */
public final class RecoveryPlanner
{
    private RecoveryPlanner()
    {
    }

    /**
     * @param verifyAll whether the open verifies every checkpoint block (then the plan does too).
     * @return the plan; a refusal the open would meet is a problem in it, not an exception.
     */
    public static RecoveryPlan plan(final Path dataDirectory, final RecoveryMode mode, final boolean verifyAll)
    {
        final List<String> steps = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        CheckpointRecovery.Loaded loaded;
        try
        {
            loaded = CheckpointRecovery.load(dataDirectory, mode, verifyAll);
            steps.addAll(loaded.plan());
            for (final String note : loaded.notes())
            {
                problems.add(note + " (" + mode + " goes on)");
            }
        }
        catch (final AedbException ex)
        {
            problems.add(ex.code().code() + ": " + ex.getMessage() + " -> the open is refused in " + mode);
            return new RecoveryPlan(dataDirectory.toString(), mode, 0, null, List.of(), 1, 0, steps, problems);
        }
        final long start = loaded.seq();
        final Path walDirectory = dataDirectory.resolve(WalReplay.WAL_DIRECTORY);
        final WalReader wal = new WalReader(walDirectory, loaded.fromCycle());
        final List<String> files = new ArrayList<>(wal.cycleFiles().values());
        final WalState.Loaded state = WalState.load(dataDirectory);
        final WalState.Mark binding = state.status() == WalState.Status.VALID ? state.binding() : WalState.Mark.NONE;
        steps.add("read " + (files.isEmpty() ? "no WAL file" : "WAL files " + files) + " in " + walDirectory
            + ": every frame's CRC32C and type, commit seqs dense from " + (start + 1));
        if (state.status() != WalState.Status.VALID)
        {
            problems.add(WalState.FILE_NAME + " is " + state.status() + (state.problem() == null ? "" : " (" + state.problem() + ")")
                + ": STRICT refuses; PERMISSIVE checks the WAL on its own and writes a new one");
        }
        else if (binding.isNone() || binding.commitSeq() <= start)
        {
            steps.add("nothing acknowledged after the checkpoint needs to be found (" + WalState.FILE_NAME + " records "
                + (binding.isNone() ? "no frame" : "commit " + binding.commitSeq()) + ")");
        }
        else
        {
            steps.add("reach the last acknowledged frame " + WalState.FILE_NAME + " records: commit " + binding.commitSeq() + " in "
                + binding.file() + " at position " + binding.position());
        }
        final long[] last = {start};
        final String[] damage = {null};
        final boolean[] reached = {binding.isNone() || binding.commitSeq() <= start};
        final CRC32C crc = new CRC32C();
        final WalReader.End end = wal.read((frame, length, index, file, position) ->
        {
            if (damage[0] != null)
            {
                return;
            }
            final String problem = FrameDescriptor.check(frame, frame.byteArray(), length, crc);
            final String where = Path.of(file).getFileName() + " position " + position;
            if (problem != null)
            {
                damage[0] = "bad frame at " + where + ": " + problem;
                return;
            }
            if (FrameDescriptor.type(frame) == FrameDescriptor.TYPE_COMMIT)
            {
                final long seq = FrameDescriptor.seq(frame);
                if (seq != last[0] + 1)
                {
                    damage[0] = "commit seq " + seq + " at " + where + " does not follow " + last[0]
                        + (last[0] == start && start > 0 ? " (the checkpoint's seq: a WAL file after it is missing)" : "");
                    return;
                }
                last[0] = seq;
                if (!binding.isNone() && seq == binding.commitSeq() && position == binding.position())
                {
                    reached[0] = true;
                }
            }
        });
        if (end.kind() == WalReader.EndKind.DAMAGED && damage[0] == null)
        {
            damage[0] = "damaged WAL at " + end.file() + " position " + end.position() + ": " + end.problem();
        }
        if (damage[0] != null && !binding.isNone() && binding.commitSeq() > last[0])
        {
            problems.add(damage[0] + " -> both modes refuse (WAL_CORRUPT): acknowledged commit " + binding.commitSeq()
                + " lies at or after the damage, so this is not a torn tail");
        }
        else if (damage[0] != null)
        {
            problems.add(damage[0] + " -> STRICT refuses (WAL_CORRUPT); PERMISSIVE keeps commits up to " + last[0]
                + " if nothing valid follows the damage (a torn tail), else refuses too");
        }
        else if (!reached[0])
        {
            problems.add("the WAL ends at commit " + last[0] + " but commit " + binding.commitSeq() + " was acknowledged -> both modes "
                + "refuse (WAL_CORRUPT): acknowledged commits are missing");
        }
        steps.add("replay commits " + (start + 1) + ".." + last[0] + (last[0] == start ? " (none)" : "")
            + " through the same applier as live commits; then sync the WAL and record its end in " + WalState.FILE_NAME);
        return new RecoveryPlan(dataDirectory.toString(), mode, start, loaded.file() == null ? null : loaded.file().toString(),
            files, start + 1, last[0], steps, problems);
    }
}
