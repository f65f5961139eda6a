package dev.aedb.model;

import java.util.List;

/**
 * Schema changes, committed as {@code Mutation.Ddl} and logged in the WAL like any other commit.
 */
public sealed interface DdlOperation
{
    /**
     * Creates a project and its default scope {@code app}.
     *
     * @param ifNotExists succeed without change when it exists (otherwise PROJECT_EXISTS).
     */
    record CreateProject(String projectId, String ownerId, boolean ifNotExists) implements DdlOperation
    {
    }

    /** Drops a project with all its scopes, tables and KV data. */
    record DropProject(String projectId, boolean ifExists) implements DdlOperation
    {
    }

    /** Creates a scope (a KV space and a table namespace) in a project. */
    record CreateScope(String projectId, String scopeId, String ownerId, boolean ifNotExists) implements DdlOperation
    {
    }

    /** Drops a scope with its tables and KV data. */
    record DropScope(String projectId, String scopeId, boolean ifExists) implements DdlOperation
    {
    }

    /**
     * Creates a table.
     *
     * @param primaryKey column names forming the (composite, ordered) primary key; at least one; non-nullable.
     */
    record CreateTable(String projectId, String scopeId, String tableName, String ownerId, List<ColumnDef> columns,
        List<String> primaryKey, boolean ifNotExists) implements DdlOperation
    {
        /** A CreateTable that fails with TABLE_EXISTS when the table exists ({@code ifNotExists} false). */
        public CreateTable(final String projectId, final String scopeId, final String tableName, final String ownerId,
            final List<ColumnDef> columns, final List<String> primaryKey)
        {
            this(projectId, scopeId, tableName, ownerId, columns, primaryKey, false);
        }
    }

    /** Drops a table and its rows. */
    record DropTable(String projectId, String scopeId, String tableName, boolean ifExists) implements DdlOperation
    {
    }

    /**
     * Adds a nullable column at the end of a table; existing rows read it as {@link Value#NULL}.
     */
    record AlterTableAddColumn(String projectId, String scopeId, String tableName, ColumnDef column) implements DdlOperation
    {
    }

    /**
     * Creates a secondary index on a table, built inside this DDL commit from the table's rows and maintained by every
     * later write in the same commit as the row. Entries are ordered by the indexed columns (NULL first), then by the
     * primary key. A unique index rejects a second row with the same values in every indexed column
     * (UNIQUE_VIOLATION); a row with a NULL in an indexed column never conflicts (SQL's rule: NULL equals nothing).
     *
     * @param indexName   the index's name, unique within the table.
     * @param columns     the indexed columns, in index order; at least one, at most 16, no repeats.
     * @param unique      whether the index enforces uniqueness.
     * @param ifNotExists succeed without change when an index of that name exists (otherwise INDEX_EXISTS).
     */
    record CreateIndex(String projectId, String scopeId, String tableName, String indexName, List<String> columns,
        boolean unique, boolean ifNotExists) implements DdlOperation
    {
        /** A CreateIndex that fails with INDEX_EXISTS when the index exists. */
        public CreateIndex(final String projectId, final String scopeId, final String tableName, final String indexName,
            final List<String> columns, final boolean unique)
        {
            this(projectId, scopeId, tableName, indexName, columns, unique, false);
        }
    }

    /**
     * Drops a secondary index (its entries are reclaimed like dropped rows).
     *
     * @param ifExists succeed without change when there is no such index (otherwise INDEX_NOT_FOUND).
     */
    record DropIndex(String projectId, String scopeId, String tableName, String indexName, boolean ifExists) implements DdlOperation
    {
    }
}
