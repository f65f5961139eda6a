package dev.aedb.model;

/**
 * A column of a table.
 *
 * @param name     identifier, {@code [A-Za-z0-9_-]}, 1-128 bytes.
 * @param type     the column type.
 * @param nullable whether {@link Value#NULL} is allowed.
 */
public record ColumnDef(String name, ColumnType type, boolean nullable)
{
    /** @return a NOT NULL column {@code name} of {@code type}. */
    public static ColumnDef of(final String name, final ColumnType type)
    {
        return new ColumnDef(name, type, false);
    }

    /** @return a nullable column {@code name} of {@code type}. */
    public static ColumnDef nullable(final String name, final ColumnType type)
    {
        return new ColumnDef(name, type, true);
    }
}
