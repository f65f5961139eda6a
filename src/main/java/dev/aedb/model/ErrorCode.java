package dev.aedb.model;

/**
 * Stable error codes. The {@link #code()} strings are part of the public contract and never change meaning.
 */
public enum ErrorCode
{
    /** A configuration value is out of range or inconsistent (raised by {@code AedbConfig.conclude()} at open). */
    INVALID_CONFIG("invalid_config", ErrorClass.VALIDATION),
    /** A method argument is null where it may not be, or out of range; the message names it. */
    INVALID_ARGUMENT("invalid_argument", ErrorClass.VALIDATION),
    /** A project, scope, table or column name is empty, too long, or has characters outside the allowed set. */
    INVALID_IDENTIFIER("invalid_identifier", ErrorClass.VALIDATION),
    /** A name the engine reserves for itself (project ids starting with '_'). */
    RESERVED_NAME("reserved_name", ErrorClass.VALIDATION),
    /** The project does not exist (at the snapshot read, or when the commit was applied). */
    PROJECT_NOT_FOUND("project_not_found", ErrorClass.VALIDATION),
    /** The scope does not exist. */
    SCOPE_NOT_FOUND("scope_not_found", ErrorClass.VALIDATION),
    /** The table does not exist. */
    TABLE_NOT_FOUND("table_not_found", ErrorClass.VALIDATION),
    /** A row, query or key names a column the table does not have. */
    COLUMN_NOT_FOUND("column_not_found", ErrorClass.VALIDATION),
    /** CreateProject without ifNotExists for a project that exists. */
    PROJECT_EXISTS("project_exists", ErrorClass.VALIDATION),
    /** CreateScope without ifNotExists for a scope that exists. */
    SCOPE_EXISTS("scope_exists", ErrorClass.VALIDATION),
    /** CreateTable for a table that exists. */
    TABLE_EXISTS("table_exists", ErrorClass.VALIDATION),
    /** AlterTableAddColumn for a column the table has. */
    COLUMN_EXISTS("column_exists", ErrorClass.VALIDATION),
    /** A table definition is unusable: no columns, no or a bad primary key, a nullable key column. */
    INVALID_SCHEMA("invalid_schema", ErrorClass.VALIDATION),
    /** A value does not have its column's type, or two values of different types are compared. */
    TYPE_MISMATCH("type_mismatch", ErrorClass.VALIDATION),
    /** A row or key has the wrong number of values. */
    ARITY_MISMATCH("arity_mismatch", ErrorClass.VALIDATION),
    /** NULL for a column that is not nullable. */
    NULL_NOT_ALLOWED("null_not_allowed", ErrorClass.VALIDATION),
    /** A value cannot be stored: out of its type's range, or text with an unpaired surrogate. */
    INVALID_VALUE("invalid_value", ErrorClass.VALIDATION),
    /** The key given with a row is not the row's own primary key. */
    PRIMARY_KEY_MISMATCH("primary_key_mismatch", ErrorClass.VALIDATION),
    /** An update would change a row's primary key. */
    PRIMARY_KEY_UPDATE("primary_key_update", ErrorClass.VALIDATION),
    /** An update or delete that requires the row found none. */
    ROW_NOT_FOUND("row_not_found", ErrorClass.VALIDATION),
    /** A KV key or encoded primary key is over {@code AedbConfig.maxKvKeyBytes}. */
    KEY_TOO_LARGE("key_too_large", ErrorClass.VALIDATION),
    /** A KV value or encoded row is over {@code AedbConfig.maxValueBytes}. */
    VALUE_TOO_LARGE("value_too_large", ErrorClass.VALIDATION),
    /** The encoded envelope is over {@code AedbConfig.maxEnvelopeBytes}. */
    ENVELOPE_TOO_LARGE("envelope_too_large", ErrorClass.VALIDATION),
    /** The envelope has more than {@code AedbConfig.maxMutationsPerEnvelope} mutations. */
    TOO_MANY_MUTATIONS("too_many_mutations", ErrorClass.VALIDATION),
    /** The envelope has no mutation. */
    EMPTY_ENVELOPE("empty_envelope", ErrorClass.VALIDATION),
    /** A U256 counter increment would go above 2^256 - 1. */
    OVERFLOW("overflow", ErrorClass.VALIDATION),
    /** A U256 counter decrement would go below zero. */
    UNDERFLOW("underflow", ErrorClass.VALIDATION),
    /** An idempotency key inside its window was used again with a different envelope. */
    IDEMPOTENCY_KEY_REUSE("idempotency_key_reuse", ErrorClass.VALIDATION),
    /** A query is malformed: no table, a bad filter, a non-finite literal, a full scan not allowed by its options. */
    INVALID_QUERY("invalid_query", ErrorClass.VALIDATION),
    /** A scan cursor belongs to another snapshot, or is malformed. */
    INVALID_CURSOR("invalid_cursor", ErrorClass.VALIDATION),
    /** A query would examine more rows than {@code QueryOptions.maxScanRows} allows; narrow it, page it, or raise the bound. */
    SCAN_BOUND_EXCEEDED("scan_bound_exceeded", ErrorClass.VALIDATION),
    /** A CreateIndex names an index the table has (without {@code ifNotExists}). */
    INDEX_EXISTS("index_exists", ErrorClass.VALIDATION),
    /** A DropIndex names an index the table does not have (without {@code ifExists}). */
    INDEX_NOT_FOUND("index_not_found", ErrorClass.VALIDATION),
    /** An {@code AtSeq} read above the visible head. */
    SEQ_NOT_VISIBLE("seq_not_visible", ErrorClass.VALIDATION),
    /** An insert for a key that exists. */
    DUPLICATE_KEY("duplicate_key", ErrorClass.CONFLICT),
    /**
     * A write would give two rows the same non-NULL values in every column of a unique index (or a unique index is
     * created over rows that already do); nothing of the envelope was applied. The message names the index.
     */
    UNIQUE_VIOLATION("unique_violation", ErrorClass.CONFLICT),
    /**
     * What a compare-and-swap, a preflighted commit or an updateWhere/deleteWhere read has changed before it committed;
     * nothing was applied. Read again and retry.
     */
    CONFLICT("conflict", ErrorClass.CONFLICT),
    /** An envelope assertion did not hold; nothing of the envelope was applied. The message names the assertion. */
    ASSERTION_FAILED("assertion_failed", ErrorClass.CONFLICT),
    /** Reserved for permission checks: the caller may not do this. */
    PERMISSION_DENIED("permission_denied", ErrorClass.PERMISSION),
    /** Recovery found the WAL damaged or incomplete and refused it (no file was changed in STRICT mode). */
    WAL_CORRUPT("wal_corrupt", ErrorClass.INTEGRITY),
    /** A WAL frame that was once committed does not apply on replay: the log and the engine disagree. */
    REPLAY_DIVERGENCE("replay_divergence", ErrorClass.INTEGRITY),
    /** A read, write or sync of the data directory failed; after one during a commit the instance stops (fail-stop). */
    IO_ERROR("io_error", ErrorClass.INTEGRITY),
    /** The directory lock file was replaced or removed while open; the instance stops rather than write. */
    LOCK_LOST("lock_lost", ErrorClass.INTEGRITY),
    /**
     * A checkpoint image or its manifest fails its checks (a CRC32C, a length, a field out of range, a file the
     * manifest names is missing): its data is never used. The message names the file and the byte offset.
     */
    CHECKPOINT_CORRUPT("checkpoint_corrupt", ErrorClass.INTEGRITY),
    /** A checkpoint image or manifest was written by a newer aedb format version, or on a machine of another byte order. */
    CHECKPOINT_UNSUPPORTED("checkpoint_unsupported", ErrorClass.INTEGRITY),
    /** An unexpected exception inside the engine (see {@link ErrorClass#INTERNAL}). */
    INTERNAL_ERROR("internal_error", ErrorClass.INTERNAL),
    /** The instance, snapshot or handle is closed. */
    CLOSED("closed", ErrorClass.UNAVAILABLE),
    /** The instance stopped after an earlier fail-stop error (the cause is attached); reopen it. */
    PREVIOUS_FAILURE("previous_failure", ErrorClass.UNAVAILABLE),
    /** Another instance, in this or another process, holds the data directory. */
    DATABASE_LOCKED("database_locked", ErrorClass.UNAVAILABLE),
    /** The JVM lacks flags Chronicle Queue and Agrona need; the message lists them. */
    JVM_FLAGS_MISSING("jvm_flags_missing", ErrorClass.UNAVAILABLE),
    /** The file system holding the WAL has less free space than {@code AedbConfig.minFreeDiskBytes}. */
    DISK_FULL("disk_full", ErrorClass.UNAVAILABLE),
    /** The ingress queue to the sequencer is full; retry later. */
    QUEUE_FULL("queue_full", ErrorClass.RETRYABLE),
    /**
     * Reserved: blocking commits wait for the real outcome when interrupted and then set the interrupt flag again,
     * so no commit call throws it (it would not say whether the commit was applied).
     */
    INTERRUPTED("interrupted", ErrorClass.RETRYABLE),
    /** Every reader slot is in use; close snapshots or raise {@code AedbConfig.maxConcurrentSnapshots}. */
    SNAPSHOT_LIMIT("snapshot_limit", ErrorClass.RETRYABLE),
    /** An {@code AT_CHECKPOINT} read before the database has any checkpoint. */
    NO_CHECKPOINT("no_checkpoint", ErrorClass.RETRYABLE),
    /** A snapshot is older than {@code AedbConfig.maxSnapshotAgeMillis}, or an {@code AtSeq} below the oldest readable seq. */
    SNAPSHOT_EXPIRED("snapshot_expired", ErrorClass.RETRYABLE);

    private final String code;
    private final ErrorClass errorClass;

    ErrorCode(final String code, final ErrorClass errorClass)
    {
        this.code = code;
        this.errorClass = errorClass;
    }

    /** @return the stable snake_case code string. */
    public String code()
    {
        return code;
    }

    /** @return the class of failure, telling the caller whether to fix, re-read, retry or reopen. */
    public ErrorClass errorClass()
    {
        return errorClass;
    }
}
