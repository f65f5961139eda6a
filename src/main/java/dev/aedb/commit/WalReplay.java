package dev.aedb.commit;

import dev.aedb.codec.ByteReader;
import dev.aedb.codec.ByteWriter;
import dev.aedb.codec.DecodeException;
import dev.aedb.codec.EnvelopeCodec;
import dev.aedb.codec.FrameDescriptor;
import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.RecoveryMode;
import dev.aedb.store.Store;
import dev.aedb.wal.WalReader;
import dev.aedb.wal.WalRebuild;
import dev.aedb.wal.WalState;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Recovery at open: reads the WAL with {@link WalReader} (aedb's own reader, not Chronicle's tailer), checks every
 * frame (CRC32C, dense commit seqs 1, 2, 3, ...) and replays it through the same {@link EnvelopeApplier} as live
 * commits, then checks the log against aedb's own record of it, the {@link WalState}: the last acknowledged frame
 * it names must be read, where it says, with its CRC. So a log whose Chronicle headers were damaged, that was
 * truncated, deleted, emptied or replaced is never opened short or empty.
 * <p>
 * Damage is anything that is not a clean end: a bad frame, a structural problem in a file, an acknowledged frame
 * missing. Then:
 * <ul>
 *   <li>a valid commit after the damage (found by reading on, or by a raw scan of the rest of the log) means a hole,
 *   not a torn tail: refused with WAL_CORRUPT in both modes;</li>
 *   <li>STRICT refuses with WAL_CORRUPT, naming file and byte position, and changes no file;</li>
 *   <li>PERMISSIVE drops the damaged tail: the readable prefix is rebuilt into a fresh WAL ending in a drop record
 *   ({@link WalRebuild}; the damaged WAL is kept beside it), and the report lists what was dropped. It refuses when
 *   nothing of the file holding the acknowledged tail is readable, rather than open a database short by a whole
 *   file, or empty.</li>
 * </ul>
 * A frame that passes its checks but does not apply is REPLAY_DIVERGENCE in both modes: the engine never guesses.
 */
final class WalReplay
{
    private static final int RECLAIM_EVERY = 1024;
    static final String WAL_DIRECTORY = "wal";

    /**
     * What recovery found and did.
     *
     * @param lastSeq  the recovered head.
     * @param replayed commit frames replayed.
     * @param end      where the log (as it now is) ends, for the appender.
     * @param last     the log's last frame, for the {@link WalState}.
     * @param dropped  what permissive recovery dropped, and drops recorded by earlier recoveries.
     * @param notes    anything else recovery did or found (state file recreated, metadata set aside, ...).
     * @param rewriteState whether the state file must be written anew (it was missing or damaged, or the WAL was rebuilt).
     * @param syncedFile   the cycle file of the last frame known synced (null = unknown): files from it on are synced
     *                     before the log's end becomes the synced state.
     */
    record Outcome(long lastSeq, long replayed, WalReader.End end, WalState.Mark last, List<String> dropped, List<String> notes,
        boolean rewriteState, String syncedFile)
    {
    }

    /**
     * Where replay starts: after commit {@code seq}, which a checkpoint restored, reading the cycle files from
     * {@code fromCycle} on (every commit up to {@code seq} lies in earlier ones).
     */
    record Start(long seq, int fromCycle)
    {
        static final Start BEGINNING = new Start(0, 0);
    }

    private final Path dataDirectory;
    private final Start start;
    private final Path walDirectory;
    private final EnvelopeApplier applier;
    private final IdempotencyIndex idempotency;
    private final Store store;
    private final RecoveryMode mode;
    private final CRC32C crc = new CRC32C();
    private final ByteReader reader = new ByteReader();
    private final List<long[]> badIndexes = new ArrayList<>();
    private final List<String> badDescriptions = new ArrayList<>();
    private final Set<Long> dropped = new HashSet<>();
    private final List<String> droppedDescriptions = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private WalState.Mark binding = WalState.Mark.NONE;
    private String bindingPath;
    private String bindingProblem;
    private boolean bindingReached;
    /** The binding mark when the checkpoint replay starts from already holds its commit, else null. */
    private WalState.Mark coveredBinding;
    private boolean bindingSuperseded;
    private String firstBadFile;
    private long firstBadPosition;
    private String lastFile;
    private long lastPosition;
    private int lastLength;
    private int lastCrc;
    private long lastSeq;
    private long replayed;
    private long framesInLastFile;
    private long validAfterDamage;
    private String currentFile;

