package dev.aedb.catalog;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aedb.catalog.CatalogState.TableState;
import dev.aedb.codec.ByteWriter;
import dev.aedb.codec.KeyCodec;
import dev.aedb.model.AedbException;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Row;
import dev.aedb.model.Value;

import java.io.IOException;
import java.util.List;

/**
 * Strict type checks of rows, values and primary keys against a schema (no coercion), shared by commits and reads.
 */
public final class TypeCheck
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private TypeCheck()
    {
    }

    /** Checks a row against a schema: arity, nullability, exact types, finite floats, well-formed JSON. */
    public static void checkRow(final TableSchema schema, final Row row)
    {
        final List<ColumnDef> columns = schema.columns();
        if (row.size() != columns.size())
        {
            throw new AedbException(ErrorCode.ARITY_MISMATCH,
                "row has " + row.size() + " values, table " + schema.tableName() + " has " + columns.size() + " columns");
        }
        for (int i = 0; i < columns.size(); i++)
        {
            checkValue(columns.get(i), row.get(i));
        }
    }

    public static void checkValue(final ColumnDef column, final Value value)
    {
        if (value == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "value for column " + column.name() + " is null; use Value.NULL");
        }
        if (value instanceof Value.Null)
        {
            if (!column.nullable())
            {
                throw new AedbException(ErrorCode.NULL_NOT_ALLOWED, "column " + column.name() + " is not nullable");
            }
            return;
        }
        if (value.type() != column.type())
        {
            throw new AedbException(ErrorCode.TYPE_MISMATCH,
                "column " + column.name() + " is " + column.type() + ", value is " + value.type());
        }
        if (value instanceof Value.Float64 f && !Double.isFinite(f.value()))
        {
            throw new AedbException(ErrorCode.INVALID_VALUE, "column " + column.name() + " rejects non-finite float " + f.value());
        }
        if (value instanceof Value.Json j)
        {
            checkJson(column.name(), j.value());
        }
    }

    private static void checkJson(final String column, final String text)
    {
        try (JsonParser parser = JSON.getFactory().createParser(text))
        {
            JsonToken token = parser.nextToken();
            if (token == null)
            {
                throw new IOException("empty document");
            }
            parser.skipChildren();
            if (parser.nextToken() != null)
            {
                throw new IOException("trailing content");
            }
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.INVALID_VALUE, "column " + column + " holds malformed JSON: " + ex.getMessage());
        }
    }

    /**
     * Type-checks a primary key against the table and encodes it.
     */
    public static void encodeKey(final TableState t, final List<Value> primaryKey, final ByteWriter out, final int maxKeyBytes)
    {
        final int[] idx = t.primaryKeyIndexes();
        if (primaryKey == null || primaryKey.size() != idx.length)
        {
            throw new AedbException(ErrorCode.ARITY_MISMATCH, "primary key has " + (primaryKey == null ? 0 : primaryKey.size())
                + " values, table " + t.schema().tableName() + " has " + idx.length);
        }
        for (int i = 0; i < idx.length; i++)
        {
            final ColumnDef c = t.schema().columns().get(idx[i]);
            final Value v = primaryKey.get(i);
            if (v == null || v instanceof Value.Null)
            {
                throw new AedbException(ErrorCode.NULL_NOT_ALLOWED, "key column " + c.name() + " cannot be NULL");
            }
            checkValue(c, v);
        }
        out.reset();
        KeyCodec.encode(primaryKey, out);
        if (out.position() > maxKeyBytes)
        {
            throw new AedbException(ErrorCode.KEY_TOO_LARGE,
                "encoded primary key of " + out.position() + " bytes exceeds maxKvKeyBytes=" + maxKeyBytes);
        }
    }
}
