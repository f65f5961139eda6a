package dev.aedb.commit;

import dev.aedb.AedbConfig;
import dev.aedb.AedbException;
import dev.aedb.ErrorCode;
import dev.aedb.catalog.ColumnDef;
import dev.aedb.catalog.DdlOperation;
import dev.aedb.catalog.Identifiers;

import java.util.Objects;

/**
 * Checks of an envelope that need no state: shape, identifiers, sizes. Runs on the caller's thread before the
 * envelope is queued, so a malformed request never reaches the sequencer.
 */
public final class EnvelopeValidator
{
    private EnvelopeValidator()
    {
    }

    /**
     * @throws AedbException with the code of the first problem found.
     */
    public static void validate(final TransactionEnvelope envelope, final AedbConfig config)
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
                kvKey(x.key(), config);
            }
            else if (a instanceof Assertion.KeyExists x)
            {
                namespace(x.projectId(), x.scopeId());
                kvKey(x.key(), config);
            }
            else if (a instanceof Assertion.RowVersion x)
            {
                table(x.projectId(), x.scopeId(), x.tableName());
                notNull("primaryKey", x.primaryKey());
            }
            else if (a instanceof Assertion.RowExists x)
            {
                table(x.projectId(), x.scopeId(), x.tableName());
                notNull("primaryKey", x.primaryKey());
            }
        }
        for (final Mutation m : envelope.mutations())
        {
            mutation(m, config);
        }
    }

    private static void mutation(final Mutation m, final AedbConfig config)
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
            notNull("primaryKey", x.primaryKey());
            notNull("row", x.row());
        }
        else if (m instanceof Mutation.Upsert x)
        {
            table(x.projectId(), x.scopeId(), x.tableName());
            notNull("primaryKey", x.primaryKey());
            notNull("row", x.row());
        }
        else if (m instanceof Mutation.Delete x)
        {
            table(x.projectId(), x.scopeId(), x.tableName());
            notNull("primaryKey", x.primaryKey());
        }
        else if (m instanceof Mutation.UpdateFields x)
        {
            table(x.projectId(), x.scopeId(), x.tableName());
            notNull("primaryKey", x.primaryKey());
            notNull("fields", x.fields());
            if (x.fields().isEmpty())
            {
                throw new AedbException(ErrorCode.INVALID_ARGUMENT, "UpdateFields needs at least one field");
            }
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
            kvKey(x.key(), config);
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

    private static void ddl(final DdlOperation op)
    {
        if (op == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "ddl operation=null");
        }
        if (op instanceof DdlOperation.CreateProject x)
        {
            Identifiers.check("project", x.projectId());
        }
        else if (op instanceof DdlOperation.DropProject x)
        {
            Identifiers.check("project", x.projectId());
        }
        else if (op instanceof DdlOperation.CreateScope x)
        {
            namespace(x.projectId(), x.scopeId());
        }
        else if (op instanceof DdlOperation.DropScope x)
        {
            namespace(x.projectId(), x.scopeId());
        }
        else if (op instanceof DdlOperation.CreateTable x)
        {
            table(x.projectId(), x.scopeId(), x.tableName());
            notNull("columns", x.columns());
            notNull("primaryKey", x.primaryKey());
            for (final ColumnDef c : x.columns())
            {
                column(c);
            }
        }
        else if (op instanceof DdlOperation.DropTable x)
        {
            table(x.projectId(), x.scopeId(), x.tableName());
        }
        else if (op instanceof DdlOperation.AlterTableAddColumn x)
        {
            table(x.projectId(), x.scopeId(), x.tableName());
            column(x.column());
        }
    }

    private static void column(final ColumnDef c)
    {
        notNull("column", c);
        Identifiers.check("column", c.name());
        if (c.type() == null)
        {
            throw new AedbException(ErrorCode.INVALID_SCHEMA, "column " + c.name() + " has no type");
        }
    }

    private static void namespace(final String projectId, final String scopeId)
    {
        Identifiers.check("project", projectId);
        Identifiers.check("scope", scopeId);
    }

    private static void table(final String projectId, final String scopeId, final String tableName)
    {
        namespace(projectId, scopeId);
        Identifiers.check("table", tableName);
    }

    private static void kvKey(final byte[] key, final AedbConfig config)
    {
        notNull("key", key);
        if (key.length == 0)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "KV key must not be empty");
        }
        if (key.length > config.maxKvKeyBytes())
        {
            throw new AedbException(ErrorCode.KEY_TOO_LARGE,
                "key of " + key.length + " bytes exceeds maxKvKeyBytes=" + config.maxKvKeyBytes());
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
        if (Objects.isNull(value))
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, name + "=null");
        }
    }
}
