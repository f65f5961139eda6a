package dev.aedb.model;

/**
 * How recovery treats a damaged WAL: a bad frame, a damaged or truncated file, an acknowledged frame missing. In
 * both modes a valid commit after the damage (a hole rather than a torn tail) refuses the open, and a damaged WAL is
 * never opened as an empty database.
 */
public enum RecoveryMode
{
    /** Any damage refuses the open with WAL_CORRUPT, naming the file and byte position; no file is changed. */
    STRICT,
    /**
     * A damaged tail is dropped: the readable prefix of the WAL is rebuilt into a fresh one that ends with a drop
     * record, the damaged WAL is kept beside it ({@code wal.damaged-<time>}), and {@link RecoveryReport} says what was
     * dropped. Later opens, strict ones included, accept the rebuilt WAL and keep reporting the drop.
     */
    PERMISSIVE
}
