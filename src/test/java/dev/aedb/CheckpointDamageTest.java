package dev.aedb;

import dev.aedb.model.AedbException;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Mutation;
import dev.aedb.model.RecoveryMode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static dev.aedb.TestSupport.b;
import static dev.aedb.TestSupport.expect;
import static dev.aedb.TestSupport.kvSet;
import static dev.aedb.TestSupport.s;
import static dev.aedb.TestSupport.xorByte;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A damaged, truncated, missing or newer checkpoint or manifest: never used as data, STRICT refuses naming the file and
 * offset, PERMISSIVE falls back to the previous checkpoint only where the WAL still covers the gap. Failed checkpoint
 * writes (full disk, failed fsync) keep the previous checkpoint valid.
 */
class CheckpointDamageTest
{
    @TempDir
    Path dir;

    private final TreeMap<String, String> model = new TreeMap<>();

    private static AedbConfig strict()
    {
        return TestSupport.smallConfig().checkpointOnClose(false);
    }

    private static AedbConfig permissive()
    {
        return strict().recoveryMode(RecoveryMode.PERMISSIVE);
    }

    /** Two checkpoints (seqs returned, older first) with commits before, between and after them; closed without a third. */
    private long[] twoCheckpoints(final AedbConfig config)
    {
        try (AedbInstance db = AedbInstance.open(config, dir))
        {
            db.createProject("p");
            put(db, "a", 0, 300);
            final long first = db.checkpointNow();
            put(db, "b", 0, 200);
            put(db, "a", 0, 50);
            final long second = db.checkpointNow();
            put(db, "c", 0, 100);
            return new long[]{first, second};
        }
    }

