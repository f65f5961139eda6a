package dev.aedb.wal;

import dev.aedb.codec.FrameDescriptor;
import dev.aedb.io.IoFaults;
import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * aedb's own WAL reader against Chronicle's: the same excerpts at the same positions with the same indexes, across
 * Chronicle's index arrays (one per 1,048,576 excerpts); the placement check of appends across them; the state
 * file's slots and boot rule.
 */
class WalReaderTest
{
    private static final int FRAMES = 1_100_000;

    @TempDir
    Path dir;

    private static byte[] frame(final long seq)
    {
        final byte[] f = new byte[FrameDescriptor.HEADER_LENGTH + 8 + FrameDescriptor.TRAILER_LENGTH];
        final UnsafeBuffer b = new UnsafeBuffer(f);
        b.putLong(FrameDescriptor.HEADER_LENGTH, seq * 31, ByteOrder.LITTLE_ENDIAN);
        FrameDescriptor.seal(b, f, FrameDescriptor.TYPE_COMMIT, seq, 0, 8, new CRC32C());
        return f;
    }

    @Test
    void shouldReadWhatChronicleReadsAndCheckEveryAppendAcrossIndexArrays()
    {
        WalState.write(dir, WalState.Mark.NONE, WalState.Mark.NONE);
        final Path walDir = dir.resolve("wal");
        final WalReader.End empty = new WalReader(walDir).read((f, l, i, file, p) -> { });
        assertEquals(WalReader.EndKind.EMPTY, empty.kind());
        try (ChronicleWal wal = new ChronicleWal(walDir, 0, IoFaults.NONE, WalState.open(dir), empty, WalState.Mark.NONE))
        {
            for (long seq = 1; seq <= FRAMES; seq++)
            {
                final byte[] f = frame(seq);
                wal.append(f, f.length);
            }
        }
        final long[] indexes = new long[FRAMES];
        final long[] positions = new long[FRAMES];
        final int[] n = {0};
        final WalReader.End end = new WalReader(walDir).read((f, length, index, file, position) ->
        {
            assertEquals(n[0] + 1, FrameDescriptor.seq(f));
            assertEquals(null, FrameDescriptor.check(f, f.byteArray(), length, new CRC32C()));
            indexes[n[0]] = index;
            positions[n[0]] = position;
            n[0]++;
        });
        assertEquals(FRAMES, n[0]);
        assertEquals(WalReader.EndKind.CLEAN, end.kind());
        assertEquals(indexes[FRAMES - 1], end.lastIndex());
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(walDir.toFile()).rollCycle(RollCycles.FAST_DAILY)
            .readOnly(true).build();
            ExcerptTailer tailer = queue.createTailer())
        {
            for (int i = 0; i < FRAMES; i++)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    assertTrue(dc.isPresent(), "Chronicle ends early at " + i);
                    assertEquals(indexes[i], dc.index(), "index of excerpt " + i);
                    assertEquals(positions[i], dc.wire().bytes().readPosition(), "position of excerpt " + i);
                }
            }
            try (DocumentContext dc = tailer.readingDocument())
            {
                assertFalse(dc.isPresent(), "Chronicle reads past aedb's end");
            }
        }
    }

    /**
     * The WAL's blocks are written (reserved) ahead of the appends either way; they are fdatasync'ed only when asked
     * (FULL and BATCH), and the frames read back the same.
     */
    @Test
    void shouldPreallocateAheadAndSyncThePreallocationOnlyWhenAsked() throws Exception
    {
        for (final boolean sync : new boolean[] {true, false})
        {
            final Path base = dir.resolve("sync-" + sync);
            Files.createDirectories(base);
            WalState.write(base, WalState.Mark.NONE, WalState.Mark.NONE);
            final Path walDir = base.resolve("wal");
            final int frames = 3000;
            final byte[] big = new byte[FrameDescriptor.HEADER_LENGTH + 1000 + FrameDescriptor.TRAILER_LENGTH];
            final long syncs;
            try (ChronicleWal wal = new ChronicleWal(walDir, 0, IoFaults.NONE, WalState.open(base),
                new WalReader(walDir).read((f, l, i, file, p) -> { }), WalState.Mark.NONE).syncPreallocation(sync))
            {
                for (long seq = 1; seq <= frames; seq++) // ~3 MB: several preallocation chunks
                {
                    FrameDescriptor.seal(new UnsafeBuffer(big), big, FrameDescriptor.TYPE_COMMIT, seq, 0, 1000, new CRC32C());
                    wal.preallocate(big.length);
                    wal.append(big, big.length);
                }
                syncs = wal.preallocationSyncs;
            }
            if (sync)
            {
                assertTrue(syncs >= 2, "preallocation syncs: " + syncs);
            }
            else
            {
                assertEquals(0, syncs);
            }
            final int[] n = {0};
            final WalReader.End end = new WalReader(walDir).read((f, length, index, file, position) ->
            {
                assertEquals(n[0] + 1, FrameDescriptor.seq(f));
                assertEquals(null, FrameDescriptor.check(f, f.byteArray(), length, new CRC32C()));
                n[0]++;
            });
            assertEquals(frames, n[0]);
            assertEquals(WalReader.EndKind.CLEAN, end.kind());
        }
    }

    /**
     * An interrupt of the appending thread during a pre-allocation closes its channel: that commit is refused with
     * IO_ERROR (not DISK_FULL), and the next pre-allocation opens a fresh channel instead of failing forever.
     */
    @Test
    void shouldRefuseOnlyTheCommitWhosePreallocationWasInterrupted() throws Exception
    {
        WalState.write(dir, WalState.Mark.NONE, WalState.Mark.NONE);
        final Path walDir = dir.resolve("wal");
        try (ChronicleWal wal = new ChronicleWal(walDir, 0, IoFaults.NONE, WalState.open(dir),
            new WalReader(walDir).read((f, l, i, file, p) -> { }), WalState.Mark.NONE))
        {
            final byte[] first = frame(1);
            wal.append(first, first.length);
            Thread.currentThread().interrupt();
            final AedbException ex;
            try
            {
                ex = assertThrows(AedbException.class, () -> wal.preallocate(first.length));
            }
            finally
            {
                Thread.interrupted();
            }
            assertEquals(ErrorCode.IO_ERROR, ex.code(), ex.getMessage());
            for (long seq = 2; seq <= 3; seq++)
            {
                final byte[] f = frame(seq);
                wal.preallocate(f.length);
                wal.append(f, f.length);
            }
        }
        final int[] n = {0};
        new WalReader(walDir).read((f, length, index, file, position) -> n[0]++);
        assertEquals(3, n[0]);
    }

    /**
     * A log that ends in a cycle holding no frame (a process stopped in its first append there, after a checkpoint's
     * roll: Chronicle had created the cycle file): the next append goes to that cycle's first index, which must be
     * accepted (the placement check once expected the index after the last frame of the previous cycle, and refused
     * every commit with WAL_CORRUPT).
     */
    @Test
    void shouldAppendAfterALogThatEndsInACycleWithNoFrameYet() throws Exception
    {
        WalState.write(dir, WalState.Mark.NONE, WalState.Mark.NONE);
        final Path walDir = dir.resolve("wal");
        final long day = 86_400_000L;
        final long[] now = {20_000 * day + 1_000};
        try (ChronicleWal wal = new ChronicleWal(walDir, 0, IoFaults.NONE, WalState.open(dir),
            new WalReader(walDir).read((f, l, i, file, p) -> { }), WalState.Mark.NONE, () -> now[0]))
        {
            for (long seq = 1; seq <= 3; seq++)
            {
                final byte[] f = frame(seq);
                wal.append(f, f.length);
            }
        }
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(walDir.toFile()).rollCycle(RollCycles.FAST_DAILY)
            .timeProvider(() -> now[0] + day).build();
            net.openhft.chronicle.queue.ExcerptAppender appender = queue.createAppender())
        {
            try (DocumentContext dc = appender.writingDocument())
            {
                dc.rollbackOnClose(); // the next cycle's file exists; no excerpt in it
            }
        }
        final WalReader.End end = new WalReader(walDir).read((f, l, i, file, p) -> { });
        assertEquals(20_001, end.cycle(), "the log ends in the cycle with no frame: " + end);
        assertEquals(20_000, (int)(end.lastIndex() >>> 32), "its last frame is in the cycle before: " + end);
        now[0] += day;
        try (ChronicleWal wal = new ChronicleWal(walDir, 0, IoFaults.NONE, WalState.open(dir), end, WalState.Mark.NONE,
            () -> now[0]))
        {
            final byte[] f = frame(4);
            wal.append(f, f.length);
        }
        final int[] n = {0};
        final WalReader.End after = new WalReader(walDir).read((f, length, index, file, position) ->
        {
            assertEquals(n[0] + 1, FrameDescriptor.seq(f));
            n[0]++;
        });
        assertEquals(4, n[0]);
        assertEquals(WalReader.EndKind.CLEAN, after.kind());
    }

    @Test
    void shouldRollToTheNextCycleAndNeverBackWhenTheClockIsSetBack() throws Exception
    {
        WalState.write(dir, WalState.Mark.NONE, WalState.Mark.NONE);
        final Path walDir = dir.resolve("wal");
        final long day = 86_400_000L;
        final long[] now = {20_000 * day + 1_000};
        long seq = 0;
        try (ChronicleWal wal = new ChronicleWal(walDir, 0, IoFaults.NONE, WalState.open(dir),
            new WalReader(walDir).read((f, l, i, file, p) -> { }), WalState.Mark.NONE, () -> now[0]))
        {
            for (int i = 0; i < 3; i++)
            {
                final byte[] f = frame(++seq);
                wal.append(f, f.length);
            }
            now[0] += day;
            for (int i = 0; i < 3; i++)
            {
                final byte[] f = frame(++seq);
                wal.append(f, f.length);
            }
            now[0] -= 5 * day; // set back: Chronicle must keep writing the last cycle
            for (int i = 0; i < 2; i++)
            {
                final byte[] f = frame(++seq);
                wal.append(f, f.length);
            }
        }
        final WalReader reader = new WalReader(walDir);
        assertEquals(2, reader.cycleFiles().size(), reader.cycleFiles().toString());
        assertEquals(20_001, reader.cycleFiles().lastKey());
        final long[] count = {0};
        final WalReader.End end = reader.read((f, length, index, file, position) ->
        {
            assertEquals(++count[0], FrameDescriptor.seq(f));
            assertEquals(count[0] <= 3 ? 20_000 : 20_001, (int)(index >>> 32), "cycle of frame " + count[0]);
        });
        assertEquals(8, count[0]);
        assertEquals(WalReader.EndKind.CLEAN, end.kind());
        assertEquals(CycleFileDescriptor.index(20_001, 4), end.lastIndex());
        now[0] = 20_001 * day + 5;
        try (ChronicleWal wal = new ChronicleWal(walDir, 0, IoFaults.NONE, WalState.open(dir), end, WalState.Mark.NONE, () -> now[0]))
        {
            final byte[] f = frame(9);
            assertEquals(CycleFileDescriptor.index(20_001, 5), wal.append(f, f.length));
        }
        final long[] after = {0};
        assertEquals(WalReader.EndKind.CLEAN, new WalReader(walDir).read((f, l, i, file, p) -> after[0]++).kind());
        assertEquals(9, after[0]);
    }

    @Test
    void shouldRefuseAnAppendChronicleWouldPlaceAfterWhereTheLogEnds()
    {
        WalState.write(dir, WalState.Mark.NONE, WalState.Mark.NONE);
        final Path walDir = dir.resolve("wal");
        try (ChronicleWal wal = new ChronicleWal(walDir, 0, IoFaults.NONE, WalState.open(dir),
            new WalReader(walDir).read((f, l, i, file, p) -> { }), WalState.Mark.NONE))
        {
            for (long seq = 1; seq <= 3; seq++)
            {
                final byte[] f = frame(seq);
                wal.append(f, f.length);
            }
        }
        final WalReader.End end = new WalReader(walDir).read((f, l, i, file, p) -> { });
        // Tell the appender the log ends 8 bytes before where it does: Chronicle would append after the third frame.
        final WalReader.End early = new WalReader.End(end.kind(), end.file(), end.position() - 8, null, end.cycle(), end.lastIndex());
        final AedbException ex = assertThrows(AedbException.class, () ->
        {
            try (ChronicleWal wal = new ChronicleWal(walDir, 0, IoFaults.NONE, WalState.open(dir), early, WalState.Mark.NONE))
            {
                final byte[] f = frame(4);
                wal.append(f, f.length);
            }
        });
        assertEquals(ErrorCode.WAL_CORRUPT, ex.code(), ex.getMessage());
        assertTrue(ex.getMessage().contains("but the log ends at " + (end.position() - 8)), ex.getMessage());
        final int[] n = {0};
        new WalReader(walDir).read((f, l, i, file, p) -> n[0]++);
        assertEquals(3, n[0], "the refused append wrote nothing: " + ex.getMessage());
    }

    @Test
    void shouldKeepTheOlderSlotWhenTheNewerIsTornAndBindOnlyTheSyncedMarkAfterAReboot() throws Exception
    {
        final WalState.Mark synced = new WalState.Mark(5, "20261201F.cq4", 1000, 40, 0x1234);
        WalState.write(dir, synced, synced);
        final byte[] name = WalState.nameBytes("20261201F.cq4");
        try (WalState state = WalState.open(dir))
        {
            state.record(9, name, 2000, 40, 0x9999, 5, name, 1000, 40, 0x1234);
        }
        final WalState.Loaded loaded = WalState.load(dir);
        assertEquals(WalState.Status.VALID, loaded.status());
        assertEquals(9, loaded.acked().commitSeq());
        assertEquals(5, loaded.synced().commitSeq());
        assertEquals(loaded.sameBoot() ? loaded.acked() : loaded.synced(), loaded.binding());
        assertEquals(loaded.synced(), new WalState.Loaded(WalState.Status.VALID, null, loaded.acked(), loaded.synced(), false).binding(),
            "after a reboot only the synced frame binds");

        // Tear the newer slot (the one just written, slot 0 or 1): the older one, with commit 5, stands.
        final byte[] bytes = Files.readAllBytes(dir.resolve(WalState.FILE_NAME));
        final UnsafeBuffer b = new UnsafeBuffer(bytes);
        final int newer = b.getLong(64, ByteOrder.LITTLE_ENDIAN) > b.getLong(256, ByteOrder.LITTLE_ENDIAN) ? 64 : 256;
        bytes[newer + 30] ^= 1;
        Files.write(dir.resolve(WalState.FILE_NAME), bytes);
        final WalState.Loaded older = WalState.load(dir);
        assertEquals(WalState.Status.VALID, older.status());
        assertEquals(5, older.acked().commitSeq());

        bytes[(newer == 64 ? 256 : 64) + 30] ^= 1;
        Files.write(dir.resolve(WalState.FILE_NAME), bytes);
        assertEquals(WalState.Status.DAMAGED, WalState.load(dir).status());
    }
}