    WalReplay(final Path dataDirectory, final EnvelopeApplier applier, final IdempotencyIndex idempotency, final Store store,
        final RecoveryMode mode)
    {
        this(dataDirectory, applier, idempotency, store, mode, Start.BEGINNING);
    }

    WalReplay(final Path dataDirectory, final EnvelopeApplier applier, final IdempotencyIndex idempotency, final Store store,
        final RecoveryMode mode, final Start start)
    {
        this.start = start;
        this.lastSeq = start.seq();
        this.dataDirectory = dataDirectory;
        this.walDirectory = dataDirectory.resolve(WAL_DIRECTORY);
        this.applier = applier;
        this.idempotency = idempotency;
        this.store = store;
        this.mode = mode;
    }

    Outcome run()
    {
        final String resumed = WalRebuild.resumeInterrupted(dataDirectory, WAL_DIRECTORY);
        if (resumed != null)
        {
            notes.add(resumed);
        }
        final WalReader wal = new WalReader(walDirectory, start.fromCycle());
        final WalState.Loaded state = WalState.load(dataDirectory);
        final String unfinished = wal.unfinishedNewestCycle();
        if (unfinished != null && !(state.status() == WalState.Status.VALID && unfinished.equals(state.binding().file())))
        {
            notes.add(setAsideUnfinished(unfinished));
        }
        final boolean hasCycles = !new WalReader(walDirectory).cycleFiles().isEmpty();
        final boolean rewriteState = state.status() != WalState.Status.VALID;
        if (state.status() == WalState.Status.MISSING && hasCycles)
        {
            refuseIfStrict(WalState.FILE_NAME + " is missing from " + dataDirectory + " although the WAL " + walDirectory
                + " holds cycle files " + wal.cycleFiles().values() + ": the data directory was made by an older aedb or the file was "
                + "deleted, so the log's completeness cannot be checked; open once with RecoveryMode.PERMISSIVE to check the WAL "
                + "on its own and recreate the file");
            notes.add(WalState.FILE_NAME + " was missing; recreated from the WAL, whose tail could not be checked against it");
        }
        else if (state.status() == WalState.Status.DAMAGED)
        {
            refuseIfStrict(state.problem() + "; open with RecoveryMode.PERMISSIVE to check the WAL on its own and recreate it");
            notes.add(state.problem() + "; recreated from the WAL, whose tail could not be checked against it");
        }
        final String metadataProblem = wal.metadataProblem();
        if (metadataProblem != null)
        {
            refuseIfStrict("Chronicle's queue metadata is damaged: " + metadataProblem
                + " (it holds locks and the roll cycle, not log data; RecoveryMode.PERMISSIVE sets it aside and lets Chronicle "
                + "recreate it)");
        }
        binding = state.status() == WalState.Status.VALID ? state.binding() : WalState.Mark.NONE;
        if (!binding.isNone() && binding.commitSeq() <= start.seq())
        {
            // Acknowledged up to a commit the checkpoint holds: nothing the log must still show (its file may be gone).
            bindingReached = true;
            coveredBinding = binding;
        }
        else if (!binding.isNone())
        {
            bindingPath = walDirectory.resolve(binding.file()).toString();
            if (!hasCycles)
            {
                throw corrupt("the WAL " + walDirectory + " is missing or holds no cycle file, but " + WalState.FILE_NAME
                    + " records acknowledged " + binding + "; refusing to open the database empty");
            }
            // Read straight from the file, for the message: whether the log reaches it is decided by reading the log,
            // which may also show a drop record that supersedes it.
            bindingProblem = wal.checkFrameAt(binding.file(), binding.position(), binding.length(), binding.crc());
        }
        final WalReader.End end = read(wal);
        final boolean acknowledgedMissing = !binding.isNone() && !bindingReached && !bindingSuperseded;
        if (badIndexes.isEmpty() && end.kind() != WalReader.EndKind.DAMAGED && !acknowledgedMissing)
        {
            if (metadataProblem != null)
            {
                notes.add("Chronicle's queue metadata was damaged (" + metadataProblem + "); moved aside to "
                    + WalRebuild.setAsideMetadata(walDirectory) + ", Chronicle recreates it");
            }
            return new Outcome(lastSeq, replayed, end, lastMark(), List.copyOf(droppedDescriptions), List.copyOf(notes),
                rewriteState || bindingSuperseded, state.synced().file());
        }
        final String damage = describeDamage(end);
        final String holeFile = firstBadFile != null ? firstBadFile : end.file();
        final long holePosition = firstBadFile != null ? firstBadPosition : end.position();
        // A hole, not a torn tail, if a valid commit lies after the damage where acknowledged commits could be: up to
        // the last acknowledged frame when it is known and was not reached, anywhere when nothing says what was.
        if (holeFile != null && (acknowledgedMissing || state.status() != WalState.Status.VALID))
        {
            final WalReader.Found hidden = wal.findFrame(holeFile, holePosition, acknowledgedMissing ? binding.file() : null,
                binding.position() + binding.length(), (frame, length) ->
                FrameDescriptor.type(frame) == FrameDescriptor.TYPE_COMMIT && FrameDescriptor.seq(frame) > lastSeq);
            if (hidden != null)
            {
                throw corrupt(damage + "; a valid frame follows it at " + walDirectory.resolve(hidden.file()) + " position "
                    + hidden.position() + ": corruption inside the log, not a torn tail (the log cannot be opened in either mode)");
            }
        }
        refuseIfStrict(damage + " (a torn tail: PERMISSIVE recovery would drop it and report what it dropped)");
        if (lastSeq == start.seq() && !(state.status() == WalState.Status.VALID && (binding.isNone() || coveredBinding != null)))
        {
            // Empty is right only when nothing was ever acknowledged (a torn first commit).
            throw corrupt(damage + "; no commit before it is readable: refusing to open the damaged WAL as an empty database");
        }
        if (acknowledgedMissing && (framesInLastFile == 0 || !binding.file().equals(end.file())))
        {
            throw corrupt(damage + "; nothing of " + bindingPath + ", which holds the acknowledged tail, is readable: this is not a "
                + "torn tail, refusing to open the database short of that whole file");
        }
        return rebuild(wal, damage);
    }