    private void put(final AedbInstance db, final String prefix, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final String v = prefix + "-value-" + i + "-" + model.size();
            db.commit(kvSet(prefix + i, v));
            model.put(prefix + i, v);
        }
    }

    private static Map<String, String> kv(final AedbInstance db)
    {
        final Map<String, String> out = new TreeMap<>();
        for (final KvEntry e : db.kvScanPrefix("p", "app", new byte[0], 1_000_000, null, ConsistencyMode.atLatest()).entries())
        {
            out.put(s(e.key()), s(e.value()));
        }
        return out;
    }

    private Path image(final long seq)
    {
        return dir.resolve("checkpoints").resolve(String.format("checkpoint-%020d.img", seq));
    }

    private Path newestManifest() throws IOException
    {
        try (Stream<Path> s = Files.list(dir.resolve("checkpoints")))
        {
            return s.filter(p -> p.getFileName().toString().matches("manifest-\\d{12}")).sorted().reduce((a, c) -> c).orElseThrow();
        }
    }

    private static ByteBuffer header(final Path image) throws IOException
    {
        final ByteBuffer h = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ))
        {
            ch.read(h, 0);
        }
        return h;
    }

    private static final int SEGMENT = 1;
    private static final int HASH_ARRAY = 2;

    /** @return the file offset of the image's first block of {@code kind} (1: an arena segment, 2: a hash-index array). */
    private static long firstBlock(final Path image, final int kind) throws IOException
    {
        final ByteBuffer h = header(image);
        final long meta = h.getLong(32);
        final int count = h.getInt(60);
        final ByteBuffer m = ByteBuffer.allocate(count * 17).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ))
        {
            ch.read(m, meta + 4);
        }
        for (int i = 0; i < count; i++)
        {
            if (m.get(i * 17) == kind)
            {
                return m.getLong(i * 17 + 1);
            }
        }
        throw new AssertionError("no block of kind " + kind);
    }

    private void assertFallsBack(final long[] seqs, final AedbException strictRefusal, final Path damaged)
    {
        assertTrue(strictRefusal.getMessage().contains(damaged.toString()), strictRefusal.getMessage());
        assertTrue(strictRefusal.getMessage().contains("offset"), strictRefusal.getMessage());
        try (AedbInstance db = AedbInstance.open(permissive(), dir))
        {
            assertTrue(db.recoveryReport().notes().stream().anyMatch(n -> n.contains("fell back")), db.recoveryReport().toString());
            assertEquals(db.recoveryReport().lastSeq() - seqs[0], db.recoveryReport().replayedFrames(),
                "replayed from the older checkpoint: " + db.recoveryReport());
            assertEquals(model, kv(db));
        }
    }

    @Test
    void shouldRefuseADamagedHeaderInStrictModeAndFallBackInPermissive() throws IOException
    {
        final long[] seqs = twoCheckpoints(strict());
        xorByte(image(seqs[1]), 100, 0x01);
        final AedbException ex = expect(ErrorCode.CHECKPOINT_CORRUPT, () -> AedbInstance.open(strict(), dir));
        assertTrue(ex.getMessage().contains("offset 0: the header fails its CRC32C"), ex.getMessage());
        assertFallsBack(seqs, ex, image(seqs[1]));
    }

    @Test
    void shouldRefuseADamagedMetaSectionNamingItsOffset() throws IOException
    {
        final long[] seqs = twoCheckpoints(strict());
        final long meta = header(image(seqs[1])).getLong(32);
        xorByte(image(seqs[1]), meta + 30, 0x40);
        final AedbException ex = expect(ErrorCode.CHECKPOINT_CORRUPT, () -> AedbInstance.open(strict(), dir));
        assertTrue(ex.getMessage().contains("offset " + meta), ex.getMessage());
        assertFallsBack(seqs, ex, image(seqs[1]));
    }

    @Test
    void shouldRefuseATruncatedImage() throws IOException
    {
        final long[] seqs = twoCheckpoints(strict());
        try (FileChannel ch = FileChannel.open(image(seqs[1]), StandardOpenOption.WRITE))
        {
            ch.truncate(ch.size() - 1);
        }
        final AedbException ex = expect(ErrorCode.CHECKPOINT_CORRUPT, () -> AedbInstance.open(strict(), dir));
        assertTrue(ex.getMessage().contains("truncated"), ex.getMessage());
        assertFallsBack(seqs, ex, image(seqs[1]));
    }

    @Test
    void shouldNeverReturnBytesOfADamagedBlockAndFindItAtOpenWhenAskedTo() throws IOException
    {
        final long[] seqs = twoCheckpoints(strict());
        final long block = firstBlock(image(seqs[1]), HASH_ARRAY);
        xorByte(image(seqs[1]), block + 200, 0x10);
        // lazily verified: replaying the commits after the checkpoint meets the damage, and the open is refused
        final AedbException replay = expect(ErrorCode.CHECKPOINT_CORRUPT, () -> AedbInstance.open(strict(), dir));
        assertTrue(replay.getMessage().contains(image(seqs[1]) + " offset " + block), replay.getMessage());
        // verified at open: STRICT refuses, PERMISSIVE falls back
        final AedbException ex = expect(ErrorCode.CHECKPOINT_CORRUPT,
            () -> AedbInstance.open(strict().verifyCheckpointOnOpen(true), dir));
        assertTrue(ex.getMessage().contains("offset " + block), ex.getMessage());
        try (AedbInstance db = AedbInstance.open(permissive().verifyCheckpointOnOpen(true), dir))
        {
            assertTrue(db.recoveryReport().notes().stream().anyMatch(n -> n.contains("fell back")), db.recoveryReport().toString());
            assertEquals(model, kv(db));
        }
    }

    @Test
    void shouldFailEveryReadOfADamagedBlockFoundAfterOpen() throws IOException
    {
        final long seq;
        try (AedbInstance db = AedbInstance.open(strict(), dir))
        {
            db.createProject("p");
            put(db, "a", 0, 200);
            seq = db.checkpointNow();
        }
        final long segment = firstBlock(image(seq), SEGMENT);
        final long hash = firstBlock(image(seq), HASH_ARRAY);
        final Path copy = dir.resolveSibling(dir.getFileName() + "-intact-image");
        Files.copy(image(seq), copy);
        xorByte(image(seq), segment + 200, 0x10);
        // nothing to replay: the open succeeds, and every read of the damaged segment fails, never returns its bytes
        try (AedbInstance db = AedbInstance.open(strict(), dir))
        {
            final AedbException ex = expect(ErrorCode.CHECKPOINT_CORRUPT, () -> kv(db));
            assertTrue(ex.getMessage().contains(image(seq) + " offset " + segment), ex.getMessage());
            expect(ErrorCode.CHECKPOINT_CORRUPT, () -> db.kvGet("p", "app", b("a1")));
            expect(ErrorCode.CHECKPOINT_CORRUPT, () -> kv(db));
            expect(ErrorCode.CHECKPOINT_CORRUPT, () -> db.commit(kvSet("a1", "over")));
        }
        // the hash-index array: point reads and writes fail, a scan (which does not use it) still works
        Files.copy(copy, image(seq), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.delete(copy);
        xorByte(image(seq), hash + 8, 0x10);
        try (AedbInstance db = AedbInstance.open(strict(), dir))
        {
            final AedbException ex = expect(ErrorCode.CHECKPOINT_CORRUPT, () -> db.kvGet("p", "app", b("a1")));
            assertTrue(ex.getMessage().contains(image(seq) + " offset " + hash), ex.getMessage());
            expect(ErrorCode.CHECKPOINT_CORRUPT, () -> db.commit(kvSet("a1", "over")));
            assertEquals(model, kv(db));
        }
    }

    @Test
    void shouldRefuseADamagedManifestInStrictModeAndUseThePreviousOneInPermissive() throws IOException
    {
        twoCheckpoints(strict());
        final Path manifest = newestManifest();
        xorByte(manifest, 30, 0x02);
        final AedbException ex = expect(ErrorCode.CHECKPOINT_CORRUPT, () -> AedbInstance.open(strict(), dir));
        assertTrue(ex.getMessage().contains(manifest.toString()), ex.getMessage());
        try (AedbInstance db = AedbInstance.open(permissive(), dir))
        {
            assertTrue(db.recoveryReport().notes().stream().anyMatch(n -> n.contains("manifest damaged")),
                db.recoveryReport().toString());
            assertEquals(model, kv(db));
        }
    }

    @Test
    void shouldRefuseATruncatedManifest() throws IOException
    {
        twoCheckpoints(strict());
        final Path manifest = newestManifest();
        try (FileChannel ch = FileChannel.open(manifest, StandardOpenOption.WRITE))
        {
            ch.truncate(ch.size() - 3);
        }
        final AedbException ex = expect(ErrorCode.CHECKPOINT_CORRUPT, () -> AedbInstance.open(strict(), dir));
        assertTrue(ex.getMessage().contains(manifest + " offset"), ex.getMessage());
        try (AedbInstance db = AedbInstance.open(permissive(), dir))
        {
            assertEquals(model, kv(db));
        }
    }

    @Test
    void shouldRefuseAManifestNamingAMissingImage() throws IOException
    {
        final long[] seqs = twoCheckpoints(strict());
        Files.delete(image(seqs[1]));
        final AedbException ex = expect(ErrorCode.CHECKPOINT_CORRUPT, () -> AedbInstance.open(strict(), dir));
        assertTrue(ex.getMessage().contains("is missing"), ex.getMessage());
        assertFallsBack(seqs, new AedbException(ex.code(), ex.getMessage() + " offset"), image(seqs[1]));
    }

    @Test
    void shouldRefuseACheckpointOfANewerFormatInBothModes() throws IOException
    {
        final long[] seqs = twoCheckpoints(strict());
        final ByteBuffer h = header(image(seqs[1]));
        h.putInt(8, 3);
        final CRC32C crc = new CRC32C();
        crc.update(h.array(), 0, 4092);
        h.putInt(4092, (int)crc.getValue());
        try (FileChannel ch = FileChannel.open(image(seqs[1]), StandardOpenOption.WRITE))
        {
            ch.write(h.clear(), 0);
        }
        final AedbException ex = expect(ErrorCode.CHECKPOINT_UNSUPPORTED, () -> AedbInstance.open(strict(), dir));
        assertTrue(ex.getMessage().contains("format version 3"), ex.getMessage());
        expect(ErrorCode.CHECKPOINT_UNSUPPORTED, () -> AedbInstance.open(permissive(), dir));
    }

    @Test
    void shouldRefuseToFallBackWhenTheWalNoLongerCoversTheGap() throws IOException
    {
        final long[] seqs = twoCheckpoints(strict().checkpointsKept(1));
        assertFalse(Files.exists(image(seqs[0])), "only one checkpoint kept");
        xorByte(image(seqs[1]), 100, 0x01);
        expect(ErrorCode.CHECKPOINT_CORRUPT, () -> AedbInstance.open(strict(), dir));
        // no previous checkpoint, and the WAL before the kept one was deleted: replay from the start cannot work
        final AedbException ex = expect(ErrorCode.WAL_CORRUPT, () -> AedbInstance.open(permissive(), dir));
        assertTrue(ex.getMessage().contains("does not follow 0"), ex.getMessage());
    }

    @Test
    void shouldRefuseAMissingWalFileBetweenTheCheckpointAndTheHead() throws IOException
    {
        final long[] seqs = twoCheckpoints(strict());
        // fall back to the older checkpoint, whose replay needs the cycle file written between the two checkpoints
        xorByte(image(seqs[1]), 100, 0x01);
        final List<Path> cycles;
        try (Stream<Path> s = Files.list(dir.resolve("wal")))
        {
            cycles = s.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().toList();
        }
        assertEquals(2, cycles.size(), cycles.toString());
        Files.delete(cycles.get(0));
        final AedbException ex = expect(ErrorCode.WAL_CORRUPT, () -> AedbInstance.open(permissive(), dir));
        assertTrue(ex.getMessage().contains("does not follow " + seqs[0]), ex.getMessage());
    }

    @Test
    void shouldFailACheckpointCleanlyOnAFullDiskAndKeepCommitting() throws IOException
    {
        final TestFaults faults = new TestFaults();
        final long first;
        try (AedbInstance db = AedbInstance.open(faults.applyTo(strict()), dir))
        {
            db.createProject("p");
            db.createScope("p", "other");
            db.commit(new Mutation.KvSet("p", "other", b("x"), b("y")));
            put(db, "a", 0, 100);
            first = db.checkpointNow();
            put(db, "b", 0, 100);
            faults.checkpointSpace(8192); // the header and the first key space's blocks fit, not the rest
            final AedbException ex = expect(ErrorCode.DISK_FULL, db::checkpointNow);
            assertTrue(ex.getMessage().contains("previous checkpoints stay valid"), ex.getMessage());
            assertEquals(first, db.newestCheckpointSeq());
            try (Stream<Path> s = Files.list(dir.resolve("checkpoints")))
            {
                assertEquals(List.of(), s.filter(p -> p.toString().endsWith(".tmp")).toList(), "the temp file is gone");
            }
            put(db, "c", 0, 10);
            faults.reset();
            assertTrue(db.checkpointNow() > first, "a later checkpoint succeeds");
            put(db, "d", 0, 10);
        }
        try (AedbInstance db = AedbInstance.open(strict(), dir))
        {
            assertEquals(model, kv(db));
        }
    }

    @Test
    void shouldStopTheEngineWhenACheckpointFsyncFails() throws IOException
    {
        final TestFaults faults = new TestFaults();
        final long first;
        try (AedbInstance db = AedbInstance.open(faults.applyTo(strict()), dir))
        {
            db.createProject("p");
            put(db, "a", 0, 50);
            first = db.checkpointNow();
            put(db, "b", 0, 50);
            faults.failCheckpointSync(true);
            final AedbException ex = expect(ErrorCode.IO_ERROR, db::checkpointNow);
            assertTrue(ex.getMessage().contains("fsync failed"), ex.getMessage());
            expect(ErrorCode.PREVIOUS_FAILURE, () -> db.commit(kvSet("late", "x")));
            faults.reset();
        }
        try (AedbInstance db = AedbInstance.open(strict(), dir))
        {
            assertEquals(first, db.newestCheckpointSeq());
            assertEquals(model, kv(db), "every acknowledged commit is in the WAL after the previous checkpoint");
        }
    }

    @Test
    void shouldIgnoreAndRemoveTheTempFilesOfAnInterruptedCheckpoint() throws IOException
    {
        final long[] seqs = twoCheckpoints(strict());
        final Path stray = dir.resolve("checkpoints").resolve(String.format("checkpoint-%020d.img.tmp", seqs[1] + 50));
        Files.write(stray, "half an image".getBytes(StandardCharsets.UTF_8));
        final Path unnamed = dir.resolve("checkpoints").resolve(String.format("checkpoint-%020d.img", seqs[1] + 60));
        Files.copy(image(seqs[1]), unnamed);
        try (AedbInstance db = AedbInstance.open(strict(), dir))
        {
            assertEquals(seqs[1], db.newestCheckpointSeq());
            assertEquals(model, kv(db));
            db.checkpointNow();
        }
        assertFalse(Files.exists(stray));
        assertFalse(Files.exists(unnamed), "an image no manifest names was never published");
    }
}
