package dev.aedb.model;


import java.util.List;

/**
 * A condition checked against the latest state before an envelope's mutations apply; if any fails the envelope is
 * rejected with ASSERTION_FAILED and consumes no seq. Versions are commit seqs; 0 means absent.
 */
public sealed interface Assertion
{
    /** The KV key's version equals {@code expectedSeq} (0 = the key is absent). */
    record KeyVersion(String projectId, String scopeId, byte[] key, long expectedSeq) implements Assertion
    {
    }

    /** The KV key exists ({@code expected = true}) or is absent. */
    record KeyExists(String projectId, String scopeId, byte[] key, boolean expected) implements Assertion
    {
    }

    /** The row's version equals {@code expectedSeq} (0 = the row is absent). */
    record RowVersion(String projectId, String scopeId, String tableName, List<Value> primaryKey, long expectedSeq)
        implements Assertion
    {
    }

    /** The row exists ({@code expected = true}) or is absent. */
    record RowExists(String projectId, String scopeId, String tableName, List<Value> primaryKey, boolean expected)
        implements Assertion
    {
    }
}
