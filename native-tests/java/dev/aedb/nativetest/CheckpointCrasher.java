package dev.aedb.nativetest;

import dev.aedb.AedbConfig;
import dev.aedb.AedbInstance;
import dev.aedb.TestFaults;
import dev.aedb.model.Durability;
import dev.aedb.model.Mutation;
import dev.aedb.model.TransactionEnvelope;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Child process of {@link CheckpointCrashIT}: one writer thread commits envelope n = 1, 2, 3, ... (KV {@code k<n> = n},
 * {@code m<n> = n}, {@code last = n}) printing {@code ACK <n> <seq>} after each acknowledged commit, while another thread
 * takes a checkpoint every {@value #CHECKPOINT_EVERY} acknowledged commits. From the second checkpoint on, the named
 * crash point ends the process with {@code Runtime.halt(}{@value #HALT_CODE}{@code )} (no shutdown hooks, no close: a
 * crash). Exits 0 (which the test takes as a failure) when the point was never reached.
 * <p>
 * Arguments: data directory, durability, crash point, first n.
 */
public final class CheckpointCrasher
{
    static final int HALT_CODE = 77;
    static final int CHECKPOINT_EVERY = 150;
    static final int MAX_COMMITS = 3_000;

    private CheckpointCrasher()
    {
    }

    static TransactionEnvelope envelope(final long n)
    {
        final byte[] v = Long.toString(n).getBytes(StandardCharsets.US_ASCII);
        return TransactionEnvelope.of(
            new Mutation.KvSet("crash", "app", ("k" + n).getBytes(StandardCharsets.US_ASCII), v),
            new Mutation.KvSet("crash", "app", ("m" + n).getBytes(StandardCharsets.US_ASCII), v),
            new Mutation.KvSet("crash", "app", "last".getBytes(StandardCharsets.US_ASCII), v));
    }

    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[0]);
        final Durability durability = Durability.valueOf(args[1]);
        final String point = args[2];
        final long first = Long.parseLong(args[3]);
        final PrintStream out = System.out;
        final AtomicBoolean armed = new AtomicBoolean();
        final TestFaults faults = new TestFaults();
        faults.crashAt(point, m ->
        {
            if (armed.get())
            {
                out.flush();
                Runtime.getRuntime().halt(HALT_CODE);
            }
        });
        final AedbConfig config = faults.applyTo(new AedbConfig().durability(durability).storeSegmentBytes(4 << 20)
            .batchIntervalMicros(500).checkpointWalBytes(0).checkpointsKept(2));
        final AedbInstance db = AedbInstance.open(config, dir);
        if (first == 1)
        {
            db.createProject("crash");
        }
        final Object lock = new Object();
        final long[] acked = {0};
        final long[] checkpointed = {0}; // checkpoints taken, under lock
        final Thread checkpointer = new Thread(() ->
        {
            long next = CHECKPOINT_EVERY;
            int taken = 0;
            while (true)
            {
                synchronized (lock)
                {
                    while (acked[0] < next)
                    {
                        try
                        {
                            lock.wait();
                        }
                        catch (final InterruptedException ex)
                        {
                            return;
                        }
                    }
                }
                next += CHECKPOINT_EVERY;
                if (++taken == 2)
                {
                    armed.set(true);
                }
                db.checkpointNow();
                synchronized (lock)
                {
                    checkpointed[0]++;
                    lock.notifyAll();
                }
            }
        }, "crasher-checkpoints");
        checkpointer.setDaemon(true);
        checkpointer.start();
        for (long n = first; n < first + MAX_COMMITS; n++)
        {
            synchronized (lock)
            {
                // at most two intervals ahead of the checkpoints: commits run by their caller (OS_BUFFERED) would
                // otherwise reach MAX_COMMITS before the checkpoints reach the crash point
                while (acked[0] >= (checkpointed[0] + 2) * CHECKPOINT_EVERY)
                {
                    lock.wait();
                }
            }
            final long seq = db.commit(envelope(n)).commitSeq();
            synchronized (out)
            {
                out.println("ACK " + n + " " + seq);
                out.flush();
            }
            synchronized (lock)
            {
                acked[0]++;
                lock.notifyAll();
            }
        }
        out.println("DONE");
        out.flush();
        Runtime.getRuntime().halt(0);
    }
}
