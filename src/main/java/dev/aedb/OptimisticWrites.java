package dev.aedb;

import dev.aedb.catalog.TableSchema;
import dev.aedb.catalog.TypeCheck;
import dev.aedb.model.AedbException;
import dev.aedb.model.Assertion;
import dev.aedb.model.CommitResult;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.ErrorClass;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Expr;
import dev.aedb.model.Mutation;
import dev.aedb.model.PreflightPlan;
import dev.aedb.model.PreflightResult;
import dev.aedb.model.Query;
import dev.aedb.model.QueryOptions;
import dev.aedb.model.QueryResult;
import dev.aedb.model.Row;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Value;
import dev.aedb.model.WriteWhereResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Optimistic writes on top of envelopes and their version assertions: preflight (what a mutation would do, read at
 * one snapshot), a read set that travels with the mutations ({@code commitWithPreflight}), compare-and-swap of a row
 * or KV key by version, and updateWhere / deleteWhere (a query, then one envelope conditional on every row it read).
 * A condition that no longer holds is CONFLICT and changes nothing.
 */
final class OptimisticWrites
{
    private final AedbInstance db;

    OptimisticWrites(final AedbInstance db)
    {
        this.db = db;
    }

    PreflightResult preflight(final Mutation m)
    {
        try (Snapshot s = db.snapshot(ConsistencyMode.AT_LATEST))
        {
            try
            {
                return new PreflightResult(null, null, check(s, m), s.seq());
            }
            catch (final AedbException ex)
            {
                if (ex.code().errorClass() == ErrorClass.VALIDATION || ex.code().errorClass() == ErrorClass.CONFLICT)
                {
                    return new PreflightResult(ex.code(), ex.getMessage(), 0, s.seq());
                }
                throw ex;
            }
        }
    }

    private static long check(final Snapshot s, final Mutation m)
    {
        if (m instanceof Mutation.Insert x)
        {
            final TableSchema schema = rowChecks(s, x.projectId(), x.scopeId(), x.tableName(), x.primaryKey(), x.row());
            if (s.get(x.projectId(), x.scopeId(), x.tableName(), x.primaryKey()).found())
            {
                throw new AedbException(ErrorCode.DUPLICATE_KEY, "a row with this primary key exists in " + x.tableName() + ": "
                    + x.primaryKey());
            }
            unique(s, x.projectId(), x.scopeId(), x.tableName(), schema, x.primaryKey(), x.row());
            return 1;
        }
        if (m instanceof Mutation.Upsert x)
        {
            final TableSchema schema = rowChecks(s, x.projectId(), x.scopeId(), x.tableName(), x.primaryKey(), x.row());
            unique(s, x.projectId(), x.scopeId(), x.tableName(), schema, x.primaryKey(), x.row());
            return 1;
        }
        if (m instanceof Mutation.Delete x)
        {
            return s.get(x.projectId(), x.scopeId(), x.tableName(), x.primaryKey()).found() ? 1 : 0;
        }
        if (m instanceof Mutation.UpdateFields x)
        {
            final TableSchema schema = s.schema(x.projectId(), x.scopeId(), x.tableName());
            final RowResult current = s.get(x.projectId(), x.scopeId(), x.tableName(), x.primaryKey());
            if (!current.found())
            {
                throw new AedbException(ErrorCode.ROW_NOT_FOUND, "no row with primary key " + x.primaryKey() + " in " + x.tableName());
            }
            final Value[] values = current.row().values().toArray(new Value[0]);
            final int[] key = schema.primaryKeyIndexes();
            for (final Map.Entry<String, Value> e : x.fields().entrySet())
            {
                final int i = schema.columnIndex(e.getKey());
                if (i < 0)
                {
                    throw new AedbException(ErrorCode.COLUMN_NOT_FOUND, "column not found: " + x.tableName() + "." + e.getKey());
                }
                for (final int k : key)
                {
                    if (k == i)
                    {
                        throw new AedbException(ErrorCode.PRIMARY_KEY_UPDATE, "UpdateFields cannot change key column " + e.getKey());
                    }
                }
                TypeCheck.checkValue(schema.columns().get(i), e.getValue());
                values[i] = e.getValue();
            }
            unique(s, x.projectId(), x.scopeId(), x.tableName(), schema, x.primaryKey(), Row.of(values));
            return 1;
        }
        if (m instanceof Mutation.KvSet x)
        {
            s.kvGet(x.projectId(), x.scopeId(), x.key());
            return 1;
        }
        if (m instanceof Mutation.KvDel x)
        {
            return s.kvGet(x.projectId(), x.scopeId(), x.key()).found() ? 1 : 0;
        }
        if (m instanceof Mutation.KvIncU256 x)
        {
            return counter(s, x.projectId(), x.scopeId(), x.key());
        }
        if (m instanceof Mutation.KvDecU256 x)
        {
            return counter(s, x.projectId(), x.scopeId(), x.key());
        }
        throw new AedbException(ErrorCode.INVALID_ARGUMENT, "preflight covers row and KV mutations, not " + m.getClass().getSimpleName()
            + " (commit DDL to check it)");
    }

