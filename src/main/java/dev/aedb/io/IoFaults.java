package dev.aedb.io;

import dev.aedb.model.Mutation;

import java.io.IOException;
import java.util.List;

/**
 * The seam through which one instance's writes can be made to fail the way a real disk or process can: a failed
 * sync, a write refused after so many more WAL bytes, a free-space figure other than the file system's, and named
 * crash points on the production path. One seam is carried per instance (a package-private test hook on
 * {@code AedbConfig}), so two instances in one JVM can meet different faults and no test depends on another's.
 * <p>
 * Production uses {@link #NONE}, a final singleton whose methods are empty or return a constant, so the JIT inlines
 * every call away. Callers pass constant names ({@link #CRASH_POINTS}) and allocate nothing per call.
 * <p>
 * Crash points: an implementation may throw an unchecked exception or an Error there (an in-process test sees how
 * the engine fails: see where each point is called), or end the process (a process-level crash matrix kills there and
 * checks what recovery finds). The engine treats whatever is thrown as it would the same throwable from the code
 * around the point.
 * <p>
 * Threading: every method is called on the writer (sequencer) thread, or during open on the opening thread, never
 * concurrently for one instance, except the checkpoint methods and points, which the checkpointer's thread calls; an implementation set from a test thread must publish its switches safely.
 */
public interface IoFaults
{
    /**
     * In {@code ChronicleWal.append}, after a frame's excerpt is complete in the mapped cycle file and before any sync:
     * the frame is in the page cache, not yet durable, not yet acknowledged.
     */
    String WAL_AFTER_APPEND = "wal.after-append";

    /** In {@code ChronicleWal.sync}, before the sync: every frame since the last sync is appended, none synced. */
    String WAL_BEFORE_SYNC = "wal.before-sync";

    /**
     * In {@code ChronicleWal.sync}, after the sync returned: the frames are durable, but not yet recorded in
     * {@code wal.state} and not yet acknowledged to their callers.
     */
    String WAL_AFTER_SYNC = "wal.after-sync";

    /**
     * In {@code EnvelopeApplier.apply}, before each mutation is applied to the store, with that mutation
     * ({@link #crashPoint(String, Mutation)}); after the envelope's assertions and the mutations before it. Reached by
     * live commits (before the frame is appended) and by WAL replay at open alike.
     */
    String APPLY_BEFORE_MUTATION = "apply.before-mutation";

    /** Every named crash point, in the order a commit meets them. */
    /** In the checkpointer, after about half of an image's key spaces are written to its temp file, none synced. */
    String CHECKPOINT_IMAGE_HALF_WRITTEN = "checkpoint.image-half-written";

    /** In the checkpointer, after the image's temp file is complete and fsynced, before it is renamed. */
    String CHECKPOINT_BEFORE_IMAGE_RENAME = "checkpoint.before-image-rename";

    /** In the checkpointer, after the new manifest's temp file is complete and fsynced, before it is renamed. */
    String CHECKPOINT_BEFORE_MANIFEST_RENAME = "checkpoint.before-manifest-rename";

    /** In the checkpointer, after the new manifest is renamed and the directory fsynced, before any WAL file is deleted. */
    String CHECKPOINT_AFTER_MANIFEST = "checkpoint.after-manifest";

    /** In the checkpointer, after the first of several WAL cycle files is deleted, before the others. */
    String CHECKPOINT_MID_WAL_DELETION = "checkpoint.mid-wal-deletion";

    /** The crash points of a commit, in the order a commit meets them (on the sequencer). */
    List<String> COMMIT_CRASH_POINTS = List.of(APPLY_BEFORE_MUTATION, WAL_AFTER_APPEND, WAL_BEFORE_SYNC, WAL_AFTER_SYNC);

    /** The crash points of a checkpoint, in the order a checkpoint meets them (on the checkpointer). */
    List<String> CHECKPOINT_CRASH_POINTS = List.of(CHECKPOINT_IMAGE_HALF_WRITTEN, CHECKPOINT_BEFORE_IMAGE_RENAME,
        CHECKPOINT_BEFORE_MANIFEST_RENAME, CHECKPOINT_AFTER_MANIFEST, CHECKPOINT_MID_WAL_DELETION);

    /** Every named crash point: a commit's, then a checkpoint's. */
    List<String> CRASH_POINTS = List.of(APPLY_BEFORE_MUTATION, WAL_AFTER_APPEND, WAL_BEFORE_SYNC, WAL_AFTER_SYNC,
        CHECKPOINT_IMAGE_HALF_WRITTEN, CHECKPOINT_BEFORE_IMAGE_RENAME, CHECKPOINT_BEFORE_MANIFEST_RENAME,
        CHECKPOINT_AFTER_MANIFEST, CHECKPOINT_MID_WAL_DELETION);

    /** {@link #usableSpaceOverride()}: ask the file system. */
    long NO_OVERRIDE = -1;

    /** No faults: the production seam. */
    IoFaults NONE = NoIoFaults.INSTANCE;

    /**
     * Called before each WAL sync, after {@link #WAL_BEFORE_SYNC}.
     *
     * @throws IOException to fail that sync as a failed msync/fsync would; the engine stops (fail-stop, IO_ERROR).
     */
    void beforeSync() throws IOException;

    /**
     * Called before each WAL frame is appended, before anything of it is written.
     *
     * @param frameBytes length of aedb's frame (without Chronicle's excerpt header).
     * @throws IOException to fail the write (as ENOSPC or EIO would) with nothing of the frame written; the engine
     *                     stops (fail-stop, IO_ERROR), since the envelope is already applied to the store.
     */
    void beforeAppend(int frameBytes) throws IOException;

    /**
     * Read by the WAL's free-space guard. While it returns a figure, the guard checks it before every append rather
     * than once per MiB written.
     *
     * @return usable bytes to report instead of the file system's figure, or {@link #NO_OVERRIDE}.
     */
    long usableSpaceOverride();

    /**
     * Called by the checkpointer (its own thread) before it writes each key space of an image, with the bytes of the
     * image written so far; throwing fails that checkpoint as a full disk (an IOException whose message contains
     * "No space left on device") or another write error would.
     */
    default void beforeCheckpointWrite(final long bytesWritten) throws IOException
    {
    }

    /** Called by the checkpointer before it fsyncs an image or a manifest; throwing fails the sync. */
    default void beforeCheckpointSync() throws IOException
    {
    }

    /**
     * A named point on the production path was reached.
     *
     * @param name one of {@link #CRASH_POINTS}, a constant.
     */
    void crashPoint(String name);

    /**
     * A named point that concerns one mutation was reached (today {@link #APPLY_BEFORE_MUTATION}).
     *
     * @param name     one of {@link #CRASH_POINTS}, a constant.
     * @param mutation the mutation about to be applied; not to be kept or changed.
     */
    void crashPoint(String name, Mutation mutation);
}
