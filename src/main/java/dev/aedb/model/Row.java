package dev.aedb.model;


import java.util.Arrays;
import java.util.List;

/**
 * A positional row: one value per column of the table, in schema order. Immutable; never holds a Java null.
 */
public final class Row
{
    private final Value[] values;

    private Row(final Value[] values)
    {
        for (int i = 0; i < values.length; i++)
        {
            if (values[i] == null)
            {
                throw new AedbException(ErrorCode.INVALID_ARGUMENT, "values[" + i + "]=null; use Value.NULL");
            }
        }
        this.values = values;
    }

    /**
     * @param values one value per column, copied.
     * @return the row.
     * @throws AedbException INVALID_ARGUMENT when the array or one of its elements is null.
     */
    public static Row of(final Value... values)
    {
        if (values == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "values=null");
        }
        return new Row(values.clone());
    }

    /**
     * @param values one value per column, copied.
     * @return the row.
     * @throws AedbException INVALID_ARGUMENT when the list or one of its elements is null.
     */
    public static Row fromValues(final List<Value> values)
    {
        if (values == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "values=null");
        }
        return new Row(values.toArray(new Value[0]));
    }

    /** @return the number of values. */
    public int size()
    {
        return values.length;
    }

    /**
     * @param index column position.
     * @return the value at that position.
     */
    public Value get(final int index)
    {
        return values[index];
    }

    /** @return the values as an unmodifiable list. */
    public List<Value> values()
    {
        return List.of(values);
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof Row r && Arrays.equals(values, r.values);
    }

    @Override
    public int hashCode()
    {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString()
    {
        return "Row" + Arrays.toString(values);
    }
}
