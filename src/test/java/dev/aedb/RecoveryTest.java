package dev.aedb;

import dev.aedb.io.IoFaults;
import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.RecoveryMode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.aedb.TestSupport.b;
import static dev.aedb.TestSupport.expect;
import static dev.aedb.TestSupport.kvSet;
import static dev.aedb.TestSupport.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recovery of corrupt logs, fail-stop after I/O failure, and the disk-full guard. */
class RecoveryTest
{
    @TempDir
    Path dir;

    private Path cycleFile() throws IOException
    {
        try (Stream<Path> files = Files.list(dir.resolve("wal")))
        {
            return files.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
    }

    /** @return file offsets of our frames (the magic "AEWF"), in log order. */
    private List<Long> frameOffsets(final Path file) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        final List<Long> out = new ArrayList<>();
        for (int i = 0; i + 4 <= bytes.length; i++)
        {
            if (bytes[i] == 'A' && bytes[i + 1] == 'E' && bytes[i + 2] == 'W' && bytes[i + 3] == 'F')
            {
                out.add((long)i);
            }
        }
        return out;
    }

    private void flipByte(final Path file, final long offset) throws IOException
    {
        TestSupport.xorByte(file, offset, 0x5A);
    }

    @Test
    void shouldRefuseStrictOpenNamingFileAndPositionOfABadFrame() throws IOException
    {
        TestSupport.writeKv(dir, 10);
        final Path file = cycleFile();
        final List<Long> frames = frameOffsets(file);
        assertEquals(11, frames.size(), "one frame per commit (project + 10 KV)");
        flipByte(file, frames.get(5) + 30);
        final AedbException ex = expect(ErrorCode.WAL_CORRUPT, () -> AedbInstance.open(TestSupport.walOnly(), dir));
        assertTrue(ex.getMessage().contains(file.getFileName().toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains("position " + frames.get(5)), ex.getMessage());
        assertTrue(ex.getMessage().contains("crc32c"), ex.getMessage());
    }

    @Test
    void shouldRefusePermissiveOpenWhenABadFrameIsFollowedByValidOnes() throws IOException
    {
        TestSupport.writeKv(dir, 10);
        final Path file = cycleFile();
        flipByte(file, frameOffsets(file).get(5) + 30);
        final AedbException ex = expect(ErrorCode.WAL_CORRUPT,
            () -> AedbInstance.open(TestSupport.walOnly().recoveryMode(RecoveryMode.PERMISSIVE), dir));
        assertTrue(ex.getMessage().contains("followed by a valid commit"), ex.getMessage());
    }

    @Test
    void shouldDropAndReportATornTailInPermissiveModeOnly() throws IOException
    {
        TestSupport.writeKv(dir, 10);
        final Path file = cycleFile();
        final List<Long> frames = frameOffsets(file);
        flipByte(file, frames.get(frames.size() - 1) + 30);
        expect(ErrorCode.WAL_CORRUPT, () -> AedbInstance.open(TestSupport.walOnly(), dir));
        try (AedbInstance db = AedbInstance.open(TestSupport.walOnly().recoveryMode(RecoveryMode.PERMISSIVE), dir))
        {
            assertEquals(1, db.recoveryReport().droppedFrames().size(), db.recoveryReport().toString());
            assertTrue(db.recoveryReport().droppedFrames().get(0).contains("position " + frames.get(frames.size() - 1)));
            assertEquals(10, db.headState().visibleHeadSeq());
            assertFalse(db.kvGet("p", "app", b("k9")).found(), "the torn commit is gone");
            assertEquals("value-8", s(db.kvGet("p", "app", b("k8")).value()));
            assertEquals(11, db.commit(kvSet("after", "repair")).commitSeq(), "the dropped seq is reused, seqs stay dense");
        }
        try (AedbInstance db = AedbInstance.open(TestSupport.walOnly(), dir))
        {
            assertEquals(11, db.headState().visibleHeadSeq(), "strict reopen accepts a log repaired by a recorded drop marker");
            assertEquals("repair", s(db.kvGet("p", "app", b("after")).value()));
            assertTrue(db.recoveryReport().droppedFrames().get(0).contains("earlier recovery dropped 1"));
        }
    }

    @Test
    void shouldStopForGoodAfterASyncFailureAndKeepAcknowledgedCommits()
    {
        final TestFaults faults = new TestFaults();
        try (AedbInstance db = AedbInstance.open(faults.applyTo(TestSupport.walOnly()), dir))
        {
            db.createProject("p");
            db.commit(kvSet("acked", "yes"));
            faults.failNextSync();
            expect(ErrorCode.IO_ERROR, () -> db.commit(kvSet("unacked", "maybe")));
            expect(ErrorCode.PREVIOUS_FAILURE, () -> db.commit(kvSet("later", "no")));
            expect(ErrorCode.PREVIOUS_FAILURE, () -> db.kvGet("p", "app", b("acked")));
            expect(ErrorCode.PREVIOUS_FAILURE, db::headState);
        }
        try (AedbInstance db = AedbInstance.open(TestSupport.walOnly(), dir))
        {
            assertEquals("yes", s(db.kvGet("p", "app", b("acked")).value()));
            assertFalse(db.kvGet("p", "app", b("later")).found());
            db.commit(kvSet("reopened", "works"));
        }
    }

    @Test
    void shouldRefuseCommitsWhileTheDiskIsFullAndRecoverAfter()
    {
        final TestFaults faults = new TestFaults();
        try (AedbInstance db = AedbInstance.open(faults.applyTo(TestSupport.walOnly()), dir))
        {
            db.createProject("p");
            final long head = db.headState().visibleHeadSeq();
            faults.usableSpace(1024);
            final AedbException ex = expect(ErrorCode.DISK_FULL, () -> db.commit(kvSet("k", "v")));
            assertTrue(ex.getMessage().contains("nothing written"), ex.getMessage());
            assertEquals(head, db.headState().visibleHeadSeq());
            assertFalse(db.kvGet("p", "app", b("k")).found());
            faults.usableSpace(IoFaults.NO_OVERRIDE);
            assertEquals(head + 1, db.commit(kvSet("k", "v")).commitSeq());
        }
        try (AedbInstance db = AedbInstance.open(TestSupport.walOnly(), dir))
        {
            assertEquals("v", s(db.kvGet("p", "app", b("k")).value()));
        }
    }
}
