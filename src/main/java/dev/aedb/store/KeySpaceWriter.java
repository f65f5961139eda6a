package dev.aedb.store;

import org.agrona.DirectBuffer;

/**
 * The write side of every {@link KeySpace} of one {@link Store}, kept off {@code KeySpace} itself so that readers
 * (query, facade) see only reads. Obtained from {@link Store#writer()} by the single writer thread (the sequencer,
 * or recovery before it starts); calling it from any other thread breaks the store's single-writer invariant.
 */
public final class KeySpaceWriter
{
    KeySpaceWriter()
    {
    }

    /**
     * Finds the key record, inserting one with an empty chain when absent.
     *
     * @return the key record; {@code created[0]} tells whether it was inserted.
     */
    public long findOrInsert(final KeySpace ks, final DirectBuffer key, final int offset, final int length, final boolean[] created)
    {
        return ks.findOrInsert(key, offset, length, created);
    }

    /** @return the hash the key space's index files the key under (for {@link #prefetch}). */
    public long hash(final DirectBuffer key, final int offset, final int length)
    {
        return HashIndex.hash(key, offset, length);
    }

    /**
     * Loads, for a batch of keys about to be looked up in {@code ks}, what their lookups load first, so that the cache
     * misses overlap instead of following one another. Changes nothing; a hint only.
     *
     * @param hashes {@link #hash} of each key, {@code count} of them.
     * @return a value derived from the loads (keep it, or the loads may be optimised away).
     */
    public long prefetch(final KeySpace ks, final long[] hashes, final int count)
    {
        return ks.touch(hashes, count);
    }

    /**
     * Pushes a new newest version onto the key's chain and publishes it with one release store.
     *
     * @return the version's address.
     */
    public long push(final KeySpace ks, final long node, final long seq, final boolean tombstone, final DirectBuffer payload,
        final int offset, final int length)
    {
        return ks.push(node, seq, tombstone, payload, offset, length);
    }

    /** Undoes a {@link #push} of an envelope that failed (see {@code KeySpace.pop}). */
    public void pop(final KeySpace ks, final long node, final long version)
    {
        ks.pop(node, version);
    }

    /**
     * Cuts the versions of a key that no reader can reach (the trim-on-write).
     *
     * @return the number of versions left in the chain.
     */
    public int trim(final KeySpace ks, final long node)
    {
        return ks.trim(node);
    }

    /** Queues a key record for the sweeper once the effective horizon reaches {@code seq} (see {@code KeySpace.markGarbage}). */
    public void markGarbage(final KeySpace ks, final long node, final long seq)
    {
        ks.markGarbage(node, seq);
    }
}
