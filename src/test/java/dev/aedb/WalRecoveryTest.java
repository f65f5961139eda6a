package dev.aedb;

import dev.aedb.codec.ByteWriter;
import dev.aedb.codec.EnvelopeCodec;
import dev.aedb.codec.FrameDescriptor;
import dev.aedb.io.IoFaults;
import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.RecoveryMode;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.wal.ChronicleWal;
import dev.aedb.wal.WalReader;
import dev.aedb.wal.WalState;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static dev.aedb.TestSupport.b;
import static dev.aedb.TestSupport.expect;
import static dev.aedb.TestSupport.kvSet;
import static dev.aedb.TestSupport.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recovery decisions the damage sweep does not reach: frames after the last acknowledged one, a permissive rebuild
 * interrupted by a crash at each step, a WAL written by an earlier version (drop marker of type 2, no state file).
 */
class WalRecoveryTest
{
    @TempDir
    Path dir;

    private record Frame(String file, long position, int length, int crc)
    {
    }

    private List<Frame> frames()
    {
        final List<Frame> out = new ArrayList<>();
        new WalReader(dir.resolve("wal")).read((f, length, index, file, position) -> out.add(new Frame(Path.of(file).getFileName()
            .toString(), position, length, f.getInt(length - 4, ByteOrder.LITTLE_ENDIAN))));
        return out;
    }

    private static AedbConfig permissive()
    {
        return TestSupport.walOnly().recoveryMode(RecoveryMode.PERMISSIVE);
    }

    private static void flip(final Path file, final long offset) throws IOException
    {
        TestSupport.xorByte(file, offset, 0x5A);
    }

    @Test
    void shouldDropATornBatchAfterTheLastAcknowledgedFrameEvenWhenValidFramesFollowTheDamage() throws IOException
    {
        TestSupport.writeKv(dir, 12); // commits 1..13
        final List<Frame> frames = frames();
        // As after a power loss in the middle of a group commit: the state names commit 11 as the last acknowledged
        // one, commit 12's frame is torn, commit 13's reached the disk.
        final Frame acked = frames.get(10);
        final WalState.Mark mark = new WalState.Mark(11, acked.file(), acked.position(), acked.length(), acked.crc());
        WalState.write(dir, mark, mark);
        flip(dir.resolve("wal").resolve(frames.get(11).file()), frames.get(11).position() + 30);

        final AedbException strict = expect(ErrorCode.WAL_CORRUPT, () -> AedbInstance.open(TestSupport.walOnly(), dir));
        assertTrue(strict.getMessage().contains("position " + frames.get(11).position()), strict.getMessage());
        try (AedbInstance db = AedbInstance.open(permissive(), dir))
        {
            assertEquals(11, db.headState().visibleHeadSeq());
            assertTrue(db.recoveryReport().droppedFrames().get(0).contains("position " + frames.get(11).position()),
                db.recoveryReport().toString());
            assertTrue(String.join("\n", db.recoveryReport().notes()).contains("followed by 1 valid, unacknowledged frame"),
                db.recoveryReport().toString());
            assertFalse(db.kvGet("p", "app", b("k11")).found(), "the unacknowledged commit 13 is not returned");
            assertEquals(12, db.commit(kvSet("after", "x")).commitSeq());
        }
        try (AedbInstance db = AedbInstance.open(TestSupport.walOnly(), dir))
        {
            assertEquals(12, db.headState().visibleHeadSeq());
            assertEquals("x", s(db.kvGet("p", "app", b("after")).value()));
        }
    }

    @Test
    void shouldRefuseBothModesWhenValidFramesFollowDamageBeforeTheLastAcknowledgedFrame() throws IOException
    {
        TestSupport.writeKv(dir, 12);
        final List<Frame> frames = frames();
        flip(dir.resolve("wal").resolve(frames.get(5).file()), frames.get(5).position() + 30);
        expect(ErrorCode.WAL_CORRUPT, () -> AedbInstance.open(TestSupport.walOnly(), dir));
        final AedbException ex = expect(ErrorCode.WAL_CORRUPT, () -> AedbInstance.open(permissive(), dir));
        assertTrue(ex.getMessage().contains("followed by a valid commit"), ex.getMessage());
    }

    @Test
    void shouldFinishAPermissiveRebuildInterruptedBetweenItsRenames() throws IOException
    {
        TestSupport.writeKv(dir, 10); // commits 1..11
        final List<Frame> frames = frames();
        flip(dir.resolve("wal").resolve(frames.get(10).file()), frames.get(10).position() + 30);
        final byte[] oldState = Files.readAllBytes(dir.resolve(WalState.FILE_NAME));
        try (AedbInstance db = AedbInstance.open(permissive(), dir))
        {
            assertEquals(10, db.headState().visibleHeadSeq());
            assertTrue(String.join("\n", db.recoveryReport().notes()).contains("wal.damaged-"), db.recoveryReport().toString());
        }
        final Path preserved;
        try (Stream<Path> files = Files.list(dir))
        {
            preserved = files.filter(p -> p.getFileName().toString().startsWith("wal.damaged-")).findFirst().orElseThrow();
        }
        assertTrue(Files.exists(preserved.resolve(frames.get(10).file())), "the damaged WAL is kept");

        // The crash came after "wal -> wal.damaged-*" and before "wal.rebuilt -> wal", and before the new state file.
        Files.move(dir.resolve("wal"), dir.resolve("wal.rebuilt"));
        Files.write(dir.resolve(WalState.FILE_NAME), oldState);
        try (AedbInstance db = AedbInstance.open(TestSupport.walOnly(), dir))
        {
            assertEquals(10, db.headState().visibleHeadSeq(), db.recoveryReport().toString());
            assertTrue(String.join("\n", db.recoveryReport().notes()).contains("completed an interrupted permissive recovery"),
                db.recoveryReport().toString());
            assertEquals("value-8", s(db.kvGet("p", "app", b("k8")).value()));
            db.commit(kvSet("after", "x"));
        }
        try (AedbInstance db = AedbInstance.open(TestSupport.walOnly(), dir))
        {
            assertEquals(11, db.headState().visibleHeadSeq());
        }
    }