    private static long counter(final Snapshot s, final String projectId, final String scopeId, final byte[] key)
    {
        final KvGetResult r = s.kvGet(projectId, scopeId, key);
        if (r.found() && r.value().length != 32)
        {
            throw new AedbException(ErrorCode.INVALID_VALUE, "value of key is " + r.value().length + " bytes, not a 32-byte u256");
        }
        return 1; // advisory: overflow and underflow are known only when the counter is applied
    }

    private static TableSchema rowChecks(final Snapshot s, final String projectId, final String scopeId, final String table,
        final List<Value> primaryKey, final Row row)
    {
        final TableSchema schema = s.schema(projectId, scopeId, table);
        TypeCheck.checkRow(schema, row);
        final int[] key = schema.primaryKeyIndexes();
        if (primaryKey.size() != key.length)
        {
            throw new AedbException(ErrorCode.ARITY_MISMATCH, "primary key has " + primaryKey.size() + " values, table " + table
                + " has " + key.length);
        }
        for (int i = 0; i < key.length; i++)
        {
            if (!primaryKey.get(i).equals(row.get(key[i])))
            {
                throw new AedbException(ErrorCode.PRIMARY_KEY_MISMATCH, "primary key value " + primaryKey.get(i)
                    + " differs from the row's " + schema.primaryKey().get(i) + "=" + row.get(key[i]));
            }
        }
        return schema;
    }

    /** UNIQUE_VIOLATION when a unique index already holds another row with the row's non-NULL values. */
    private static void unique(final Snapshot s, final String projectId, final String scopeId, final String table,
        final TableSchema schema, final List<Value> primaryKey, final Row row)
    {
        for (final Map.Entry<String, List<String>> index : s.uniqueIndexes(projectId, scopeId, table).entrySet())
        {
            final List<Expr> terms = new ArrayList<>();
            boolean hasNull = false;
            for (final String c : index.getValue())
            {
                final Value v = row.get(schema.columnIndex(c));
                hasNull |= v instanceof Value.Null;
                terms.add(Expr.eq(c, v));
            }
            if (hasNull)
            {
                continue;
            }
            final QueryResult r = s.query(projectId, scopeId, Query.select(schema.primaryKey().toArray(new String[0])).from(table)
                .where_(new Expr.And(terms)).limit(2), QueryOptions.defaults());
            for (final Row other : r.rows())
            {
                if (!other.values().equals(primaryKey))
                {
                    throw new AedbException(ErrorCode.UNIQUE_VIOLATION, "unique index " + index.getKey() + " on " + table
                        + " already holds a row with " + index.getValue() + " = " + terms);
                }
            }
        }
    }

    PreflightPlan preflightPlan(final List<Mutation> mutations)
    {
        try (Snapshot s = db.snapshot(ConsistencyMode.AT_LATEST))
        {
            final List<Assertion> reads = new ArrayList<>();
            final Set<List<Object>> seen = new HashSet<>();
            for (final Mutation m : mutations)
            {
                AedbInstance.requireArgument(m, "mutation");
                final Assertion a = read(s, m);
                final List<Object> id = a instanceof Assertion.RowVersion r
                    ? List.of("row", r.projectId(), r.scopeId(), r.tableName(), r.primaryKey())
                    : List.of("kv", ((Assertion.KeyVersion)a).projectId(), ((Assertion.KeyVersion)a).scopeId(),
                        Arrays.toString(((Assertion.KeyVersion)a).key()));
                if (seen.add(id))
                {
                    reads.add(a);
                }
            }
            return new PreflightPlan(s.seq(), reads, mutations);
        }
    }