    /**
     * The process ended while Chronicle was creating the newest cycle file (a checkpoint rolls to a new one): its store
     * header was never completed, so it holds no frame, and nothing acknowledged names it. It is moved aside (kept, never
     * read) so Chronicle creates it anew, and the report says so.
     */
    private String setAsideUnfinished(final String name)
    {
        final String aside = name + ".unfinished-" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
        try
        {
            java.nio.file.Files.move(walDirectory.resolve(name), walDirectory.resolve(aside));
            try (java.nio.channels.FileChannel d = java.nio.channels.FileChannel.open(walDirectory, java.nio.file.StandardOpenOption.READ))
            {
                d.force(true);
            }
        }
        catch (final java.io.IOException ex)
        {
            throw new AedbException(ErrorCode.IO_ERROR, "cannot move aside the unfinished cycle file " + walDirectory.resolve(name)
                + ": " + ex.getMessage(), ex);
        }
        return "the newest WAL cycle file " + name + " was being created when the process ended (its Chronicle header is "
            + "incomplete, it holds no frame); moved aside to " + aside;
    }

    private WalReader.End read(final WalReader wal)
    {
        try
        {
            return wal.read(this::onFrame);
        }
        catch (final AedbException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            throw new AedbException(ErrorCode.WAL_CORRUPT, "the WAL cannot be read: " + ex, ex);
        }
    }

