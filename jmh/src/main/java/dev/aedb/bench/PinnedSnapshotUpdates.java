package dev.aedb.bench;

import dev.aedb.AedbConfig;
import dev.aedb.AedbInstance;
import dev.aedb.JvmFlags;
import dev.aedb.KvGetResult;
import dev.aedb.Snapshot;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.Durability;
import dev.aedb.model.Mutation;
import dev.aedb.model.TransactionEnvelope;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Update throughput while one snapshot stays pinned (issue 8, item 5), block by block: opens aedb with
 * {@link Durability#OS_BUFFERED}, loads {@code keys} keys (16-byte keys, 100-byte values) in one envelope, pins
 * {@code db.snapshot(AT_LATEST)} (or not, with {@code unpinned}), then commits {@code updates} single-KvSet updates of
 * random loaded keys through {@code db.commit} and prints the rate of each successive {@code block} of them. At the end
 * it checks that the pinned snapshot still reads every loaded value, then closes it. Beside the rate, each block reports
 * the CPU time of the engine's sequencer thread per update, which is what trimming costs and which other load on the
 * machine disturbs far less than the rate (a buffered commit is a spin hand-off between two threads, see README.md);
 * it includes the sequencer's idle spinning between commits.
 * <p>
 * Not a JMH benchmark: the point is how the rate changes over one long run (a pinned snapshot used to make every write
 * walk the versions it kept alive), which one trial of successive blocks shows and JMH's averaged iterations hide.
 * Uses only the public API, so the same class runs against older builds of the engine for a before/after.
 * <pre>
 * java -cp jmh/target/benchmarks.jar dev.aedb.bench.PinnedSnapshotUpdates [pinned|unpinned] [updates] [keys] [block] [age-limit]
 * </pre>
 * Defaults: pinned, 1,000,000 updates, 1,000 keys, blocks of 100,000, and no maximum snapshot age (with
 * {@code age-limit}: the engine's default, under which a run longer than it ends with SNAPSHOT_EXPIRED at the final
 * check, after the writer stopped honouring the pin). Relaunches itself with the engine's JVM flags
 * when this JVM lacks them. The random key sequence is fixed (seed 42), the same for every run.
 */
public final class PinnedSnapshotUpdates
{
    private static final long SEED = 42;
    private static final String PROJECT = "bench";
    private static final String SCOPE = "app";

    private PinnedSnapshotUpdates()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (!JvmFlags.missing().isEmpty())
        {
            System.exit(relaunch(args));
            return;
        }
        final boolean pinned = args.length < 1 || !args[0].equals("unpinned");
        final int updates = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        final int keys = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
        final int block = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;
        final boolean ageLimit = args.length > 4 && args[4].equals("age-limit");
        final AedbConfig config = new AedbConfig().durability(Durability.OS_BUFFERED);
        if (!ageLimit)
        {
            noAgeLimit(config);
        }
        final Path dir = BenchData.tempDir("pinned-snapshot");
        try (AedbInstance db = AedbInstance.open(config, dir))
        {
            db.createProject(PROJECT);
            final List<Mutation> load = new ArrayList<>(keys);
            for (int i = 0; i < keys; i++)
            {
                load.add(new Mutation.KvSet(PROJECT, SCOPE, BenchData.key(i), BenchData.value(i)));
            }
            db.commit(TransactionEnvelope.of(load));
            final Snapshot snapshot = pinned ? db.snapshot(ConsistencyMode.AT_LATEST) : null;
            final int[] order = BenchData.randomIndexes(BenchData.RANDOM_COUNT, keys, SEED);
            final byte[][] keyBytes = new byte[keys][];
            for (int i = 0; i < keys; i++)
            {
                keyBytes[i] = BenchData.key(i);
            }
            System.out.printf(Locale.ROOT, "%s: %,d updates of random keys among %,d, OS_BUFFERED, one db.commit each%n",
                pinned ? "one snapshot pinned" : "no snapshot pinned", updates, keys);
            final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            final long sequencer = sequencerThreadId();
            final long start = System.nanoTime();
            long blockStart = start;
            long blockCpu = threads.getThreadCpuTime(sequencer);
            for (int n = 0; n < updates; n++)
            {
                final int k = order[n & (BenchData.RANDOM_COUNT - 1)];
                db.commit(new Mutation.KvSet(PROJECT, SCOPE, keyBytes[k], BenchData.writeValue(n)));
                if ((n + 1) % block == 0 || n + 1 == updates)
                {
                    final long now = System.nanoTime();
                    final long cpu = threads.getThreadCpuTime(sequencer);
                    final int inBlock = (n + 1) % block == 0 ? block : (n + 1) % block;
                    System.out.printf(Locale.ROOT, "  updates %,9d-%,9d: %,10.0f updates/s, sequencer CPU %6.2f us/update%n",
                        n + 1 - inBlock, n + 1, inBlock * 1e9 / (now - blockStart), (cpu - blockCpu) / 1e3 / inBlock);
                    blockStart = now;
                    blockCpu = cpu;
                }
            }
            final long end = System.nanoTime();
            System.out.printf(Locale.ROOT, "  all: %,.0f updates/s; store allocated %,d bytes%n", updates * 1e9 / (end - start),
                db.storeStats().allocatedBytes());
            if (snapshot != null)
            {
                for (int i = 0; i < keys; i++)
                {
                    final KvGetResult r = snapshot.kvGet(PROJECT, SCOPE, keyBytes[i]);
                    if (!Arrays.equals(BenchData.value(i), r.value()))
                    {
                        throw new IllegalStateException("the pinned snapshot lost key " + i);
                    }
                }
                snapshot.close();
                System.out.println("  the pinned snapshot still read all " + keys + " loaded values");
            }
        }
        finally
        {
            BenchData.deleteRecursively(dir);
        }
    }

    /** @return the id of the engine's sequencer thread, whose CPU time per update is what trimming costs. */
    private static long sequencerThreadId()
    {
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            if (t.getName().equals("aedb-sequencer"))
            {
                return t.getId();
            }
        }
        throw new IllegalStateException("no aedb-sequencer thread");
    }

    /**
     * Lifts the maximum snapshot age where the engine has one, so that a slow run measures the cost of trimming around
     * the pin, not the writer dropping an expired pin. Reflection because older builds (the "before" of a before/after)
     * have no such setting.
     */
    private static void noAgeLimit(final AedbConfig config) throws ReflectiveOperationException
    {
        try
        {
            AedbConfig.class.getMethod("maxSnapshotAgeMillis", long.class).invoke(config, Long.MAX_VALUE);
        }
        catch (final NoSuchMethodException ex)
        {
            return; // an engine without an age limit
        }
    }

    private static int relaunch(final String[] args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        command.addAll(JvmFlags.required());
        command.addAll(BenchMain.CHRONICLE_PROPS);
        command.add("-Xmx2g");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(PinnedSnapshotUpdates.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }
}
