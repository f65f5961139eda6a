package dev.aedb.catalog;

import dev.aedb.model.ColumnDef;

import java.util.List;

/**
 * The schema of one table. Immutable.
 *
 * @param projectId  owning project.
 * @param scopeId    owning scope.
 * @param tableName  table name.
 * @param ownerId    optional owner, may be null.
 * @param columns    columns in row order.
 * @param primaryKey primary-key column names in key order.
 */
public record TableSchema(String projectId, String scopeId, String tableName, String ownerId, List<ColumnDef> columns,
    List<String> primaryKey)
{
    public TableSchema
    {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }

    /**
     * @param name a column name.
     * @return its position, or -1.
     */
    public int columnIndex(final String name)
    {
        for (int i = 0; i < columns.size(); i++)
        {
            if (columns.get(i).name().equals(name))
            {
                return i;
            }
        }
        return -1;
    }

    /** @return the row positions of the primary-key columns, in key order. */
    public int[] primaryKeyIndexes()
    {
        final int[] out = new int[primaryKey.size()];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = columnIndex(primaryKey.get(i));
        }
        return out;
    }

    /**
     * @param column a column to append.
     * @return a schema with the column added at the end.
     */
    public TableSchema withColumn(final ColumnDef column)
    {
        final java.util.ArrayList<ColumnDef> next = new java.util.ArrayList<>(columns);
        next.add(column);
        return new TableSchema(projectId, scopeId, tableName, ownerId, next, primaryKey);
    }
}
