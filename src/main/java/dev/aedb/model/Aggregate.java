package dev.aedb.model;

/**
 * An aggregate of a grouped or whole-table query ({@link Query#aggregate}). Each has a fixed output column name
 * ({@link #outputName()}) that {@code select}, {@code having} and {@code orderBy} refer to. NULLs are ignored by
 * every aggregate but {@link Count}; over no (non-NULL) value SUM, MIN, MAX and AVG are NULL, COUNT is 0.
 */
public sealed interface Aggregate
{
    /** @return the output column's name: {@code count_star}, {@code sum_<col>}, {@code min_<col>}, ... */
    String outputName();

    /** COUNT(*): the rows of the group, an INTEGER. */
    record Count() implements Aggregate
    {
        @Override
        public String outputName()
        {
            return "count_star";
        }
    }

    /** SUM(column) of an INTEGER (an INTEGER; overflow is INVALID_QUERY) or FLOAT column (a FLOAT). */
    record Sum(String column) implements Aggregate
    {
        /** @throws AedbException INVALID_ARGUMENT for a null column. */
        public Sum
        {
            require(column);
        }

        @Override
        public String outputName()
        {
            return "sum_" + column;
        }
    }

    /** MIN(column), of the column's type, in {@link Value#compare} order. */
    record Min(String column) implements Aggregate
    {
        /** @throws AedbException INVALID_ARGUMENT for a null column. */
        public Min
        {
            require(column);
        }

        @Override
        public String outputName()
        {
            return "min_" + column;
        }
    }

    /** MAX(column), of the column's type, in {@link Value#compare} order. */
    record Max(String column) implements Aggregate
    {
        /** @throws AedbException INVALID_ARGUMENT for a null column. */
        public Max
        {
            require(column);
        }

        @Override
        public String outputName()
        {
            return "max_" + column;
        }
    }

    /** AVG(column) of an INTEGER or FLOAT column: a FLOAT (the exact sum divided by the count, rounded once). */
    record Avg(String column) implements Aggregate
    {
        /** @throws AedbException INVALID_ARGUMENT for a null column. */
        public Avg
        {
            require(column);
        }

        @Override
        public String outputName()
        {
            return "avg_" + column;
        }
    }

    private static void require(final String column)
    {
        if (column == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "column=null");
        }
    }
}