    private String describeDamage(final WalReader.End end)
    {
        final StringBuilder s = new StringBuilder();
        if (!badIndexes.isEmpty())
        {
            s.append("bad WAL frame at ").append(badDescriptions.get(0));
            if (badIndexes.size() > 1)
            {
                s.append(" (and ").append(badIndexes.size() - 1).append(" more bad frame(s) after it)");
            }
            if (validAfterDamage > 0)
            {
                s.append(" (followed by ").append(validAfterDamage).append(" valid, unacknowledged frame(s))");
            }
        }
        else if (end.kind() == WalReader.EndKind.DAMAGED)
        {
            s.append("damaged WAL at ").append(walDirectory.resolve(end.file())).append(" position ").append(end.position())
                .append(": ").append(end.problem());
        }
        else
        {
            s.append("the WAL ends at ").append(end.file() == null ? walDirectory.toString() : walDirectory.resolve(end.file()) + " position "
                + end.position());
        }
        if (!binding.isNone() && !bindingReached && !bindingSuperseded) // acknowledged frames are missing
        {
            s.append(", after commit ").append(lastSeq).append(", but ").append(WalState.FILE_NAME).append(" records acknowledged ")
                .append(binding);
            if (bindingProblem != null)
            {
                s.append(", and ").append(bindingProblem);
            }
        }
        return s.toString();
    }

    private Outcome rebuild(final WalReader wal, final String damage)
    {
        final long firstDropped = lastSeq + 1;
        final long lastDropped = binding.isNone() || binding.commitSeq() <= lastSeq ? 0 : binding.commitSeq();
        final long frames = badIndexes.size() + validAfterDamage;
        final String text = "dropped " + (frames == 0 ? "the damaged tail" : frames + " frame(s)") + " (commits " + firstDropped + ".."
            + (lastDropped == 0 ? "?" : Long.toString(lastDropped)) + "): " + damage;
        final byte[] record = dropRecord(firstDropped, lastDropped, text);
        final int recordLength = record.length;
        final long keepUpTo = lastSeq;
        final WalRebuild.Result result = WalRebuild.rebuild(dataDirectory, WAL_DIRECTORY, wal, (frame, length) ->
            FrameDescriptor.check(frame, frame.byteArray(), length, crc) == null
                && (FrameDescriptor.type(frame) == FrameDescriptor.TYPE_DROP_RECORD
                    || FrameDescriptor.type(frame) == FrameDescriptor.TYPE_COMMIT && FrameDescriptor.seq(frame) <= keepUpTo),
            record, recordLength, start.fromCycle());
        if (badDescriptions.isEmpty())
        {
            droppedDescriptions.add(damage);
        }
        else
        {
            droppedDescriptions.addAll(badDescriptions);
        }
        notes.add("permissive recovery " + text + "; the WAL was rebuilt from the readable prefix and the damaged one kept as "
            + result.preservedAs());
        // Read the rebuilt log back, for where it ends and its last frame (the drop record); nothing is applied again.
        final WalState.Mark[] mark = {WalState.Mark.NONE};
        final WalReader rebuilt = new WalReader(walDirectory, start.fromCycle());
        final WalReader.End end = rebuilt.read((frame, length, index, file, position) ->
            mark[0] = new WalState.Mark(keepUpTo, Path.of(file).getFileName().toString(), position, length,
                frame.getInt(length - FrameDescriptor.TRAILER_LENGTH, ByteOrder.LITTLE_ENDIAN)));
        if (end.kind() != WalReader.EndKind.CLEAN || mark[0].crc() != crcOf(record, recordLength))
        {
            throw new AedbException(ErrorCode.IO_ERROR, "the rebuilt WAL " + walDirectory + " does not read back as written ("
                + end + ")");
        }
        return new Outcome(lastSeq, replayed, end, mark[0], List.copyOf(droppedDescriptions), List.copyOf(notes), true, null);
    }

