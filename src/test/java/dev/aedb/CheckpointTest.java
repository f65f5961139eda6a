package dev.aedb;

import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Mutation;
import dev.aedb.model.Row;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Value;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static dev.aedb.TestSupport.b;
import static dev.aedb.TestSupport.kvSet;
import static dev.aedb.TestSupport.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoints: the image holds exactly the state at its seq, an open restores it and replays only what came after,
 * a clean close leaves nothing to replay, old WAL files and images are retired, and reads older than the checkpoint are
 * refused by name.
 */
class CheckpointTest
{
    @TempDir
    Path dir;

    private static AedbConfig config()
    {
        return TestSupport.smallConfig();
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

    @Test
    void shouldRestoreTheCheckpointAndReplayOnlyTheCommitsAfterIt()
    {
        final Map<String, String> model = new TreeMap<>();
        final long checkpointSeq;
        try (AedbInstance db = AedbInstance.open(config().checkpointOnClose(false), dir))
        {
            TestSupport.usersTable(db);
            for (int i = 0; i < 500; i++)
            {
                db.commit(kvSet("k" + i, "v" + i));
                model.put("k" + i, "v" + i);
                db.commit(TestSupport.user(i, "user" + i));
            }
            db.commit(new Mutation.KvDel("p", "app", b("k7")));
            model.remove("k7");
            checkpointSeq = db.checkpointNow();
            assertEquals(db.headState().visibleHeadSeq(), checkpointSeq);
            assertEquals(checkpointSeq, db.newestCheckpointSeq());
            for (int i = 0; i < 50; i++)
            {
                db.commit(kvSet("k" + i, "w" + i));
                model.put("k" + i, "w" + i);
            }
            db.commit(new Mutation.Delete("p", "app", "users", List.of(Value.integer(3))));
        }
        try (AedbInstance db = AedbInstance.open(config(), dir))
        {
            assertEquals(51, db.recoveryReport().replayedFrames(), db.recoveryReport().toString());
            assertEquals(checkpointSeq + 51, db.recoveryReport().lastSeq());
            assertTrue(db.recoveryReport().notes().stream().anyMatch(n -> n.startsWith("restored checkpoint")),
                db.recoveryReport().toString());
            assertEquals(model, kv(db));
            assertEquals(499, db.scanTable("p", "app", "users", 10_000, null, ConsistencyMode.atLatest()).rows().size());
            assertNull(db.get("p", "app", "users", List.of(Value.integer(3))).row());
            assertEquals("user4", ((Value.Text)db.get("p", "app", "users", List.of(Value.integer(4))).row().values().get(1)).value());
            // writes on top of the restored image (copy-on-write pages), then a checkpoint of the restored store
            db.commit(kvSet("k7", "back"));
            model.put("k7", "back");
            db.commit(new Mutation.KvDel("p", "app", b("k8")));
            model.remove("k8");
            db.checkpointNow();
        }
        try (AedbInstance db = AedbInstance.open(config(), dir))
        {
            assertEquals(0, db.recoveryReport().replayedFrames(), "a clean close checkpoints: " + db.recoveryReport());
            assertEquals(model, kv(db));
        }
    }

    @Test
    void shouldReplayNothingAfterACleanCloseAndRefuseReadsBelowTheCheckpoint()
    {
        final long head;
        try (AedbInstance db = AedbInstance.open(config(), dir))
        {
            db.createProject("p");
            for (int i = 0; i < 100; i++)
            {
                db.commit(kvSet("k" + i, "v" + i));
            }
            head = db.headState().visibleHeadSeq();
        }
        try (AedbInstance db = AedbInstance.open(config(), dir))
        {
            assertEquals(0, db.recoveryReport().replayedFrames());
            assertEquals(head, db.recoveryReport().lastSeq());
            assertEquals(head, db.newestCheckpointSeq());
            final var ex = TestSupport.expect(ErrorCode.SNAPSHOT_EXPIRED,
                () -> db.kvGet("p", "app", b("k1"), ConsistencyMode.atSeq(head - 1)));
            assertTrue(ex.getMessage().contains("oldest readable seq is " + head), ex.getMessage());
            assertEquals("v1", s(db.kvGet("p", "app", b("k1"), ConsistencyMode.atSeq(head)).value()));
            db.commit(kvSet("k1", "again"));
            assertEquals("v1", s(db.kvGet("p", "app", b("k1"), ConsistencyMode.atSeq(head)).value()));
            assertEquals("again", s(db.kvGet("p", "app", b("k1")).value()));
        }
    }

    @Test
    void shouldKeepTheNewestCheckpointsAndDeleteTheWalNoneOfThemNeeds() throws Exception
    {
        try (AedbInstance db = AedbInstance.open(config().checkpointsKept(2), dir))
        {
            db.createProject("p");
            for (int round = 0; round < 5; round++)
            {
                for (int i = 0; i < 20; i++)
                {
                    db.commit(kvSet("k" + i, "r" + round));
                }
                db.checkpointNow();
            }
            assertEquals(2, images().size(), images().toString());
            // one cycle file per checkpoint interval: those below the older kept checkpoint are gone
            assertTrue(walFiles().size() <= 3, walFiles().toString());
        }
        try (AedbInstance db = AedbInstance.open(config(), dir))
        {
            assertEquals("r4", s(db.kvGet("p", "app", b("k5")).value()));
        }
    }

    @Test
    void shouldMatchAModelOverRandomWorkAcrossCheckpointsAndReopens()
    {
        final long seed = Long.getLong("aedb.checkpoint.seed", System.nanoTime());
        System.out.println("CheckpointTest seed: -Daedb.checkpoint.seed=" + seed);
        final Random random = new Random(seed);
        final TreeMap<String, String> model = new TreeMap<>();
        for (int round = 0; round < 4; round++)
        {
            try (AedbInstance db = AedbInstance.open(config().checkpointOnClose(random.nextBoolean()), dir))
            {
                if (round == 0)
                {
                    db.createProject("p");
                }
                assertEquals(model, kv(db), "seed " + seed + " round " + round);
                final int commits = 200 + random.nextInt(800);
                for (int i = 0; i < commits; i++)
                {
                    final String key = "key-" + random.nextInt(2_000);
                    if (random.nextInt(5) == 0)
                    {
                        db.commit(new Mutation.KvDel("p", "app", b(key)));
                        model.remove(key);
                    }
                    else
                    {
                        final String value = "v" + random.nextLong() + "x".repeat(random.nextInt(300));
                        db.commit(kvSet(key, value));
                        model.put(key, value);
                    }
                    if (random.nextInt(400) == 0)
                    {
                        db.checkpointNow();
                    }
                }
                assertEquals(model, kv(db), "seed " + seed + " round " + round);
            }
        }
    }

    @Test
    void shouldServeAtCheckpointReadsFromTheNewestImage()
    {
        try (AedbInstance db = AedbInstance.open(config().checkpointOnClose(false), dir))
        {
            db.createProject("p");
            db.commit(kvSet("k", "one"));
            TestSupport.expect(ErrorCode.NO_CHECKPOINT, () -> db.kvGet("p", "app", b("k"), ConsistencyMode.AT_CHECKPOINT));
            final long first = db.checkpointNow();
            db.commit(kvSet("k", "two"));
            db.commit(kvSet("only-live", "x"));
            final KvGetResult atCheckpoint = db.kvGet("p", "app", b("k"), ConsistencyMode.AT_CHECKPOINT);
            assertEquals("one", s(atCheckpoint.value()));
            assertEquals(first, atCheckpoint.snapshotSeq());
            assertTrue(!db.kvGet("p", "app", b("only-live"), ConsistencyMode.AT_CHECKPOINT).found());
            assertEquals("two", s(db.kvGet("p", "app", b("k")).value()));
            try (Snapshot held = db.snapshot(ConsistencyMode.AT_CHECKPOINT))
            {
                final long second = db.checkpointNow();
                assertEquals("two", s(db.kvGet("p", "app", b("k"), ConsistencyMode.AT_CHECKPOINT).value()), "the newest checkpoint");
                assertEquals(second, db.kvGet("p", "app", b("k"), ConsistencyMode.AT_CHECKPOINT).snapshotSeq());
                assertEquals("one", s(held.kvGet("p", "app", b("k")).value()), "a held snapshot stays on its image");
            }
        }
        // reopened without a close checkpoint: once the live window has moved past the checkpoint's seq, an AtSeq of
        // exactly that seq is served from the image, any other older seq is refused naming the oldest readable one
        final long checkpointSeq;
        try (AedbInstance db = AedbInstance.open(config().checkpointOnClose(false).retainedCommits(10), dir))
        {
            checkpointSeq = db.newestCheckpointSeq();
            for (int i = 0; i < 100; i++)
            {
                db.commit(kvSet("k", "later-" + i));
            }
            db.sync();
            assertEquals("two", s(db.kvGet("p", "app", b("k"), ConsistencyMode.atSeq(checkpointSeq)).value()));
            TestSupport.expect(ErrorCode.SNAPSHOT_EXPIRED, () -> db.kvGet("p", "app", b("k"), ConsistencyMode.atSeq(checkpointSeq + 1)));
        }
    }

    /**
     * Retention truncates a retired image in steps before its unlink, except an image this process maps: the one it
     * opened from and those {@code AT_CHECKPOINT} views map, whose pages would otherwise fault (SIGBUS, the JVM dies)
     * on the next read. The images here are larger than one truncation step.
     */
    @Test
    void shouldRetireImagesItStillMapsWithoutTruncatingThem() throws Exception
    {
        final int keys = 100_000;
        final String pad = "v".repeat(200);
        try (AedbInstance db = AedbInstance.open(config(), dir))
        {
            db.createProject("p");
            for (int i = 0; i < keys; i += 1000)
            {
                final List<Mutation> batch = new ArrayList<>();
                for (int j = i; j < i + 1000; j++)
                {
                    batch.add(kvSet("k" + j, pad + j));
                }
                db.commit(TransactionEnvelope.of(batch));
            }
        } // the close writes image A
        final Path checkpoints = dir.resolve("checkpoints");
        try (AedbInstance db = AedbInstance.open(config().checkpointsKept(1), dir))
        {
            final Path imageA = onlyImage(checkpoints);
            assertTrue(Files.size(imageA) > 16 << 20, "several truncation steps (FileRetirement.STEP_BYTES)");
            db.commit(kvSet("k1", "changed"));
            final long seqB = db.checkpointNow(); // retires A, which the store maps: unlinked only
            assertTrue(!Files.exists(imageA));
            try (Snapshot onB = db.snapshot(ConsistencyMode.AT_CHECKPOINT)) // maps B
            {
                assertEquals(seqB, onB.seq());
                db.commit(kvSet("k2", "changed"));
                db.checkpointNow(); // retires B, which the view maps: unlinked only
                db.commit(kvSet("k3", "changed"));
                final Path imageC = onlyImage(checkpoints);
                db.checkpointNow(); // retires C, which nothing maps: truncated in steps, then unlinked
                assertTrue(!Files.exists(imageC));
                for (int i = 0; i < keys; i++) // B's pages through the view, A's through the store
                {
                    final String want = i == 1 ? "changed" : pad + i;
                    assertEquals(want, s(onB.kvGet("p", "app", b("k" + i)).value()), "k" + i + " on the retired image B");
                    final String live = i == 1 || i == 2 || i == 3 ? "changed" : pad + i;
                    assertEquals(live, s(db.kvGet("p", "app", b("k" + i)).value()), "k" + i + " live");
                }
            }
            assertTrue(Files.exists(onlyImage(checkpoints)));
        }
    }

    private static Path onlyImage(final Path checkpoints) throws java.io.IOException
    {
        try (Stream<Path> files = Files.list(checkpoints))
        {
            final List<Path> images = files.filter(f -> f.getFileName().toString().endsWith(".img")).toList();
            assertEquals(1, images.size(), "images: " + images);
            return images.get(0);
        }
    }

    @Test
    void shouldCaptureOnTheSequencerAndWriteOnTheCheckpointerWhenEachIsInvoked() throws Exception
    {
        final dev.aedb.agent.AgentHost agents = dev.aedb.agent.AgentHost.invokers();
        try (AedbInstance db = AedbInstance.open(config().checkpointOnClose(false), dir, agents))
        {
            final org.agrona.concurrent.AgentInvoker sequencer = agents.invoker(dev.aedb.commit.CommitEngine.SEQUENCER_ROLE_NAME);
            final org.agrona.concurrent.AgentInvoker checkpointer = agents.invoker(dev.aedb.checkpoint.Checkpointer.ROLE_NAME);
            final var ddl = db.commitAsync(TransactionEnvelope.of(new Mutation.Ddl(
                new dev.aedb.model.DdlOperation.CreateProject("p", null, true))));
            final var put = db.commitAsync(TransactionEnvelope.of(kvSet("k", "v")));
            assertEquals(2, sequencer.invoke());
            ddl.get(10, java.util.concurrent.TimeUnit.SECONDS);
            put.get(10, java.util.concurrent.TimeUnit.SECONDS);
            final var checkpoint = db.checkpointAsync();
            assertEquals(0, checkpointer.invoke(), "nothing captured yet: the checkpointer has nothing to write");
            assertEquals(1, sequencer.invoke(), "the sequencer captures the state");
            assertTrue(!checkpoint.isDone(), "captured, not written");
            assertEquals(0, db.newestCheckpointSeq());
            assertEquals(1, checkpointer.invoke(), "one duty cycle writes and publishes the image");
            assertEquals(2L, checkpoint.get(10, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(2, db.newestCheckpointSeq());
            assertEquals(0, checkpointer.invoke());
        }
    }

    @Test
    void shouldRefuseCheckpointSettingsOutOfRange()
    {
        TestSupport.expect(ErrorCode.INVALID_CONFIG, () -> config().checkpointsKept(0).conclude());
        TestSupport.expect(ErrorCode.INVALID_CONFIG, () -> config().checkpointPacedBytesPerSecond(-1).conclude());
        TestSupport.expect(ErrorCode.INVALID_CONFIG, () -> config().checkpointPacedBytesPerSecond((1 << 20) - 1).conclude());
        TestSupport.expect(ErrorCode.INVALID_CONFIG, () -> config().checkpointsKept(65).conclude());
        TestSupport.expect(ErrorCode.INVALID_CONFIG, () -> config().checkpointWalBytes(-1).conclude());
        TestSupport.expect(ErrorCode.INVALID_CONFIG, () -> config().checkpointWalBytes(100).conclude());
        TestSupport.expect(ErrorCode.INVALID_CONFIG, () -> config().checkpointWalImagePercent(-1).conclude());
        TestSupport.expect(ErrorCode.INVALID_CONFIG, () -> config().checkpointWalImagePercent(10_001).conclude());
        TestSupport.expect(ErrorCode.INVALID_CONFIG, () -> config().checkpointIntervalMillis(-5).conclude());
        config().checkpointWalBytes(0).checkpointIntervalMillis(0).checkpointsKept(1).checkpointPacedBytesPerSecond(0).conclude();
        config().checkpointPacedBytesPerSecond(1 << 20).conclude();
    }

    private List<Path> images() throws Exception
    {
        try (Stream<Path> s = Files.list(dir.resolve("checkpoints")))
        {
            return s.filter(p -> p.getFileName().toString().endsWith(".img")).sorted().toList();
        }
    }

    private List<Path> walFiles() throws Exception
    {
        try (Stream<Path> s = Files.list(dir.resolve("wal")))
        {
            return s.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().toList();
        }
    }
}