    @Test
    void shouldDiscardAnUnfinishedRebuildAndRecoverAgain() throws IOException
    {
        TestSupport.writeKv(dir, 10);
        final List<Frame> frames = frames();
        flip(dir.resolve("wal").resolve(frames.get(10).file()), frames.get(10).position() + 30);
        // The crash came while the rebuilt WAL was being written: it is partial, the damaged WAL still in place.
        Files.createDirectories(dir.resolve("wal.rebuilt"));
        Files.write(dir.resolve("wal.rebuilt").resolve("20000101F.cq4"), new byte[]{1, 2, 3});
        expect(ErrorCode.WAL_CORRUPT, () -> AedbInstance.open(TestSupport.walOnly(), dir));
        assertFalse(Files.exists(dir.resolve("wal.rebuilt")));
        try (AedbInstance db = AedbInstance.open(permissive(), dir))
        {
            assertEquals(10, db.headState().visibleHeadSeq());
        }
    }

    /** A WAL as aedb wrote it before wal.state existed, after a permissive recovery: a bad frame, then a type-2 marker. */
    @Test
    void shouldOpenAWalOfAnEarlierVersionWithItsDropMarkerOnceInPermissiveMode() throws IOException
    {
        TestSupport.writeKv(dir, 0); // create the directory layout, then replace its WAL
        Files.delete(dir.resolve(WalState.FILE_NAME));
        TestSupport.deleteTree(dir.resolve("wal"));
        WalState.write(dir, WalState.Mark.NONE, WalState.Mark.NONE);
        final long[] tornIndex = new long[1];
        try (ChronicleWal wal = new ChronicleWal(dir.resolve("wal"), 0, IoFaults.NONE, WalState.open(dir),
            new WalReader(dir.resolve("wal")).read((f, l, i, file, p) -> { }), WalState.Mark.NONE))
        {
            append(wal, commit(1, TransactionEnvelope.of(new dev.aedb.model.Mutation.Ddl(
                new dev.aedb.model.DdlOperation.CreateProject("p", null, true)))));
            append(wal, commit(2, TransactionEnvelope.of(kvSet("a", "1"))));
            final byte[] torn = commit(3, TransactionEnvelope.of(kvSet("torn", "x")));
            torn[FrameDescriptor.HEADER_LENGTH + 3] ^= 1;
            tornIndex[0] = append(wal, torn);
            final ByteWriter w = new ByteWriter(64);
            w.position(FrameDescriptor.HEADER_LENGTH);
            w.putInt(1);
            w.putLong(tornIndex[0]);
            final int payload = w.position() - FrameDescriptor.HEADER_LENGTH;
            w.putInt(0);
            final byte[] marker = w.toByteArray();
            FrameDescriptor.seal(new UnsafeBuffer(marker), marker, FrameDescriptor.TYPE_DROP_MARKER, 0, 0, payload, new CRC32C());
            append(wal, marker);
            append(wal, commit(3, TransactionEnvelope.of(kvSet("b", "2"))));
        }
        Files.delete(dir.resolve(WalState.FILE_NAME));

        final AedbException ex = expect(ErrorCode.WAL_CORRUPT, () -> AedbInstance.open(TestSupport.walOnly(), dir));
        assertTrue(ex.getMessage().contains("wal.state is missing"), ex.getMessage());
        try (AedbInstance db = AedbInstance.open(permissive(), dir))
        {
            assertEquals(3, db.headState().visibleHeadSeq());
            assertTrue(db.recoveryReport().droppedFrames().get(0).contains("earlier recovery dropped 1 torn frame"),
                db.recoveryReport().toString());
            assertEquals("2", s(db.kvGet("p", "app", b("b")).value()));
            assertFalse(db.kvGet("p", "app", b("torn")).found());
        }
        try (AedbInstance db = AedbInstance.open(TestSupport.walOnly(), dir))
        {
            assertEquals(3, db.headState().visibleHeadSeq());
            assertEquals(4, db.commit(kvSet("c", "3")).commitSeq());
        }
    }

    private static byte[] commit(final long seq, final TransactionEnvelope envelope)
    {
        final ByteWriter w = new ByteWriter(256);
        w.position(FrameDescriptor.HEADER_LENGTH);
        EnvelopeCodec.encode(envelope, null, w);
        final int payload = w.position() - FrameDescriptor.HEADER_LENGTH;
        w.putInt(0);
        final byte[] frame = w.toByteArray();
        FrameDescriptor.seal(new UnsafeBuffer(frame), frame, FrameDescriptor.TYPE_COMMIT, seq, 0, payload, new CRC32C());
        return frame;
    }

    private static long append(final ChronicleWal wal, final byte[] frame)
    {
        return wal.append(frame, frame.length);
    }
}
