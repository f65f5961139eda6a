package dev.aedb.commit;

import dev.aedb.AedbException;
import dev.aedb.ErrorCode;
import dev.aedb.RecoveryMode;
import dev.aedb.RecoveryReport;
import dev.aedb.codec.ByteReader;
import dev.aedb.codec.ByteWriter;
import dev.aedb.codec.DecodeException;
import dev.aedb.codec.EnvelopeCodec;
import dev.aedb.codec.FrameDescriptor;
import dev.aedb.store.Store;
import dev.aedb.wal.ChronicleWal;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Recovery at open: replays every WAL frame in order through the same {@link EnvelopeApplier} as live commits,
 * checking each frame's CRC32C and that commit seqs are dense (1, 2, 3, ...).
 * <ul>
 *   <li>STRICT: any bad frame refuses the open with WAL_CORRUPT naming the file and position, unless a drop
 *   marker written by an earlier permissive recovery names it.</li>
 *   <li>PERMISSIVE: bad frames with no valid commit after them (a torn tail) are dropped: a drop-marker frame
 *   naming their WAL indexes is appended so later opens skip them knowingly, and the report lists them. A bad
 *   frame followed by a valid commit still refuses the open.</li>
 * </ul>
 * A frame that passes its checks but does not apply is REPLAY_DIVERGENCE in both modes: the engine never guesses.
 */
final class WalReplay
{
    private static final int RECLAIM_EVERY = 1024;

    private final ChronicleWal wal;
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
    private long lastSeq;
    private long replayed;

    WalReplay(final ChronicleWal wal, final EnvelopeApplier applier, final IdempotencyIndex idempotency, final Store store,
        final RecoveryMode mode)
    {
        this.wal = wal;
        this.applier = applier;
        this.idempotency = idempotency;
        this.store = store;
        this.mode = mode;
    }

    RecoveryReport run()
    {
        try
        {
            wal.replay(this::onFrame);
        }
        catch (final AedbException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            throw new AedbException(ErrorCode.WAL_CORRUPT, "the WAL cannot be read: " + ex, ex);
        }
        if (!badIndexes.isEmpty() && mode == RecoveryMode.STRICT)
        {
            throw new AedbException(ErrorCode.WAL_CORRUPT, "bad WAL frame at " + badDescriptions.get(0)
                + " (a torn tail: PERMISSIVE recovery would drop " + badIndexes.size() + " frame(s) and report them)");
        }
        if (!badIndexes.isEmpty())
        {
            // PERMISSIVE: a torn tail with no valid commit after it
            final ByteWriter w = new ByteWriter(64);
            w.position(FrameDescriptor.HEADER_LENGTH);
            w.putInt(badIndexes.size());
            for (final long[] index : badIndexes)
            {
                w.putLong(index[0]);
            }
            final int payload = w.position() - FrameDescriptor.HEADER_LENGTH;
            w.putInt(0);
            final byte[] frame = w.toByteArray();
            final int length = FrameDescriptor.seal(new UnsafeBuffer(frame), frame, FrameDescriptor.TYPE_DROP_MARKER, 0,
                System.currentTimeMillis() * 1000, payload, crc);
            wal.append(frame, length);
            try
            {
                wal.sync();
            }
            catch (final Exception ex)
            {
                throw new AedbException(ErrorCode.IO_ERROR, "cannot sync the drop marker: " + ex, ex);
            }
            wal.handOverAppender();
            droppedDescriptions.addAll(badDescriptions);
        }
        return new RecoveryReport(replayed, lastSeq, List.copyOf(droppedDescriptions));
    }

    private void onFrame(final UnsafeBuffer frame, final int length, final long index, final String file, final long position)
    {
        final String problem = FrameDescriptor.check(frame, frame.byteArray(), length, crc);
        final String where = file + " position " + position + " (WAL index 0x" + Long.toHexString(index) + ")";
        if (problem != null)
        {
            if (dropped.contains(index))
            {
                return;
            }
            badIndexes.add(new long[]{index});
            badDescriptions.add(where + ": " + problem);
            return;
        }
        if (FrameDescriptor.type(frame) == FrameDescriptor.TYPE_DROP_MARKER)
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
                    throw new AedbException(ErrorCode.WAL_CORRUPT, "bad WAL frame not covered by the drop marker at " + where);
                }
            }
            droppedDescriptions.add("earlier recovery dropped " + n + " torn frame(s), marker at " + where);
            badIndexes.clear();
            badDescriptions.clear();
            return;
        }
        if (!badIndexes.isEmpty())
        {
            throw new AedbException(ErrorCode.WAL_CORRUPT, "bad WAL frame at " + badDescriptions.get(0)
                + ", followed by a valid commit at " + where + ": corruption inside the log, not a torn tail");
        }
        final long seq = FrameDescriptor.seq(frame);
        if (seq != lastSeq + 1)
        {
            throw new AedbException(ErrorCode.WAL_CORRUPT, "commit seq " + seq + " at " + where + " does not follow " + lastSeq);
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
            throw new AedbException(ErrorCode.REPLAY_DIVERGENCE, "commit " + seq + " at " + where
                + " was accepted live but fails on replay: " + ex.getMessage(), ex);
        }
        if (decoded.envelope().idempotencyKey() != null)
        {
            final String caller = decoded.envelope().caller() == null ? null : decoded.envelope().caller().callerId();
            idempotency.record(caller, decoded.envelope().idempotencyKey(), decoded.fingerprint(), seq);
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
