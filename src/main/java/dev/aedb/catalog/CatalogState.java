package dev.aedb.catalog;

import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;
import dev.aedb.store.KeySpace;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One immutable version of the catalog: projects, scopes, tables and the key spaces holding their data. A DDL
 * commit at seq S publishes a new version with {@link #seq()} = S whose {@link #previous()} is the version it
 * replaced, so a reader at an older seq walks back to the catalog it must see. The writer cuts the history below
 * the reclamation horizon.
 */
public final class CatalogState
{
    /** A project and its scopes. */
    public record ProjectState(String id, String ownerId, Map<String, ScopeState> scopes)
    {
    }

    /** A scope: its KV key space and its tables. */
    public record ScopeState(String projectId, String id, String ownerId, KeySpace kv, Map<String, TableState> tables)
    {
    }

    /**
     * A table: schema, the key space of its rows and its secondary indexes.
     *
     * @param indexes the indexes by name, in name order; unmodifiable.
     */
    public record TableState(long tableId, TableSchema schema, KeySpace rows, int[] primaryKeyIndexes,
        Map<String, IndexState> indexes)
    {
        /** A table without indexes. */
        public TableState(final long tableId, final TableSchema schema, final KeySpace rows, final int[] primaryKeyIndexes)
        {
            this(tableId, schema, rows, primaryKeyIndexes, Collections.emptyMap());
        }

        /** @return this table with its schema replaced (indexes kept: columns are only ever appended). */
        public TableState withSchema(final TableSchema next)
        {
            return new TableState(tableId, next, rows, next.primaryKeyIndexes(), indexes);
        }

        /** @return this table with {@code index} added or replaced. */
        public TableState withIndex(final IndexState index)
        {
            final TreeMap<String, IndexState> next = new TreeMap<>(indexes);
            next.put(index.schema().name(), index);
            return new TableState(tableId, schema, rows, primaryKeyIndexes, Collections.unmodifiableMap(next));
        }

        /** @return this table without the index named {@code name}. */
        public TableState withoutIndex(final String name)
        {
            final TreeMap<String, IndexState> next = new TreeMap<>(indexes);
            next.remove(name);
            return new TableState(tableId, schema, rows, primaryKeyIndexes, Collections.unmodifiableMap(next));
        }
    }

    /**
     * A secondary index of a table: its definition, the key space of its entries and the row positions of its columns.
     * An entry's key is {@link IndexKeys#entryKey} of a row (indexed values, then the primary key); its payload is empty.
     */
    public record IndexState(IndexSchema schema, KeySpace entries, int[] columnIndexes)
    {
        /**
         * @param schema  the definition.
         * @param entries the entries' key space.
         * @param table   the table it indexes, whose columns it names.
         * @return the index with its column positions resolved.
         */
        public static IndexState of(final IndexSchema schema, final KeySpace entries, final TableSchema table)
        {
            final int[] columns = new int[schema.columns().size()];
            for (int i = 0; i < columns.length; i++)
            {
                columns[i] = table.columnIndex(schema.columns().get(i));
            }
            return new IndexState(schema, entries, columns);
        }
    }

    private final long seq;
    private final Map<String, ProjectState> projects;
    private final long nextTableId;
    private volatile CatalogState previous;

    CatalogState(final long seq, final Map<String, ProjectState> projects, final long nextTableId, final CatalogState previous)
    {
        this.seq = seq;
        this.projects = projects;
        this.nextTableId = nextTableId;
        this.previous = previous;
    }

    static CatalogState empty()
    {
        return new CatalogState(0, Map.of(), 1, null);
    }

    /**
     * Recovery only: the catalog as a checkpoint recorded it, with no history.
     *
     * @param seq         the DDL commit that published it.
     * @param projects    the projects, their scopes and tables (with their restored key spaces).
     * @param nextTableId the id the next created table gets.
     */
    public static CatalogState restored(final long seq, final Map<String, ProjectState> projects, final long nextTableId)
    {
        return new CatalogState(seq, Collections.unmodifiableMap(new LinkedHashMap<>(projects)), nextTableId, null);
    }

    /** @return the commit that published this version. */
    public long seq()
    {
        return seq;
    }

    public CatalogState previous()
    {
        return previous;
    }

    void cutHistory()
    {
        previous = null;
    }

    public long nextTableId()
    {
        return nextTableId;
    }

    /** @return the newest catalog version at or below {@code readSeq}. */
    public CatalogState at(final long readSeq)
    {
        CatalogState c = this;
        while (c.seq > readSeq && c.previous != null)
        {
            c = c.previous;
        }
        return c;
    }

    /** @return the projects, ordered by id. */
    public Map<String, ProjectState> projects()
    {
        return Collections.unmodifiableMap(new TreeMap<>(projects));
    }

    public ProjectState projectOrNull(final String projectId)
    {
        return projects.get(projectId);
    }

    public ProjectState project(final String projectId)
    {
        final ProjectState p = projects.get(projectId);
        if (p == null)
        {
            throw new AedbException(ErrorCode.PROJECT_NOT_FOUND, "project not found: " + projectId);
        }
        return p;
    }

    /** @return the scope, or null when it or its project does not exist (nothing is thrown). */
    public ScopeState scopeOrNull(final String projectId, final String scopeId)
    {
        final ProjectState p = projects.get(projectId);
        return p == null ? null : p.scopes().get(scopeId);
    }

    public ScopeState scope(final String projectId, final String scopeId)
    {
        final ScopeState s = project(projectId).scopes().get(scopeId);
        if (s == null)
        {
            throw new AedbException(ErrorCode.SCOPE_NOT_FOUND, "scope not found: " + projectId + "." + scopeId);
        }
        return s;
    }

    public TableState table(final String projectId, final String scopeId, final String tableName)
    {
        final TableState t = scope(projectId, scopeId).tables().get(tableName);
        if (t == null)
        {
            throw new AedbException(ErrorCode.TABLE_NOT_FOUND, "table not found: " + projectId + "." + scopeId + "." + tableName);
        }
        return t;
    }

    public CatalogState withProject(final ProjectState project)
    {
        final Map<String, ProjectState> next = new LinkedHashMap<>(projects);
        next.put(project.id(), project);
        return new CatalogState(seq, Collections.unmodifiableMap(next), nextTableId, previous);
    }

    public CatalogState withoutProject(final String projectId)
    {
        final Map<String, ProjectState> next = new LinkedHashMap<>(projects);
        next.remove(projectId);
        return new CatalogState(seq, Collections.unmodifiableMap(next), nextTableId, previous);
    }

    public CatalogState withScope(final ScopeState scope)
    {
        final ProjectState p = project(scope.projectId());
        final Map<String, ScopeState> scopes = new LinkedHashMap<>(p.scopes());
        scopes.put(scope.id(), scope);
        return withProject(new ProjectState(p.id(), p.ownerId(), Collections.unmodifiableMap(scopes)));
    }

    public CatalogState withoutScope(final String projectId, final String scopeId)
    {
        final ProjectState p = project(projectId);
        final Map<String, ScopeState> scopes = new LinkedHashMap<>(p.scopes());
        scopes.remove(scopeId);
        return withProject(new ProjectState(p.id(), p.ownerId(), Collections.unmodifiableMap(scopes)));
    }

    public CatalogState withTable(final TableState table, final boolean newId)
    {
        final TableSchema schema = table.schema();
        final ScopeState s = scope(schema.projectId(), schema.scopeId());
        final Map<String, TableState> tables = new LinkedHashMap<>(s.tables());
        tables.put(schema.tableName(), table);
        final CatalogState c = withScope(new ScopeState(s.projectId(), s.id(), s.ownerId(), s.kv(), Collections.unmodifiableMap(tables)));
        return newId ? new CatalogState(c.seq, c.projects, nextTableId + 1, c.previous) : c;
    }

    public CatalogState withoutTable(final String projectId, final String scopeId, final String tableName)
    {
        final ScopeState s = scope(projectId, scopeId);
        final Map<String, TableState> tables = new LinkedHashMap<>(s.tables());
        tables.remove(tableName);
        return withScope(new ScopeState(s.projectId(), s.id(), s.ownerId(), s.kv(), Collections.unmodifiableMap(tables)));
    }

    CatalogState publishedAt(final long commitSeq, final CatalogState replaced)
    {
        return new CatalogState(commitSeq, projects, nextTableId, replaced);
    }
}
