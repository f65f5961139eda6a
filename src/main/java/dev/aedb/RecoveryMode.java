package dev.aedb;

/**
 * How recovery treats a WAL frame that fails its checks.
 */
public enum RecoveryMode
{
    /** Any bad frame refuses the open, naming the file and position. */
    STRICT,
    /**
     * A run of bad frames at the very end of the WAL (a torn tail) is dropped, recorded in the WAL as a drop
     * marker and reported in {@link RecoveryReport}; a bad frame followed by valid ones still refuses the open.
     */
    PERMISSIVE
}
