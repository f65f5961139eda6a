package dev.aedb;

/**
 * The canonical digest of the whole database state at one commit seq, from {@link AedbInstance#stateDigest()} and
 * {@link AedbInstance#stateDigest(long)}: SHA-256 over a canonical byte form (docs/design.md, section 6 "State
 * digest") of the catalog, every live KV pair and row with the seq of its version, and the idempotency records in
 * force. Two states have equal digests iff they are the same state, however each was reached (live commits, WAL
 * replay, and later checkpoints); the counts say how much was digested.
 *
 * @param seq                the commit seq the state is read at.
 * @param sha256Hex          SHA-256 of the canonical byte form, 64 lower-case hex digits.
 * @param projects           projects in the catalog at {@code seq}.
 * @param scopes             scopes, over all projects.
 * @param tables             tables, over all scopes.
 * @param kvPairs            live KV pairs (tombstones excluded), over all scopes.
 * @param rows               live rows (tombstones excluded), over all tables.
 * @param idempotencyRecords idempotency records in force at {@code seq}: those of the commits in
 *                           {@code (seq - idempotencyWindowCommits, seq]}.
 */
public record StateDigest(long seq, String sha256Hex, long projects, long scopes, long tables, long kvPairs, long rows,
    long idempotencyRecords)
{
    /** The version of the canonical byte form, its byte after the magic; any change to the form changes it. */
    public static final int FORMAT_VERSION = 2;
}
