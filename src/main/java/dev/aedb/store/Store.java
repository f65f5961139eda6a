package dev.aedb.store;

import dev.aedb.agent.AgentHost;
import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The multi-version store: the {@link Arena}, the {@link ReaderRegistry}, the visible and durable heads, and
 * deferred reclamation of unlinked memory. One writer thread (the sequencer) changes it; any number of readers
 * read it without locks.
 * <p>
 * Background work: the store's {@link PreparationAgent} ({@code aedb-store-prep}) makes memory ahead of the writer's
 * need once {@link #startPreparation} has started it; constructing a store starts no thread. Until then, or if it
 * never runs, the writer does that work itself when it needs the result.
 */
public final class Store implements AutoCloseable
{
    /** The role name of the store's preparation agent, also its thread's name. */
    public static final String PREPARATION_ROLE_NAME = PreparationAgent.ROLE_NAME;

    static final long KIND_NODE = 1;
    static final long KIND_VERSION_SINGLE = 2;
    static final long KIND_VERSION_CHAIN = 3;
    /** A key record moved elsewhere by relocation: the record alone is freed, its chain belongs to the copy. */
    static final long KIND_NODE_RECORD = 4;
    private static final long KIND_MASK = 0xF;

    private final PreparationAgent preparation = new PreparationAgent();
    private final Arena arena;
    private final ReaderRegistry registry;
    private final KeySpaceWriter writer = new KeySpaceWriter();
    private final long retainedCommits;
    private final List<KeySpace> sweepable = new ArrayList<>();
    private final List<KeySpace> relocatable = new ArrayList<>();
    /** Relocation pauses while more blocks than this wait to be freed (64 Ki entries: 1 MiB of heap). */
    static final int RELOCATE_MAX_RETIRED = 1 << 16;
    private final ArrayDeque<Object[]> retiredKeySpaces = new ArrayDeque<>();
    private long[] retireSeqs = new long[1024];
    /** Per retired block, the grace period ({@link ReaderRegistry#startGrace()}) after whose end it may be freed. */
    private long[] retireGraces = new long[1024];
    private long gracesStarted;
    private long gracesEnded;
    private boolean graceRunning;
    /** The visible head at the last {@link #reclaim()}: grace periods start only while it stands still. */
    private long lastReclaimHead = -1;
    private long[] retireAddresses = new long[1024];
    private int retireHead;
    private int retireTail;
    private long effectiveHorizon;
    private volatile long visibleHead;
    private volatile long durableHead;
    private int sweepIndex;
    private volatile AgentHost.Handle preparationHandle;

    /**
     * @param directory       folder for the arena's segment files.
     * @param segmentBytes    arena segment size.
     * @param readerSlots     reader slots.
     * @param retainedCommits commits kept readable with AtSeq without a pin.
     */
    public Store(final Path directory, final int segmentBytes, final int readerSlots, final long retainedCommits)
    {
        this(directory, segmentBytes, new ReaderRegistry(readerSlots), retainedCommits);
    }

    /**
     * @param directory       folder for the arena's segment files.
     * @param segmentBytes    arena segment size.
     * @param readerSlots     reader slots.
     * @param maxAgeNanos     age after which a held snapshot's slot is released and its reads fail.
     * @param clock           the clock of snapshot ages, in nanoseconds.
     * @param retainedCommits commits kept readable with AtSeq without a pin.
     */
    public Store(final Path directory, final int segmentBytes, final int readerSlots, final long maxAgeNanos,
        final LongSupplier clock, final long retainedCommits)
    {
        this(directory, segmentBytes, new ReaderRegistry(readerSlots, maxAgeNanos, clock), retainedCommits);
    }

    /**
     * A store that starts from a checkpoint image: its first arena segments are the image's segment blocks (mapped
     * copy-on-write, each verified the first time it is touched), and {@link #restoreKeySpace} adopts the image's key
     * spaces.
     *
     * @param image      the image's segment blocks, segment {@code i} first.
     * @param imageBytes bytes of records in the image (they count as allocated).
     */
    public Store(final Path directory, final int segmentBytes, final int readerSlots, final long maxAgeNanos,
        final LongSupplier clock, final long retainedCommits, final ImageBlock[] image, final long imageBytes)
    {
        this.arena = new Arena(directory, segmentBytes, preparation, image, imageBytes);
        this.registry = new ReaderRegistry(readerSlots, maxAgeNanos, clock);
        this.retainedCommits = retainedCommits;
    }

    private Store(final Arena arena, final ReaderRegistry registry)
    {
        this.arena = arena;
        this.registry = registry;
        this.retainedCommits = 0;
    }

    /**
     * A store that serves a checkpoint image as it is (AT_CHECKPOINT reads): its segments mapped read-only, its key
     * spaces restored with {@link #restoreKeySpace}, no writer, no files of its own. Closing it does nothing; its
     * mappings are released by the garbage collector once nothing references it.
     */
    public static Store readOnlyImage(final ImageBlock[] image, final long imageBytes, final int readerSlots,
        final long maxAgeNanos, final LongSupplier clock)
    {
        return new Store(Arena.imageOnly(image, imageBytes), new ReaderRegistry(readerSlots, maxAgeNanos, clock));
    }

    Store(final Path directory, final int segmentBytes, final ReaderRegistry registry, final long retainedCommits)
    {
        this.arena = new Arena(directory, segmentBytes, preparation);
        this.registry = registry;
        this.retainedCommits = retainedCommits;
    }

    /**
     * Recovery only: a key space written into this store's image by {@link StoreImageWriter}.
     *
     * @param head      its head record's address.
     * @param topLevel  the highest skip-list level in it.
     * @param hashTable its hash-index array (verified on first use).
     * @param live      the keys in it.
     */
    public KeySpace restoreKeySpace(final long head, final int topLevel, final ImageBlock hashTable, final int live)
    {
        return new KeySpace(this, head, topLevel, hashTable, live);
    }

    /**
     * Recovery only: the state restored from a checkpoint is that of commit {@code seq}. It becomes the visible and the
     * durable head, and the oldest readable seq: the image holds no older versions, so a read below it fails with
     * SNAPSHOT_EXPIRED naming it.
     */
    public void restoreAt(final long seq)
    {
        visibleHead = seq;
        durableHead = seq;
        effectiveHorizon = registry.advance(seq);
    }

    /** @return the oldest seq a new reader may pin (reads below it fail with SNAPSHOT_EXPIRED). */
    public long oldestReadableSeq()
    {
        return registry.horizon();
    }

    Arena arena()
    {
        return arena;
    }

    PreparationAgent preparation()
    {
        return preparation;
    }

    /**
     * Starts the store's preparation agent ({@code aedb-store-prep}) on {@code host}. Call at most once, before the
     * writer starts (recovery writes too, and benefits). {@link #close} stops it.
     */
    public void startPreparation(final AgentHost host)
    {
        if (preparationHandle != null)
        {
            throw new IllegalStateException("preparation already started");
        }
        preparationHandle = host.start(preparation, preparation.idleStrategy(), preparation::onError);
    }

    ReaderRegistry registry()
    {
        return registry;
    }

    /** @return the write side of this store's key spaces, for the single writer thread only. */
    public KeySpaceWriter writer()
    {
        return writer;
    }

    /** @return bytes in live arena blocks (rows, values, keys, versions not yet reclaimed). */
    public long allocatedBytes()
    {
        return arena.allocatedBytes();
    }

    /** @return bytes in freed arena blocks awaiting reuse. */
    public long freeBytes()
    {
        return arena.freeBytes();
    }

    /** @return bytes of arena segment files on disk. */
    public long fileBytes()
    {
        return arena.fileBytes();
    }

    /** @return the reader slots in use right now (see {@link ReaderRegistry#stats()}); safe from any thread. */
    public ReaderStats readerStats()
    {
        return registry.stats();
    }

    /** @return how many reader slots there are. */
    public int readerCapacity()
    {
        return registry.capacity();
    }

    /** @return how many one-shot reads or snapshot reads are inside the store right now. */
    public int readingCount()
    {
        return registry.readingCount();
    }

    public long visibleHead()
    {
        return visibleHead;
    }

    public long durableHead()
    {
        return durableHead;
    }

    /**
     * Claims a reader slot at the visible head for one read or a snapshot. {@code openCheck} runs after the claim (it
     * throws when the owner is closed, and the slot is then released): either the owner's close sees the claimed slot
     * and waits for it, or the reader sees the close. The slot is moved up while it lies below the registry's horizon,
     * so a read never starts at a seq whose versions may already be reclaimed.
     *
     * @return the claimed slot; release it with {@link #unpin}.
     * @throws AedbException SNAPSHOT_LIMIT when every slot is taken (after {@code openCheck}), or what
     *                       {@code openCheck} throws.
     */
    public int pinLatest(final Runnable openCheck)
    {
        long seq = visibleHead;
        final int slot = registry.claim(seq);
        if (slot < 0)
        {
            throw snapshotLimit(openCheck);
        }
        checkOpenOrRelease(slot, openCheck);
        while (seq < registry.horizon())
        {
            seq = visibleHead;
            registry.repin(slot, seq);
        }
        return slot;
    }

    /**
     * Claims a reader slot at {@code seq}, as {@link #pinLatest}.
     *
     * A seq below the oldest readable one is served while an open snapshot that is not expired holds exactly it.
     *
     * @throws AedbException INVALID_ARGUMENT for a negative seq, SEQ_NOT_VISIBLE above the visible head,
     *                       SNAPSHOT_EXPIRED below the oldest readable seq (unless a snapshot holds it, as above),
     *                       SNAPSHOT_LIMIT, or what {@code openCheck} throws (it runs first, and again after the claim).
     */
    public int pinAt(final long seq, final Runnable openCheck)
    {
        openCheck.run();
        if (seq < 0)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "seq must be >= 0, seq=" + seq);
        }
        if (seq > visibleHead)
        {
            throw new AedbException(ErrorCode.SEQ_NOT_VISIBLE, "seq " + seq + " is not visible yet; visible head is " + visibleHead);
        }
        final int slot = registry.claim(seq);
        if (slot < 0)
        {
            throw snapshotLimit(openCheck);
        }
        checkOpenOrRelease(slot, openCheck);
        if (seq < registry.horizon() && !registry.heldBySnapshot(seq, slot))
        {
            registry.release(slot);
            throw new AedbException(ErrorCode.SNAPSHOT_EXPIRED, "seq " + seq + " is no longer readable; the oldest readable seq is "
                + registry.horizon() + " (pin a Snapshot or raise retainedCommits)");
        }
        return slot;
    }

    /** @return the seq a claimed slot reads at. */
    public long pinnedSeq(final int slot)
    {
        return registry.pinned(slot);
    }

    /** Releases a slot claimed by {@link #pinLatest} or {@link #pinAt} and not handed to a {@link PinnedSlot}. */
    public void unpin(final int slot)
    {
        registry.release(slot);
    }

    /**
     * Hands a claimed slot to a long-lived snapshot: from now on the {@link PinnedSlot} owns it (its age counts towards
     * the snapshot age limit, and running it releases the slot once).
     */
    public PinnedSlot hold(final int slot)
    {
        return new PinnedSlot(registry, slot, registry.pinned(slot));
    }

    private void checkOpenOrRelease(final int slot, final Runnable openCheck)
    {
        try
        {
            openCheck.run();
        }
        catch (final RuntimeException ex)
        {
            registry.release(slot);
            throw ex;
        }
    }

    private AedbException snapshotLimit(final Runnable openCheck)
    {
        openCheck.run();
        final ReaderStats stats = registry.stats();
        return new AedbException(ErrorCode.SNAPSHOT_LIMIT, "all " + registry.capacity() + " reader slots are in use ("
            + stats.snapshots() + " by open snapshots, " + stats.expired() + " of them older than maxSnapshotAgeMillis="
            + registry.maxAgeNanos() / 1_000_000 + "); close snapshots or raise maxConcurrentSnapshots");
    }

    /** Writer only: publishes commits up to {@code seq} to readers. */
    public void publishVisible(final long seq)
    {
        visibleHead = seq;
    }

    /** Writer only: records that commits up to {@code seq} are synced. */
    public void publishDurable(final long seq)
    {
        durableHead = seq;
    }

    /** @return a new, empty key space in this store. */
    public KeySpace newKeySpace()
    {
        final KeySpace ks = new KeySpace(this);
        return ks;
    }

    /**
     * Writer only: the effective horizon computed by the last {@link #reclaim()}: the minimum of the registry's
     * horizon and every honoured pin. No reader reads below it: the sweeper visits a record once it has passed the
     * record's queued seq, and dropped key spaces and catalog history below it are released. Trimming itself keeps
     * less (see {@link KeySpace#trim(long)}).
     */
    public long effectiveHorizon()
    {
        return effectiveHorizon;
    }

    void retire(final long address, final long kind)
    {
        if (retireTail == retireSeqs.length)
        {
            compactRetired();
        }
        retireSeqs[retireTail] = visibleHead;
        retireGraces[retireTail] = gracesStarted + 1; // a grace period that starts after this unlink
        retireAddresses[retireTail] = address | kind;
        retireTail++;
    }

    private void compactRetired()
    {
        final int live = retireTail - retireHead;
        if (live * 2 > retireSeqs.length)
        {
            retireSeqs = Arrays.copyOf(retireSeqs, retireSeqs.length * 2);
            retireGraces = Arrays.copyOf(retireGraces, retireGraces.length * 2);
            retireAddresses = Arrays.copyOf(retireAddresses, retireAddresses.length * 2);
        }
        System.arraycopy(retireSeqs, retireHead, retireSeqs, 0, live);
        System.arraycopy(retireGraces, retireHead, retireGraces, 0, live);
        System.arraycopy(retireAddresses, retireHead, retireAddresses, 0, live);
        retireHead = 0;
        retireTail = live;
    }

    /** Writer only: a dropped key space, freed once no reader can reach it (see {@link #reclaim()}). */
    public void retireKeySpace(final KeySpace keySpace, final long dropSeq)
    {
        sweepable.remove(keySpace);
        relocatable.remove(keySpace);
        keySpace.inRelocateList = false;
        retiredKeySpaces.add(new Object[]{keySpace, dropSeq, Long.MIN_VALUE});
    }

    void markSweepable(final KeySpace keySpace)
    {
        if (!keySpace.inSweepList)
        {
            keySpace.inSweepList = true;
            sweepable.add(keySpace);
        }
    }

    /**
     * Writer only: raises the horizon, scans the reader slots, frees unlinked memory no reader can reach, and
     * frees dropped key spaces whose drop is below the horizon. Memory unlinked at visible head {@code U} is freed
     * once every slot that may be walking the store pins a seq above {@code U}, or once a grace period that began
     * after the unlink has ended (every read under way at its start has ended, {@link ReaderRegistry#startGrace()}):
     * the seq rule frees at once when commits go on, the grace rule when readers keep pinning the same head with no
     * commit in between (relocation in idle time unlinks with no commit). Idle snapshots count for neither (see
     * {@link ReaderRegistry}), so a snapshot held open does not hold back freeing, only trimming.
     *
     * @return the new effective horizon.
     */
    public long reclaim()
    {
        final int limit = retireTail;
        final long head = visibleHead;
        effectiveHorizon = registry.advance(Math.max(0, head - retainedCommits));
        final long minPin = registry.minReadingPin();
        if (graceRunning && registry.graceOver())
        {
            graceRunning = false;
            gracesEnded = gracesStarted;
        }
        final boolean headStill = head == lastReclaimHead;
        lastReclaimHead = head;
        if (headStill && !graceRunning && retireTail > retireHead && retireGraces[retireTail - 1] > gracesEnded
            && retireSeqs[retireTail - 1] >= minPin)
        {
            // Only while no commit moves the head: when commits go on, readers move to newer heads and the seq rule
            // frees at the next reclaims, and a grace period's slot scan would only add to every batch.
            registry.startGrace(); // covers every unlink so far; ends at a later reclaim, or now when no one reads
            gracesStarted++;
            graceRunning = true;
            if (registry.graceOver())
            {
                graceRunning = false;
                gracesEnded = gracesStarted;
            }
        }
        while (retireHead < limit && (retireSeqs[retireHead] < minPin || retireGraces[retireHead] <= gracesEnded))
        {
            final long tagged = retireAddresses[retireHead];
            final long address = tagged & ~KIND_MASK;
            final long kind = tagged & KIND_MASK;
            if (kind == KIND_NODE)
            {
                KeySpace.freeNode(arena, address);
            }
            else if (kind == KIND_NODE_RECORD)
            {
                KeySpace.freeNodeRecord(arena, address);
            }
            else if (kind == KIND_VERSION_CHAIN)
            {
                KeySpace.freeVersionChain(arena, address);
            }
            else
            {
                KeySpace.freeVersion(arena, address);
            }
            retireHead++;
        }
        if (retireHead == retireTail)
        {
            retireHead = 0;
            retireTail = 0;
        }
        for (final var it = retiredKeySpaces.iterator(); it.hasNext(); )
        {
            final Object[] entry = it.next();
            final KeySpace ks = (KeySpace)entry[0];
            final long dropSeq = (Long)entry[1];
            final long unlinkedAt = (Long)entry[2];
            if (unlinkedAt == Long.MIN_VALUE)
            {
                if (effectiveHorizon >= dropSeq)
                {
                    entry[2] = head;
                }
            }
            else if (unlinkedAt < minPin)
            {
                ks.destroy();
                it.remove();
            }
        }
        return effectiveHorizon;
    }

    /** @return retired blocks not yet freed. */
    public int pendingRetired()
    {
        return retireTail - retireHead + retiredKeySpaces.size();
    }

    /**
     * Writer only: trims chains and unlinks dead keys in key spaces that have garbage, a bounded amount per call.
     *
     * @param budget most nodes to visit.
     * @return nodes visited (0 when there was nothing to do).
     */
    public int sweep(final int budget)
    {
        int done = 0;
        for (int n = sweepable.size(); n > 0 && done < budget && !sweepable.isEmpty(); n--)
        {
            if (sweepIndex >= sweepable.size())
            {
                sweepIndex = 0;
            }
            final KeySpace ks = sweepable.get(sweepIndex);
            done += ks.sweep(budget - done, effectiveHorizon, registry.horizon(), registry.pins(), registry.pinCount());
            if (!ks.hasGarbage())
            {
                ks.inSweepList = false;
                sweepable.remove(sweepIndex);
            }
            else
            {
                sweepIndex++;
            }
        }
        return done;
    }

    void markRelocatable(final KeySpace keySpace)
    {
        if (!keySpace.inRelocateList)
        {
            keySpace.inRelocateList = true;
            relocatable.add(keySpace);
        }
    }

    /** @return whether a key space waits for {@link #relocate(int)} (tests, the sequencer's idle check). */
    public boolean relocationPending()
    {
        return !relocatable.isEmpty();
    }

    /**
     * Writer only, in idle time: one step of moving the key records of a key space whose keys were inserted out of
     * order (and the newest version of each) into key order in memory, so that scans and checkpoints read neighbours
     * from neighbouring memory (see {@link KeySpace#relocateStep(int)}). A full disk (no room for a new segment) ends
     * the pass; nothing is lost, the records stay where they are.
     *
     * @param budget most records to move in this step.
     * @return records visited, 0 when no key space needs it.
     */
    public int relocate(final int budget)
    {
        if (retireTail - retireHead > RELOCATE_MAX_RETIRED)
        {
            return 0; // a long reader holds back freeing: wait for it rather than grow the retire list and the arena
        }
        while (!relocatable.isEmpty())
        {
            final KeySpace ks = relocatable.get(0);
            int visited;
            try
            {
                visited = ks.relocateStep(budget);
            }
            catch (final AedbException e)
            {
                if (e.code() != ErrorCode.DISK_FULL)
                {
                    throw e; // a damaged image segment met on the way is corruption: it is reported, not stepped over
                }
                ks.abandonRelocation();
                visited = 0;
            }
            if (!ks.relocating() && !ks.relocationWanted()) // wanted: the inserts during the pass call for another
            {
                ks.inRelocateList = false;
                relocatable.remove(0);
            }
            if (visited > 0)
            {
                return visited;
            }
        }
        return 0;
    }

    @Override
    public void close()
    {
        close(true);
    }

    /**
     * Stops the preparation agent (waiting for work it has under way), then closes the arena.
     *
     * @param unmap false when a reader may still hold a pointer into the arena (see {@link Arena#close(boolean)}).
     */
    public void close(final boolean unmap)
    {
        preparation.requestStop();
        final boolean interrupted = preparationHandle != null && preparationHandle.awaitClosed();
        arena.close(unmap);
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
