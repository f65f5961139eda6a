package dev.aedb.commit;

import dev.aedb.model.AedbException;
import dev.aedb.model.Assertion;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Mutation;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Utf16;
import dev.aedb.model.Value;

import java.util.List;
import java.util.Map;

/**
 * Checks of an envelope that need no state: shape, identifiers, sizes, and that no Java null hides anywhere (in a
 * mutation, a key, a list, a map). Runs on the caller's thread before the envelope is queued, so a malformed request
 * never reaches the sequencer. Nulls are INVALID_ARGUMENT naming the field ({@code projectId=null},
 * {@code columns[2].type=null}), except a null primary-key element, which is NULL_NOT_ALLOWED like
 * {@code Value.NULL} there. What needs the schema (types, arity, key columns) is checked when the envelope applies.
 */
final class EnvelopeValidator
{
    private EnvelopeValidator()
    {
    }

    /**
     * @param envelope the envelope to check; may be null (rejected).
     * @param config   the limits in force.
     * @throws AedbException with the code of the first problem found.
     */
    static void validate(final TransactionEnvelope envelope, final CommitSettings config)
    {
        if (envelope == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "envelope=null");
        }
        if (envelope.mutations().isEmpty())
        {
            throw new AedbException(ErrorCode.EMPTY_ENVELOPE, "an envelope needs at least one mutation");
        }
        if (envelope.mutations().size() > config.maxMutationsPerEnvelope())
        {
            throw new AedbException(ErrorCode.TOO_MANY_MUTATIONS, "mutations=" + envelope.mutations().size()
                + " exceeds maxMutationsPerEnvelope=" + config.maxMutationsPerEnvelope());
        }
        final byte[] key = envelope.idempotencyKey();
        if (key != null && (key.length == 0 || key.length > 64))
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "idempotencyKey must be 1-64 bytes, length=" + key.length);
        }
        for (final Assertion a : envelope.assertions())
        {
            if (a == null)
            {
                throw new AedbException(ErrorCode.INVALID_ARGUMENT, "assertion=null");
            }
            if (a instanceof Assertion.KeyVersion x)
            {
                namespace(x.projectId(), x.scopeId());
                kvLookupKey(x.key());
            }
            else if (a instanceof Assertion.KeyExists x)
            {
                namespace(x.projectId(), x.scopeId());
                kvLookupKey(x.key());
            }
            else if (a instanceof Assertion.RowVersion x)
            {
                table(x.projectId(), x.scopeId(), x.tableName());
                primaryKey(x.primaryKey());
            }
            else if (a instanceof Assertion.RowExists x)
            {
                table(x.projectId(), x.scopeId(), x.tableName());
                primaryKey(x.primaryKey());
            }
        }
        for (final Mutation m : envelope.mutations())
        {
            mutation(m, config);
        }
    }

    private static void mutation(final Mutation m, final CommitSettings config)
    {
        if (m == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "mutation=null");
        }
        if (m instanceof Mutation.Ddl d)
        {
            ddl(d.operation());
        }
        else if (m instanceof Mutation.Insert x)
        {
            table(x.projectId(), x.scopeId(), x.tableName());
            primaryKey(x.primaryKey());
            notNull("row", x.row());
        }
        else if (m instanceof Mutation.Upsert x)
        {
            table(x.projectId(), x.scopeId(), x.tableName());
            primaryKey(x.primaryKey());
            notNull("row", x.row());
        }
        else if (m instanceof Mutation.Delete x)
        {
            table(x.projectId(), x.scopeId(), x.tableName());
            primaryKey(x.primaryKey());
        }
        else if (m instanceof Mutation.UpdateFields x)
        {
            table(x.projectId(), x.scopeId(), x.tableName());
            primaryKey(x.primaryKey());
            fields(x.fields());
        }
        else if (m instanceof Mutation.KvSet x)
        {
            namespace(x.projectId(), x.scopeId());
            kvKey(x.key(), config);
            notNull("value", x.value());
            if (x.value().length > config.maxValueBytes())
            {
                throw new AedbException(ErrorCode.VALUE_TOO_LARGE,
                    "value of " + x.value().length + " bytes exceeds maxValueBytes=" + config.maxValueBytes());
            }
        }
        else if (m instanceof Mutation.KvDel x)
        {
            namespace(x.projectId(), x.scopeId());
            kvLookupKey(x.key());
        }
        else if (m instanceof Mutation.KvIncU256 x)
        {
            namespace(x.projectId(), x.scopeId());
            kvKey(x.key(), config);
            amount(x.amount());
        }
        else if (m instanceof Mutation.KvDecU256 x)
        {
            namespace(x.projectId(), x.scopeId());
            kvKey(x.key(), config);
            amount(x.amount());
        }
    }

    private static void fields(final Map<String, Value> fields)
    {
        notNull("fields", fields);
        if (fields.isEmpty())
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "UpdateFields needs at least one field");
        }
        for (final Map.Entry<String, Value> e : fields.entrySet())
        {
            if (e.getKey() == null)
            {
                throw new AedbException(ErrorCode.INVALID_ARGUMENT, "fields has a null column name");
            }
            if (e.getValue() == null)
            {
                throw new AedbException(ErrorCode.INVALID_ARGUMENT, "fields[" + e.getKey() + "]=null; use Value.NULL");
            }
        }
    }

    private static void primaryKey(final List<Value> primaryKey)
    {
        notNull("primaryKey", primaryKey);
        int i = 0;
        for (final Value v : primaryKey)
        {
            if (v == null)
            {
                throw new AedbException(ErrorCode.NULL_NOT_ALLOWED, "primaryKey[" + i + "]=null: key columns cannot be NULL");
            }
            i++;
        }
    }

    private static void ddl(final DdlOperation op)
    {
        if (op == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "operation=null");
        }
        if (op instanceof DdlOperation.CreateProject x)
        {
            project(x.projectId());
            owner(x.ownerId());
        }
        else if (op instanceof DdlOperation.DropProject x)
        {
            project(x.projectId());
        }
        else if (op instanceof DdlOperation.CreateScope x)
        {
            namespace(x.projectId(), x.scopeId());
            owner(x.ownerId());
        }
        else if (op instanceof DdlOperation.DropScope x)
        {
            namespace(x.projectId(), x.scopeId());
        }
        else if (op instanceof DdlOperation.CreateTable x)
        {
            table(x.projectId(), x.scopeId(), x.tableName());
            owner(x.ownerId());
            notNull("columns", x.columns());
            notNull("primaryKey", x.primaryKey());
            int i = 0;
            for (final ColumnDef c : x.columns())
            {
                column("columns[" + i + "]", c);
                i++;
            }
            i = 0;
            for (final String k : x.primaryKey())
            {
                notNull("primaryKey[" + i + "]", k);
                i++;
            }
        }
        else if (op instanceof DdlOperation.DropTable x)
        {
            table(x.projectId(), x.scopeId(), x.tableName());
        }
        else if (op instanceof DdlOperation.AlterTableAddColumn x)
        {
            table(x.projectId(), x.scopeId(), x.tableName());
            column("column", x.column());
        }
        else if (op instanceof DdlOperation.CreateIndex x)
        {
            table(x.projectId(), x.scopeId(), x.tableName());
            notNull("indexName", x.indexName());
            Identifiers.check("index", x.indexName());
            notNull("columns", x.columns());
            int i = 0;
            for (final String c : x.columns())
            {
                notNull("columns[" + i + "]", c);
                i++;
            }
        }
        else if (op instanceof DdlOperation.DropIndex x)
        {
            table(x.projectId(), x.scopeId(), x.tableName());
            notNull("indexName", x.indexName());
            Identifiers.check("index", x.indexName());
        }
    }

    private static void column(final String name, final ColumnDef c)
    {
        notNull(name, c);
        notNull(name + ".name", c.name());
        Identifiers.check("column", c.name());
        notNull(name + ".type", c.type());
    }

    private static void owner(final String ownerId)
    {
        // Free text, but stored as UTF-8: an unpaired surrogate would be stored as '?' and replay a different owner.
        if (ownerId != null && Utf16.unpairedSurrogate(ownerId) >= 0)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "ownerId has an unpaired surrogate, which UTF-8 cannot encode");
        }
    }

    private static void project(final String projectId)
    {
        notNull("projectId", projectId);
        Identifiers.check("project", projectId);
    }

    private static void namespace(final String projectId, final String scopeId)
    {
        project(projectId);
        notNull("scopeId", scopeId);
        Identifiers.check("scope", scopeId);
    }

    private static void table(final String projectId, final String scopeId, final String tableName)
    {
        namespace(projectId, scopeId);
        notNull("tableName", tableName);
        Identifiers.check("table", tableName);
    }

    /** A KV key that is stored: non-empty and within maxKvKeyBytes. */
    private static void kvKey(final byte[] key, final CommitSettings config)
    {
        kvLookupKey(key);
        if (key.length > config.maxKvKeyBytes())
        {
            throw new AedbException(ErrorCode.KEY_TOO_LARGE,
                "key of " + key.length + " bytes exceeds maxKvKeyBytes=" + config.maxKvKeyBytes());
        }
    }

    /**
     * A KV key that is only looked up (deleted, asserted on): any length, because a key committed under a higher
     * maxKvKeyBytes stays in the store and must stay reachable.
     */
    private static void kvLookupKey(final byte[] key)
    {
        notNull("key", key);
        if (key.length == 0)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "KV key must not be empty");
        }
    }

    private static void amount(final byte[] amount)
    {
        notNull("amount", amount);
        if (amount.length != 32)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "u256 amount must be 32 big-endian bytes, length=" + amount.length);
        }
    }

    private static void notNull(final String name, final Object value)
    {
        if (value == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, name + "=null");
        }
    }
}
