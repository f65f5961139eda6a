package dev.aedb.model;


import java.util.List;
import java.util.Map;

/**
 * One change inside a {@link TransactionEnvelope}. All mutations of an envelope apply atomically under one commit
 * seq, in order, each seeing the effects of the ones before it. Byte arrays are not copied: do not change them
 * after submitting.
 */
public sealed interface Mutation
{
    /** A schema change. */
    record Ddl(DdlOperation operation) implements Mutation
    {
    }

    /**
     * Inserts a row; fails with DUPLICATE_KEY when a row with that primary key exists.
     *
     * @param primaryKey the key values in key order; must equal the key columns of {@code row}.
     */
    record Insert(String projectId, String scopeId, String tableName, List<Value> primaryKey, Row row) implements Mutation
    {
    }

    /** Inserts the row or replaces the whole existing row with the same primary key. */
    record Upsert(String projectId, String scopeId, String tableName, List<Value> primaryKey, Row row) implements Mutation
    {
    }

    /** Deletes the row with this primary key; deleting a missing row succeeds and changes nothing. */
    record Delete(String projectId, String scopeId, String tableName, List<Value> primaryKey) implements Mutation
    {
    }

    /**
     * Sets some non-key columns of an existing row; ROW_NOT_FOUND when it does not exist.
     *
     * @param fields column name to new value; applied in column order.
     */
    record UpdateFields(String projectId, String scopeId, String tableName, List<Value> primaryKey, Map<String, Value> fields)
        implements Mutation
    {
    }

    /** Sets a KV key. */
    record KvSet(String projectId, String scopeId, byte[] key, byte[] value) implements Mutation
    {
    }

    /** Deletes a KV key; deleting a missing key succeeds and changes nothing. */
    record KvDel(String projectId, String scopeId, byte[] key) implements Mutation
    {
    }

    /**
     * Adds to a 32-byte big-endian unsigned counter (a missing key counts as 0); OVERFLOW rejects the envelope.
     *
     * @param amount 32 bytes, big-endian.
     */
    record KvIncU256(String projectId, String scopeId, byte[] key, byte[] amount) implements Mutation
    {
    }

    /**
     * Subtracts from a 32-byte big-endian unsigned counter (a missing key counts as 0); UNDERFLOW rejects the envelope.
     *
     * @param amount 32 bytes, big-endian.
     */
    record KvDecU256(String projectId, String scopeId, byte[] key, byte[] amount) implements Mutation
    {
    }
}
