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
}