    private static Assertion read(final Snapshot s, final Mutation m)
    {
        if (m instanceof Mutation.Insert x)
        {
            return row(s, x.projectId(), x.scopeId(), x.tableName(), x.primaryKey());
        }
        if (m instanceof Mutation.Upsert x)
        {
            return row(s, x.projectId(), x.scopeId(), x.tableName(), x.primaryKey());
        }
        if (m instanceof Mutation.Delete x)
        {
            return row(s, x.projectId(), x.scopeId(), x.tableName(), x.primaryKey());
        }
        if (m instanceof Mutation.UpdateFields x)
        {
            return row(s, x.projectId(), x.scopeId(), x.tableName(), x.primaryKey());
        }
        if (m instanceof Mutation.KvSet x)
        {
            return kv(s, x.projectId(), x.scopeId(), x.key());
        }
        if (m instanceof Mutation.KvDel x)
        {
            return kv(s, x.projectId(), x.scopeId(), x.key());
        }
        if (m instanceof Mutation.KvIncU256 x)
        {
            return kv(s, x.projectId(), x.scopeId(), x.key());
        }
        if (m instanceof Mutation.KvDecU256 x)
        {
            return kv(s, x.projectId(), x.scopeId(), x.key());
        }
        throw new AedbException(ErrorCode.INVALID_ARGUMENT, "a preflight plan covers row and KV mutations, not "
            + m.getClass().getSimpleName());
    }

    private static Assertion row(final Snapshot s, final String p, final String sc, final String t, final List<Value> key)
    {
        return new Assertion.RowVersion(p, sc, t, key, s.get(p, sc, t, key).version());
    }

    private static Assertion kv(final Snapshot s, final String p, final String sc, final byte[] key)
    {
        return new Assertion.KeyVersion(p, sc, key, s.kvGet(p, sc, key).version());
    }

    /** Commits {@code mutations} only if every assertion holds; a failed one is CONFLICT (nothing applied). */
    CommitResult conditional(final List<Assertion> reads, final List<Mutation> mutations, final String what)
    {
        try
        {
            return db.commit(new TransactionEnvelope(null, null, reads, mutations));
        }
        catch (final AedbException ex)
        {
            if (ex.code() == ErrorCode.ASSERTION_FAILED)
            {
                throw new AedbException(ErrorCode.CONFLICT, what + " changed since it was read; nothing was applied ("
                    + ex.getMessage() + ")", ex);
            }
            throw ex;
        }
    }

    WriteWhereResult writeWhere(final String projectId, final String scopeId, final String table, final Expr where,
        final Map<String, Value> fields, final int limit)
    {
        if (limit < 1)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "limit must be >= 1, limit=" + limit);
        }
        final List<Assertion> reads = new ArrayList<>();
        final List<Mutation> writes = new ArrayList<>();
        try (Snapshot s = db.snapshot(ConsistencyMode.AT_LATEST))
        {
            final TableSchema schema = s.schema(projectId, scopeId, table);
            final QueryResult r = s.query(projectId, scopeId, Query.select(schema.primaryKey().toArray(new String[0])).from(table)
                .where_(where).limit(limit), QueryOptions.defaults());
            for (final Row key : r.rows())
            {
                reads.add(row(s, projectId, scopeId, table, key.values()));
                writes.add(fields == null ? new Mutation.Delete(projectId, scopeId, table, key.values())
                    : new Mutation.UpdateFields(projectId, scopeId, table, key.values(), fields));
            }
        }
        if (writes.isEmpty())
        {
            return new WriteWhereResult(0, 0);
        }
        final CommitResult c = conditional(reads, writes, "a row the predicate selected");
        return new WriteWhereResult(writes.size(), c.commitSeq());
    }
}
