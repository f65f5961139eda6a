/**
 * The writer: the commit sequencer (validation, group commit, WAL append and sync, apply, acknowledgement),
 * WAL replay and recovery decisions, idempotency, and the settings it is built with. Internal. Layer: above
 * {@code model}, {@code io}, {@code codec}, {@code store}, {@code wal} and {@code catalog}.
 */
package dev.aedb.commit;
