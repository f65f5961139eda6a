/**
 * The write-ahead log: Chronicle Queue appends with placement checks, aedb's own bounds-checked reader of the
 * cycle files, {@code wal.state} (the last acknowledged and synced frames), permissive rebuild of a damaged log, and
 * the directory lock. The only package that touches Chronicle ({@code net.openhft}). Internal. Layer: above
 * {@code model}, {@code io} and {@code codec}.
 */
package dev.aedb.wal;
