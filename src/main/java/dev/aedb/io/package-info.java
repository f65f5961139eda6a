/**
 * The per-instance fault seam ({@link dev.aedb.io.IoFaults}): failed syncs, refused WAL writes, a reported free-space
 * figure and named crash points, for tests and the crash matrix; {@code IoFaults.NONE} in production. Also
 * {@link dev.aedb.io.FileRetirement}, the stepwise deletion of large files retention uses. Internal.
 * Layer: above {@code model} only, so a layer that does I/O can call it (today {@code wal} and {@code commit}).
 */
package dev.aedb.io;
