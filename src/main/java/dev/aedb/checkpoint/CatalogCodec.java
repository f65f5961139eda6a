package dev.aedb.checkpoint;

import dev.aedb.catalog.CatalogState;
import dev.aedb.catalog.IndexSchema;
import dev.aedb.catalog.TableSchema;
import dev.aedb.codec.ByteReader;
import dev.aedb.codec.ByteWriter;
import dev.aedb.codec.DecodeException;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.store.KeySpace;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The catalog section of a checkpoint image: one {@link CatalogState} with its key spaces referred to by their index in
 * the image's key-space table. Little-endian ({@link ByteWriter}); strings are {@code u32 length + UTF-8}, -1 = null:
 * <pre>
 *   u64 catalog seq | u64 next table id | u32 projects
 *   project: string id | string owner | u32 scopes
 *     scope: string id | string owner | u32 kv key space | u32 tables
 *       table: u64 table id | string name | string owner | u32 columns (string name | u8 type tag | u8 nullable)
 *              | u32 key columns (string name) | u32 rows key space
 *              | u32 indexes (format 2 on; absent in format 1)
 *         index: string name | u8 unique | u32 columns (string name) | u32 entries key space
 * </pre>
 * Projects, scopes, tables and indexes are in id (name) order; the key-space table lists the key spaces in the order
 * this encoding meets them ({@link #keySpaces}).
 */
final class CatalogCodec
{
    private CatalogCodec()
    {
    }

    /** @return the catalog's key spaces in canonical order: per project, per scope (id order), its KV space, then its tables. */
    static List<KeySpace> keySpaces(final CatalogState catalog)
    {
        final List<KeySpace> out = new ArrayList<>();
        for (final CatalogState.ProjectState p : catalog.projects().values())
        {
            for (final CatalogState.ScopeState s : new TreeMap<>(p.scopes()).values())
            {
                out.add(s.kv());
                for (final CatalogState.TableState t : new TreeMap<>(s.tables()).values())
                {
                    out.add(t.rows());
                    for (final CatalogState.IndexState index : t.indexes().values())
                    {
                        out.add(index.entries());
                    }
                }
            }
        }
        return out;
    }

    static byte[] encode(final CatalogState catalog)
    {
        final ByteWriter w = new ByteWriter(256);
        w.putLong(catalog.seq());
        w.putLong(catalog.nextTableId());
        final Map<String, CatalogState.ProjectState> projects = catalog.projects();
        w.putInt(projects.size());
        int keySpace = 0;
        for (final CatalogState.ProjectState p : projects.values())
        {
            w.putString(p.id());
            w.putString(p.ownerId());
            final Map<String, CatalogState.ScopeState> scopes = new TreeMap<>(p.scopes());
            w.putInt(scopes.size());
            for (final CatalogState.ScopeState s : scopes.values())
            {
                w.putString(s.id());
                w.putString(s.ownerId());
                w.putInt(keySpace++);
                final Map<String, CatalogState.TableState> tables = new TreeMap<>(s.tables());
                w.putInt(tables.size());
                for (final CatalogState.TableState t : tables.values())
                {
                    final TableSchema schema = t.schema();
                    w.putLong(t.tableId());
                    w.putString(schema.tableName());
                    w.putString(schema.ownerId());
                    w.putInt(schema.columns().size());
                    for (final ColumnDef c : schema.columns())
                    {
                        w.putString(c.name());
                        w.putByte(c.type().tag());
                        w.putByte(c.nullable() ? 1 : 0);
                    }
                    w.putInt(schema.primaryKey().size());
                    for (final String k : schema.primaryKey())
                    {
                        w.putString(k);
                    }
                    w.putInt(keySpace++);
                    w.putInt(t.indexes().size());
                    for (final CatalogState.IndexState index : t.indexes().values())
                    {
                        w.putString(index.schema().name());
                        w.putByte(index.schema().unique() ? 1 : 0);
                        w.putInt(index.schema().columns().size());
                        for (final String c : index.schema().columns())
                        {
                            w.putString(c);
                        }
                        w.putInt(keySpace++);
                    }
                }
            }
        }
        return w.toByteArray();
    }

    /**
     * @param keySpaces the image's key spaces, restored, by index.
     * @param version   the image's format version (1: no index sections).
     * @throws DecodeException when the bytes do not decode or name a key space out of range or a column that is not there.
     */
    static CatalogState decode(final byte[] bytes, final KeySpace[] keySpaces, final int version)
    {
        final ByteReader r = new ByteReader().wrap(new UnsafeBuffer(bytes), 0, bytes.length);
        final long seq = r.getLong();
        final long nextTableId = r.getLong();
        final int projectCount = count(r);
        final Map<String, CatalogState.ProjectState> projects = new LinkedHashMap<>();
        for (int i = 0; i < projectCount; i++)
        {
            final String projectId = required(r.getString());
            final String projectOwner = r.getString();
            final int scopeCount = count(r);
            final Map<String, CatalogState.ScopeState> scopes = new LinkedHashMap<>();
            for (int j = 0; j < scopeCount; j++)
            {
                final String scopeId = required(r.getString());
                final String scopeOwner = r.getString();
                final KeySpace kv = keySpace(r, keySpaces);
                final int tableCount = count(r);
                final Map<String, CatalogState.TableState> tables = new LinkedHashMap<>();
                for (int k = 0; k < tableCount; k++)
                {
                    final long tableId = r.getLong();
                    final String name = required(r.getString());
                    final String owner = r.getString();
                    final int columnCount = count(r);
                    final List<ColumnDef> columns = new ArrayList<>(columnCount);
                    for (int c = 0; c < columnCount; c++)
                    {
                        final String columnName = required(r.getString());
                        final ColumnType type = ColumnType.fromTag(r.getByte());
                        if (type == null)
                        {
                            throw new DecodeException("unknown column type tag in table " + name);
                        }
                        columns.add(new ColumnDef(columnName, type, r.getByte() != 0));
                    }
                    final int keyCount = count(r);
                    final List<String> primaryKey = new ArrayList<>(keyCount);
                    for (int c = 0; c < keyCount; c++)
                    {
                        primaryKey.add(required(r.getString()));
                    }
                    final KeySpace rows = keySpace(r, keySpaces);
                    final TableSchema schema = new TableSchema(projectId, scopeId, name, owner, columns, primaryKey);
                    CatalogState.TableState table = new CatalogState.TableState(tableId, schema, rows, schema.primaryKeyIndexes());
                    final int indexCount = version >= 2 ? count(r) : 0;
                    for (int x = 0; x < indexCount; x++)
                    {
                        final String indexName = required(r.getString());
                        final boolean unique = r.getByte() != 0;
                        final int n = count(r);
                        final List<String> indexColumns = new ArrayList<>(n);
                        for (int c = 0; c < n; c++)
                        {
                            final String column = required(r.getString());
                            if (schema.columnIndex(column) < 0)
                            {
                                throw new DecodeException("index " + indexName + " of table " + name + " names no column " + column);
                            }
                            indexColumns.add(column);
                        }
                        table = table.withIndex(CatalogState.IndexState.of(new IndexSchema(indexName, indexColumns, unique),
                            keySpace(r, keySpaces), schema));
                    }
                    tables.put(name, table);
                }
                scopes.put(scopeId, new CatalogState.ScopeState(projectId, scopeId, scopeOwner, kv,
                    java.util.Collections.unmodifiableMap(tables)));
            }
            projects.put(projectId, new CatalogState.ProjectState(projectId, projectOwner,
                java.util.Collections.unmodifiableMap(scopes)));
        }
        r.expectEnd();
        return CatalogState.restored(seq, projects, nextTableId);
    }

    private static int count(final ByteReader r)
    {
        final int n = r.getInt();
        if (n < 0 || n > r.remaining())
        {
            throw new DecodeException("count " + n + " out of range");
        }
        return n;
    }

    private static String required(final String s)
    {
        if (s == null)
        {
            throw new DecodeException("a name is missing");
        }
        return s;
    }

    private static KeySpace keySpace(final ByteReader r, final KeySpace[] keySpaces)
    {
        final int i = r.getInt();
        if (i < 0 || i >= keySpaces.length)
        {
            throw new DecodeException("key space " + i + " out of range (" + keySpaces.length + ")");
        }
        return keySpaces[i];
    }
}
