package dev.aedb.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The sessions an engine has handed out and not yet seen closed, so that {@link Engine#close()} can close the
 * leftovers before the store itself (LMDB, RocksDB and SQLite refuse or misbehave when a store closes under a live
 * transaction, iterator or connection). Thread-safe.
 */
final class SessionRegistry
{
    private final List<Engine.Session> open = new ArrayList<>();

    /** @return {@code session}, now registered. */
    synchronized <S extends Engine.Session> S add(final S session)
    {
        open.add(session);
        return session;
    }

    synchronized void remove(final Engine.Session session)
    {
        open.remove(session);
    }

    /** Closes every registered session (each removes itself). */
    void closeAll()
    {
        final List<Engine.Session> left;
        synchronized (this)
        {
            left = new ArrayList<>(open);
        }
        for (final Engine.Session session : left)
        {
            session.close();
        }
    }
}
