package dev.aedb;

import dev.aedb.model.AedbException;
import dev.aedb.model.CommitResult;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.Durability;
import dev.aedb.model.Mutation;
import dev.aedb.model.Row;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Value;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A seeded random workload of KV and table mutations, with rejected envelopes mixed in, checked against an
 * in-memory model after every commit (point reads), at old snapshots (AtSeq), in full scans, and again after a
 * reopen. Set -Daedb.model.seed to replay a failure.
 */
class RandomizedModelTest
{
    @TempDir
    Path dir;

    private static final class Model
    {
        final TreeMap<String, String> kv = new TreeMap<>();
        final TreeMap<Long, String> users = new TreeMap<>();

        Model copy()
        {
            final Model m = new Model();
            m.kv.putAll(kv);
            m.users.putAll(users);
            return m;
        }
    }

    @Test
    void shouldMatchTheModelBeforeAndAfterReopen()
    {
        final long seed = Long.getLong("aedb.model.seed", System.nanoTime());
        System.out.println("RandomizedModelTest seed=" + seed + " (rerun with -Daedb.model.seed=" + seed + ")");
        final Random random = new Random(seed);
        final Model model = new Model();
        final Map<Long, Model> history = new HashMap<>();
        final AedbConfig config = TestSupport.smallConfig().durability(Durability.OS_BUFFERED).retainedCommits(100_000);
        try (AedbInstance db = AedbInstance.open(config, dir))
        {
            TestSupport.usersTable(db);
            for (int step = 0; step < 3_000; step++)
            {
                final List<Mutation> mutations = new ArrayList<>();
                final Model next = model.copy();
                final int n = 1 + random.nextInt(4);
                boolean bad = false;
                for (int i = 0; i < n; i++)
                {
                    final int op = random.nextInt(10);
                    final String key = "k" + random.nextInt(200);
                    final long id = random.nextInt(200);
                    switch (op)
                    {
                        case 0, 1, 2 ->
                        {
                            final String value = "v" + random.nextInt(1_000_000);
                            mutations.add(TestSupport.kvSet(key, value));
                            next.kv.put(key, value);
                        }
                        case 3 ->
                        {
                            mutations.add(new Mutation.KvDel("p", "app", TestSupport.b(key)));
                            next.kv.remove(key);
                        }
                        case 4, 5, 6 ->
                        {
                            final String name = "n" + random.nextInt(1_000_000);
                            mutations.add(TestSupport.user(id, name));
                            next.users.put(id, name);
                        }
                        case 7 ->
                        {
                            mutations.add(new Mutation.Delete("p", "app", "users", List.of(Value.integer(id))));
                            next.users.remove(id);
                        }
                        case 8 ->
                        {
                            if (next.users.containsKey(id))
                            {
                                bad = true; // duplicate insert: the whole envelope must be rejected
                            }
                            final String name = "i" + random.nextInt(1000);
                            mutations.add(TestSupport.insertUser(id, name));
                            next.users.put(id, name);
                        }
                        default ->
                        {
                            bad = true;
                            mutations.add(new Mutation.KvSet("p", "nope", TestSupport.b(key), TestSupport.b("x")));
                        }
                    }
                }
                final long before = db.headState().visibleHeadSeq();
                try
                {
                    final CommitResult r = db.commit(TransactionEnvelope.of(mutations));
                    assertEquals(false, bad, "seed=" + seed + " step=" + step + ": a bad envelope committed");
                    assertEquals(before + 1, r.commitSeq());
                    model.kv.clear();
                    model.kv.putAll(next.kv);
                    model.users.clear();
                    model.users.putAll(next.users);
                    history.put(r.commitSeq(), model.copy());
                }
                catch (final AedbException ex)
                {
                    assertEquals(true, bad, "seed=" + seed + " step=" + step + ": " + ex.getMessage());
                    assertEquals(before, db.headState().visibleHeadSeq());
                }
                final String probe = "k" + random.nextInt(200);
                assertEquals(model.kv.get(probe), TestSupport.s(db.kvGet("p", "app", TestSupport.b(probe)).value()),
                    "seed=" + seed + " step=" + step + " key " + probe);
                if (step % 100 == 99 && !history.isEmpty())
                {
                    final List<Long> seqs = new ArrayList<>(history.keySet());
                    final long old = seqs.get(random.nextInt(seqs.size()));
                    check(db, history.get(old), ConsistencyMode.atSeq(old), seed);
                }
            }
            check(db, model, ConsistencyMode.AT_LATEST, seed);
        }
        try (AedbInstance db = AedbInstance.open(config, dir))
        {
            check(db, model, ConsistencyMode.AT_LATEST, seed);
        }
    }

    private static void check(final AedbInstance db, final Model model, final ConsistencyMode mode, final long seed)
    {
        final TreeMap<String, String> kv = new TreeMap<>();
        ScanCursor cursor = null;
        long snapshot = -1;
        do
        {
            final KvScanResult page = db.kvScanPrefix("p", "app", TestSupport.b("k"), 37, cursor, mode);
            for (final KvEntry e : page.entries())
            {
                kv.put(TestSupport.s(e.key()), TestSupport.s(e.value()));
            }
            if (snapshot >= 0)
            {
                assertEquals(snapshot, page.snapshotSeq(), "pages must share one snapshot");
            }
            snapshot = page.snapshotSeq();
            cursor = page.next();
        }
        while (cursor != null);
        assertEquals(model.kv, kv, "seed=" + seed + " kv at " + mode);
        final TreeMap<Long, String> users = new TreeMap<>();
        cursor = null;
        do
        {
            final TableScanResult page = db.scanTable("p", "app", "users", 23, cursor, mode);
            for (final Row row : page.rows())
            {
                users.put(((Value.Int)row.get(0)).value(), ((Value.Text)row.get(1)).value());
            }
            cursor = page.next();
        }
        while (cursor != null);
        assertEquals(model.users, users, "seed=" + seed + " users at " + mode);
        final List<Long> keys = new ArrayList<>(users.keySet());
        assertEquals(keys.stream().sorted().toList(), keys, "table scans must come back in key order");
        for (final Map.Entry<Long, String> e : model.users.entrySet())
        {
            final RowResult r = db.get("p", "app", "users", List.of(Value.integer(e.getKey())), mode);
            assertEquals(e.getValue(), ((Value.Text)r.row().get(1)).value());
        }
        assertNull(db.get("p", "app", "users", List.of(Value.integer(-1)), mode).row());
        assertEquals(Arrays.asList(kv.keySet().toArray()), new ArrayList<>(model.kv.keySet()));
    }
}
