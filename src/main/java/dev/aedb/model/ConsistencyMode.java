package dev.aedb.model;

/**
 * Which snapshot a read sees. Every read result carries the {@code snapshotSeq} it was read at.
 */
public sealed interface ConsistencyMode
{
    /** The newest visible commit: under {@link Durability#FULL} and {@link Durability#BATCH} that is also durable. */
    ConsistencyMode AT_LATEST = new AtLatest();

    /** Reads the newest visible state. */
    record AtLatest() implements ConsistencyMode
    {
    }

    /**
     * Reads exactly the state after commit {@code seq}. Fails with {@link ErrorCode#SEQ_NOT_VISIBLE} for a seq
     * not yet visible and {@link ErrorCode#SNAPSHOT_EXPIRED} for one whose versions were reclaimed.
     *
     * @param seq the commit sequence number.
     */
    record AtSeq(long seq) implements ConsistencyMode
    {
    }

    /** The state of the newest checkpoint, read from its image. */
    ConsistencyMode AT_CHECKPOINT = new AtCheckpoint();

    /**
     * Reads the state of the newest checkpoint on disk, served from its image (mapped read-only), whatever was committed
     * since; fails with NO_CHECKPOINT before the first checkpoint.
     */
    record AtCheckpoint() implements ConsistencyMode
    {
    }

    /** @return {@link #AT_CHECKPOINT}. */
    static ConsistencyMode atCheckpoint()
    {
        return AT_CHECKPOINT;
    }

    /** @return {@link #AT_LATEST}. */
    static ConsistencyMode atLatest()
    {
        return AT_LATEST;
    }

    /** @return a read at commit {@code seq}; see {@link AtSeq}. */
    static ConsistencyMode atSeq(final long seq)
    {
        return new AtSeq(seq);
    }
}
