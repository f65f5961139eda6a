package dev.aedb.catalog;

import java.util.List;

/**
 * The definition of one secondary index. Immutable.
 *
 * @param name    the index's name, unique within its table.
 * @param columns the indexed columns in index order.
 * @param unique  whether two rows may not share non-NULL values in every indexed column.
 */
public record IndexSchema(String name, List<String> columns, boolean unique)
{
    public IndexSchema
    {
        columns = List.copyOf(columns);
    }
}
