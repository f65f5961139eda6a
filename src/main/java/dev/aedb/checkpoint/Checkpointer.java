package dev.aedb.checkpoint;

import dev.aedb.agent.WakeableIdleStrategy;
import dev.aedb.catalog.CatalogState;
import dev.aedb.io.FileRetirement;
import dev.aedb.io.IoFaults;
import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;
import dev.aedb.store.ImageBlock;
import dev.aedb.store.Store;

import org.agrona.concurrent.Agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The checkpointer agent ({@value #ROLE_NAME}): writes the image of a state the sequencer captured
 * ({@link Capture}: a commit seq, a reader slot pinned at it, the catalog and the idempotency records at it, the first
 * WAL cycle after it), publishes it in a new manifest, keeps the newest {@code keep} checkpoints, and deletes what no
 * kept checkpoint needs: older images and the WAL cycle files below the oldest kept checkpoint's first cycle.
 * <p>
 * It reads the store through the pinned slot while the sequencer goes on committing: no writer pause. One capture at a
 * time: the sequencer offers the next only when {@link #idle()}.
 * <p>
 * Failures: a write that fails (a full disk, an I/O error) fails that checkpoint only: its temp file is deleted, the
 * previous checkpoints stay valid and commits go on; the futures of the capture complete with DISK_FULL or IO_ERROR. A
 * failed fsync is fail-stop as for the WAL (after it the page cache's state is unknown): the engine is stopped
 * through {@code failStop}.
 */
public final class Checkpointer implements Agent, WakeableIdleStrategy.Condition
{
    /** The agent's role name, also its thread's name. */
    public static final String ROLE_NAME = "aedb-checkpointer";
    /** The folder of the images and manifests, in the data directory. */
    public static final String DIRECTORY = "checkpoints";

    /** Deletes the WAL cycle files below a cycle; the WAL layer's. */
    @FunctionalInterface
    public interface WalRetention
    {
        /**
         * @param stepwise whether files nothing maps are truncated in steps first (not at close: no commit to spare).
         * @return the files deleted.
         * @throws IOException when a deletion fails.
         */
        List<String> deleteBelow(int cycle, boolean stepwise) throws IOException;
    }

    /**
     * A state the sequencer captured for a checkpoint.
     *
     * @param seq         the commit seq (synced, visible).
     * @param slot        a reader slot of the store pinned at {@code seq}; the checkpointer releases it.
     * @param catalog     the catalog at {@code seq}.
     * @param idempotency the idempotency records in force at {@code seq}, encoded, read while the slot is pinned.
     * @param fromCycle   the WAL cycle the commit after {@code seq} goes to.
     * @param waiters     completed with {@code seq} once the checkpoint is published, or exceptionally.
     */
    public record Capture(long seq, int slot, CatalogState catalog, java.util.function.Supplier<byte[]> idempotency, int fromCycle,
        List<CompletableFuture<Long>> waiters)
    {
    }

    /** A published checkpoint, as reported. */
    public record Published(long seq, String file, long bytes, long keys, long millis, List<String> walFilesDeleted)
    {
    }

    private final Path directory;
    private final Store store;
    private final int keep;
    private final IoFaults faults;
    private final WalRetention walRetention;
    private final Consumer<AedbException> failStop;
    private final java.util.function.LongSupplier lastWalSyncNanos;
    private final long pacedBytesPerSecond;
    private final AtomicReference<Capture> next = new AtomicReference<>();
    private final WakeableIdleStrategy idleStrategy = new WakeableIdleStrategy(0, 0, 1_000_000, 100_000_000, this);
    private volatile boolean busy;
    /** Record bytes the image being written holds so far (StoreImageWriter's release stores; 0 at each offer). */
    private final AtomicLong progress = new AtomicLong();
    private volatile boolean stopping;
    /** Set by {@link #writeNow} (clean close): retirement need not spare commits any more. */
    private volatile boolean closing;
    private volatile Published last;
    private long generation;
    private volatile List<Manifest.Entry> entries;
    /** The blocks of the image this instance opened from, verified in the background one per duty cycle. */
    private final List<ImageBlock> toVerify;
    private int verifiedUpTo;
    private final List<String> named;
    private boolean cleaned;
    /** Image files this process maps (the one it opened from, {@code AT_CHECKPOINT} views); guarded by itself. */
    private final Set<String> mapped = new HashSet<>();
    /** Image files being truncated before their unlink; guarded by {@link #mapped}. */
    private final Set<String> retiring = new HashSet<>();

    /**
     * @param dataDirectory the database's directory.
     * @param keep          checkpoints kept (at least 1).
     * @param loaded        what recovery found: the manifest generation and its entries.
     * @param lastWalSyncNanos    when the WAL last synced durable commits ({@code System.nanoTime()}).
     * @param pacedBytesPerSecond the image's write rate while such syncs are recent (within 10 ms); 0 = never paced.
     */
    public Checkpointer(final Path dataDirectory, final Store store, final int keep, final IoFaults faults,
        final CheckpointRecovery.Loaded loaded, final WalRetention walRetention, final Consumer<AedbException> failStop,
        final java.util.function.LongSupplier lastWalSyncNanos, final long pacedBytesPerSecond)
    {
        this.lastWalSyncNanos = lastWalSyncNanos;
        this.pacedBytesPerSecond = pacedBytesPerSecond;
        this.directory = dataDirectory.resolve(DIRECTORY);
        this.store = store;
        this.keep = keep;
        this.faults = faults;
        this.walRetention = walRetention;
        this.failStop = failStop;
        this.generation = loaded.generation();
        this.entries = new ArrayList<>(loaded.entries());
        this.named = loaded.named();
        this.toVerify = loaded.blocks();
        if (loaded.file() != null)
        {
            mapped.add(loaded.file().getFileName().toString());
        }
    }

    /**
     * Any thread, before it maps an image of this directory: once registered, the image is never truncated when it
     * is retired, only unlinked (its mapping stays valid until unmapped).
     *
     * @return false when the image is being retired now (the caller takes the newer one).
     */
    public boolean registerMapped(final Path image)
    {
        final String name = image.getFileName().toString();
        synchronized (mapped)
        {
            if (retiring.contains(name))
            {
                return false;
            }
            mapped.add(name);
            return true;
        }
    }

    /**
     * Deletes an image no manifest in force names: one nothing maps in steps ({@link FileRetirement}, ~150 ms for a
     * 200 MB image, so that the unlink does not stall commits); a mapped one only unlinked, since truncating it would
     * turn the next read of its pages into SIGBUS; at close every one only unlinked.
     */
    private void retireImage(final Path image) throws IOException
    {
        final String name = image.getFileName().toString();
        synchronized (mapped)
        {
            if (closing || mapped.contains(name))
            {
                Files.deleteIfExists(image);
                return;
            }
            retiring.add(name);
        }
        try
        {
            FileRetirement.deleteInSteps(image);
        }
        finally
        {
            synchronized (mapped)
            {
                retiring.remove(name);
            }
        }
    }

    /** @return the idle strategy the agent runs with (parks up to 100 ms, woken by {@link #offer}). */
    public WakeableIdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /** @return whether no capture is waiting or being written (the sequencer's test before it captures). */
    public boolean idle()
    {
        return !busy && next.get() == null;
    }

    /** @return the newest checkpoint's seq, 0 when there is none. */
    public long newestSeq()
    {
        final List<Manifest.Entry> e = entries;
        return e.isEmpty() ? 0 : e.get(0).seq();
    }

    /** @return the newest checkpoint's image size in bytes, 0 when there is none. */
    public long newestBytes()
    {
        final List<Manifest.Entry> e = entries;
        return e.isEmpty() ? 0 : e.get(0).length();
    }

    /**
     * @return the record bytes the checkpoint being written (or last written) has written so far, advanced every few
     *         dozen keys: how fast it goes beside the WAL that commits write meanwhile.
     */
    public long progressBytes()
    {
        return progress.get();
    }

    /** @return the newest checkpoint's image file, or null when there is none. */
    public Path newestFile()
    {
        final List<Manifest.Entry> e = entries;
        return e.isEmpty() ? null : directory.resolve(e.get(0).file());
    }

    /** @return the last checkpoint this instance published, or null. */
    public Published lastPublished()
    {
        return last;
    }

    /**
     * Sequencer: hands over a capture; the agent writes it at its next duty cycle.
     *
     * @throws IllegalStateException when one is still waiting (callers check {@link #idle()} first).
     */
    public void offer(final Capture capture)
    {
        progress.set(0);
        busy = true;
        if (!next.compareAndSet(null, capture))
        {
            throw new IllegalStateException("a checkpoint capture is already waiting");
        }
        idleStrategy.wake();
    }

    @Override
    public boolean hasWork()
    {
        return stopping || next.get() != null || verifiedUpTo < toVerify.size();
    }

    /** Asks the agent to stop once the capture it holds (if any) is written; its duty cycle then ends the agent. */
    public void requestStop()
    {
        stopping = true;
        idleStrategy.wake();
    }

    @Override
    public long parkLimitNanos()
    {
        return Long.MAX_VALUE;
    }

    @Override
    public int doWork()
    {
        if (!cleaned)
        {
            cleaned = true;
            removeStrayFiles();
        }
        final Capture c = next.getAndSet(null);
        if (c == null)
        {
            if (stopping)
            {
                throw new org.agrona.concurrent.AgentTerminationException(true);
            }
            return verifyNextBlock();
        }
        try
        {
            write(c);
        }
        finally
        {
            busy = false;
        }
        return 1;
    }

    /**
     * Writes a capture on the calling thread (clean close, after the sequencer stopped and this agent is idle).
     *
     * @return what was published.
     * @throws AedbException why it failed.
     */
    public Published writeNow(final Capture capture)
    {
        closing = true; // the sequencer has stopped: retired files are unlinked at once, there is no commit to spare
        busy = true;
        try
        {
            return write(capture);
        }
        finally
        {
            busy = false;
        }
    }

    private Published write(final Capture c)
    {
        final long started = System.nanoTime();
        Published published = null;
        AedbException failure = null;
        try
        {
            final CheckpointImage.Summary image;
            final boolean[] unpinned = {false};
            final Runnable unpin = () ->
            {
                if (!unpinned[0])
                {
                    unpinned[0] = true;
                    store.unpin(c.slot());
                }
            };
            try
            {
                image = CheckpointImage.write(directory, c.seq(), c.catalog(), c.idempotency().get(), c.fromCycle(),
                    System.currentTimeMillis() * 1000, faults, unpin, progress, new CheckpointPacer(lastWalSyncNanos, pacedBytesPerSecond));
            }
            finally
            {
                unpin.run(); // on a failure before the read ended
            }
            final List<Manifest.Entry> kept = new ArrayList<>();
            kept.add(new Manifest.Entry(image.seq(), image.file(), image.length(), image.imageCrc(), image.fromCycle()));
            for (final Manifest.Entry e : entries)
            {
                if (kept.size() < keep && e.seq() < image.seq())
                {
                    kept.add(e);
                }
            }
            Manifest.write(directory, generation + 1, kept, faults);
            generation++;
            final List<Manifest.Entry> before = entries;
            entries = kept;
            faults.crashPoint(IoFaults.CHECKPOINT_AFTER_MANIFEST);
            for (final Manifest.Entry e : before)
            {
                if (!kept.contains(e))
                {
                    retireImage(directory.resolve(e.file()));
                }
            }
            final int oldestCycle = kept.get(kept.size() - 1).fromCycle();
            final List<String> deleted = walRetention.deleteBelow(oldestCycle, !closing);
            published = new Published(image.seq(), image.file(), image.length(), image.keys(),
                (System.nanoTime() - started) / 1_000_000, deleted);
            last = published;
        }
        catch (final AedbException ex)
        {
            failure = ex;
        }
        catch (final IOException ex)
        {
            failure = ioFailure(c.seq(), ex);
        }
        catch (final RuntimeException ex)
        {
            failure = new AedbException(ErrorCode.INTERNAL_ERROR, "checkpoint at seq " + c.seq() + " failed: " + ex, ex);
        }
        catch (final Error err)
        {
            final AedbException stop = new AedbException(ErrorCode.INTERNAL_ERROR, "checkpoint at seq " + c.seq()
                + " failed: " + err + "; the engine stops", err);
            failStop.accept(stop);
            for (final CompletableFuture<Long> w : c.waiters())
            {
                w.completeExceptionally(stop);
            }
            throw err;
        }
        for (final CompletableFuture<Long> w : c.waiters())
        {
            if (failure == null)
            {
                w.complete(c.seq());
            }
            else
            {
                w.completeExceptionally(failure);
            }
        }
        if (failure != null)
        {
            throw failure;
        }
        return published;
    }

    private AedbException ioFailure(final long seq, final IOException ex)
    {
        final String message = String.valueOf(ex.getMessage());
        if (message.contains("No space left") || message.contains("Disk quota"))
        {
            return new AedbException(ErrorCode.DISK_FULL, "checkpoint at seq " + seq + " failed, the disk is full (" + message
                + "); nothing of it was kept, the previous checkpoints stay valid and commits go on while space allows", ex);
        }
        if (ex instanceof SyncFailedException)
        {
            final AedbException stop = new AedbException(ErrorCode.IO_ERROR, "checkpoint at seq " + seq + ": fsync failed ("
                + message + "); the engine stops as after a failed WAL sync", ex);
            failStop.accept(stop);
            return stop;
        }
        return new AedbException(ErrorCode.IO_ERROR, "checkpoint at seq " + seq + " failed: " + message
            + "; nothing of it was kept, the previous checkpoints stay valid", ex);
    }

    /** An fsync that failed, told apart from other write failures: fail-stop. */
    static final class SyncFailedException extends IOException
    {
        private static final long serialVersionUID = 1L;

        SyncFailedException(final IOException cause)
        {
            super("fsync failed: " + cause.getMessage(), cause);
        }
    }

    /** fsyncs a checkpoint file; a failure is a {@link SyncFailedException}. */
    static void force(final java.nio.channels.FileChannel ch, final IoFaults faults) throws SyncFailedException
    {
        try
        {
            faults.beforeCheckpointSync();
            ch.force(true);
        }
        catch (final IOException ex)
        {
            throw new SyncFailedException(ex);
        }
    }

    /**
     * Verifies one more block of the image the store opened from, so that the first reads after an open rarely pay for
     * it (a block is verified once, by whoever touches it first). A damaged block is remembered by the block itself and
     * met by every read of it; here it is only logged.
     */
    private int verifyNextBlock()
    {
        if (verifiedUpTo >= toVerify.size())
        {
            return 0;
        }
        final ImageBlock block = toVerify.get(verifiedUpTo++);
        if (block.isVerified())
        {
            return 0;
        }
        try
        {
            block.verified();
        }
        catch (final AedbException ex)
        {
            System.getLogger(Checkpointer.class.getName()).log(System.Logger.Level.ERROR, ex.getMessage());
        }
        return 1;
    }

    /** Temp files of an interrupted checkpoint and images no manifest names: left by a crash, never used. */
    private void removeStrayFiles()
    {
        if (!Files.isDirectory(directory))
        {
            return;
        }
        try (Stream<Path> files = Files.list(directory))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                final String name = p.getFileName().toString();
                final boolean live = named.contains(name) || entries.stream().anyMatch(e -> e.file().equals(name));
                if (name.endsWith(CheckpointImage.TEMP_SUFFIX) || (CheckpointImage.seqOf(name) >= 0 && !live))
                {
                    Files.deleteIfExists(p);
                }
            }
        }
        catch (final IOException ignore)
        {
            // best effort: the next open tries again; such files are never read
        }
    }

    @Override
    public String roleName()
    {
        return ROLE_NAME;
    }
}