    private byte[] dropRecord(final long firstDropped, final long lastDropped, final String text)
    {
        final byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        final ByteWriter w = new ByteWriter(FrameDescriptor.HEADER_LENGTH + 40 + utf8.length);
        w.position(FrameDescriptor.HEADER_LENGTH);
        w.putLong(firstDropped);
        w.putLong(lastDropped);
        w.putLong(binding.commitSeq());
        w.putInt(binding.crc());
        w.putSizedBytes(utf8);
        final int payload = w.position() - FrameDescriptor.HEADER_LENGTH;
        w.putInt(0);
        final byte[] frame = w.toByteArray();
        FrameDescriptor.seal(new UnsafeBuffer(frame), frame, FrameDescriptor.TYPE_DROP_RECORD, 0, System.currentTimeMillis() * 1000,
            payload, crc);
        return frame;
    }

    private static int crcOf(final byte[] frame, final int length)
    {
        return new UnsafeBuffer(frame).getInt(length - FrameDescriptor.TRAILER_LENGTH, ByteOrder.LITTLE_ENDIAN);
    }

    private WalState.Mark lastMark()
    {
        if (lastFile == null)
        {
            return coveredBinding != null ? coveredBinding : WalState.Mark.NONE;
        }
        return new WalState.Mark(lastSeq, lastFile, lastPosition, lastLength, lastCrc);
    }

    private void refuseIfStrict(final String problem)
    {
        if (mode == RecoveryMode.STRICT)
        {
            throw corrupt(problem);
        }
    }

    private static AedbException corrupt(final String message)
    {
        return new AedbException(ErrorCode.WAL_CORRUPT, message);
    }

    private void onFrame(final UnsafeBuffer frame, final int length, final long index, final String file, final long position)
    {
        if (!file.equals(currentFile))
        {
            currentFile = file;
            framesInLastFile = 0;
        }
        final String problem = FrameDescriptor.check(frame, frame.byteArray(), length, crc);
        final String where = file + " position " + position + " (WAL index 0x" + Long.toHexString(index) + ")";
        if (problem != null)
        {
            if (dropped.contains(index))
            {
                return;
            }
            if (badIndexes.isEmpty())
            {
                firstBadFile = Path.of(file).getFileName().toString();
                firstBadPosition = position;
            }
            badIndexes.add(new long[]{index});
            badDescriptions.add(where + ": " + problem);
            return;
        }
        if (!badIndexes.isEmpty() && bindingReached)
        {
            // After every acknowledged frame: an in-flight batch torn out of order (a power loss), part of the torn tail.
            validAfterDamage++;
            return;
        }
        final int type = FrameDescriptor.type(frame);
        if (type == FrameDescriptor.TYPE_DROP_MARKER)
        {
            dropMarker(frame, where);
        }
        else if (type == FrameDescriptor.TYPE_DROP_RECORD)
        {
            dropRecord(frame, where);
        }
        else
        {
            if (!badIndexes.isEmpty())
            {
                throw corrupt("bad WAL frame at " + badDescriptions.get(0) + ", followed by a valid commit at " + where
                    + ": corruption inside the log, not a torn tail");
            }
            replay(frame, where);
        }
        framesInLastFile++;
        lastFile = Path.of(file).getFileName().toString();
        lastPosition = position;
        lastLength = length;
        lastCrc = frame.getInt(length - FrameDescriptor.TRAILER_LENGTH, ByteOrder.LITTLE_ENDIAN);
        if (bindingPath != null && position == binding.position() && file.equals(bindingPath) && lastCrc == binding.crc())
        {
            if (lastSeq != binding.commitSeq())
            {
                throw corrupt("the frame at " + where + " ends commit " + lastSeq + " but " + WalState.FILE_NAME + " records it as "
                    + binding + ": the state file belongs to another log");
            }
            bindingReached = true;
        }
    }

    /** A drop marker of earlier versions: the bad frames it names stay in the log before it. */
    private void dropMarker(final UnsafeBuffer frame, final String where)
    {
        reader.wrap(frame, FrameDescriptor.HEADER_LENGTH, FrameDescriptor.payloadLength(frame));
        final int n = reader.getInt();
        for (int i = 0; i < n; i++)
        {
            dropped.add(reader.getLong());
        }
        for (final long[] bad : badIndexes)
        {
            if (!dropped.contains(bad[0]))
            {
                throw corrupt("bad WAL frame not covered by the drop marker at " + where);
            }
        }
        droppedDescriptions.add("earlier recovery dropped " + n + " torn frame(s), marker at " + where);
        badIndexes.clear();
        badDescriptions.clear();
        firstBadFile = null;
    }

    /** The drop record that ends a WAL rebuilt by permissive recovery. */
    private void dropRecord(final UnsafeBuffer frame, final String where)
    {
        if (!badIndexes.isEmpty())
        {
            throw corrupt("bad WAL frame at " + badDescriptions.get(0) + ", followed by a drop record at " + where);
        }
        reader.wrap(frame, FrameDescriptor.HEADER_LENGTH, FrameDescriptor.payloadLength(frame));
        final long firstDropped = reader.getLong();
        reader.getLong();
        final long supersededSeq = reader.getLong();
        final int supersededCrc = reader.getInt();
        final byte[] text;
        try
        {
            text = reader.getSizedBytes();
        }
        catch (final DecodeException ex)
        {
            throw corrupt("the drop record at " + where + " does not decode: " + ex.getMessage());
        }
        if (firstDropped != lastSeq + 1)
        {
            throw corrupt("the drop record at " + where + " starts at commit " + firstDropped + " but the log before it ends at "
                + lastSeq);
        }
        if (!binding.isNone() && supersededSeq == binding.commitSeq() && supersededCrc == binding.crc())
        {
            bindingSuperseded = true; // the rebuild's swap completed but the new state file was not written yet
        }
        droppedDescriptions.add("earlier recovery " + new String(text, StandardCharsets.UTF_8) + " (record at " + where + ")");
    }

    private void replay(final UnsafeBuffer frame, final String where)
    {
        final long seq = FrameDescriptor.seq(frame);
        if (seq != lastSeq + 1)
        {
            throw corrupt("commit seq " + seq + " at " + where + " does not follow " + lastSeq);
        }
        final EnvelopeCodec.Decoded decoded;
        try
        {
            reader.wrap(frame, FrameDescriptor.HEADER_LENGTH, FrameDescriptor.payloadLength(frame));
            decoded = EnvelopeCodec.decode(reader);
        }
        catch (final DecodeException | IllegalArgumentException ex)
        {
            throw new AedbException(ErrorCode.WAL_CORRUPT, "commit " + seq + " at " + where + " does not decode: " + ex.getMessage(), ex);
        }
        try
        {
            applier.apply(decoded.envelope(), seq);
        }
        catch (final AedbException ex)
        {
            if (ex.code() == ErrorCode.CHECKPOINT_CORRUPT)
            {
                // the commit touched a block of the checkpoint that fails its CRC: damage, not a divergence
                throw new AedbException(ex.code(), "replaying commit " + seq + " at " + where + ": " + ex.getMessage()
                    + " (AedbConfig.verifyCheckpointOnOpen with RecoveryMode.PERMISSIVE falls back to the previous checkpoint)", ex);
            }
            throw new AedbException(ErrorCode.REPLAY_DIVERGENCE, "commit " + seq + " at " + where
                + " was accepted live but fails on replay: " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            // A typed rejection or a defect: either way this frame, accepted live, does not apply now.
            throw new AedbException(ErrorCode.REPLAY_DIVERGENCE, "commit " + seq + " at " + where
                + " was accepted live but fails on replay: " + (ex instanceof AedbException ? ex.getMessage() : ex.toString()), ex);
        }
        if (decoded.envelope().idempotencyKey() != null)
        {
            final String caller = decoded.envelope().caller() == null ? null : decoded.envelope().caller().callerId();
            idempotency.record(caller, decoded.envelope().idempotencyKey(), decoded.fingerprint(), seq, store.effectiveHorizon());
        }
        lastSeq = seq;
        replayed++;
        store.publishVisible(seq);
        if (replayed % RECLAIM_EVERY == 0)
        {
            applier.pruneCatalogHistory(store.reclaim());
            store.sweep(RECLAIM_EVERY);
        }
    }
}
