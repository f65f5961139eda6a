package dev.aedb.model;

/**
 * Stable error codes. The {@link #code()} strings are part of the public contract and never change meaning.
 */
public enum ErrorCode
{
    INVALID_CONFIG("invalid_config", ErrorClass.VALIDATION),
    INVALID_ARGUMENT("invalid_argument", ErrorClass.VALIDATION),
    INVALID_IDENTIFIER("invalid_identifier", ErrorClass.VALIDATION),
    RESERVED_NAME("reserved_name", ErrorClass.VALIDATION),
    PROJECT_NOT_FOUND("project_not_found", ErrorClass.VALIDATION),
    SCOPE_NOT_FOUND("scope_not_found", ErrorClass.VALIDATION),
    TABLE_NOT_FOUND("table_not_found", ErrorClass.VALIDATION),
    COLUMN_NOT_FOUND("column_not_found", ErrorClass.VALIDATION),
    PROJECT_EXISTS("project_exists", ErrorClass.VALIDATION),
    SCOPE_EXISTS("scope_exists", ErrorClass.VALIDATION),
    TABLE_EXISTS("table_exists", ErrorClass.VALIDATION),
    COLUMN_EXISTS("column_exists", ErrorClass.VALIDATION),
    INVALID_SCHEMA("invalid_schema", ErrorClass.VALIDATION),
    TYPE_MISMATCH("type_mismatch", ErrorClass.VALIDATION),
    ARITY_MISMATCH("arity_mismatch", ErrorClass.VALIDATION),
    NULL_NOT_ALLOWED("null_not_allowed", ErrorClass.VALIDATION),
    INVALID_VALUE("invalid_value", ErrorClass.VALIDATION),
    PRIMARY_KEY_MISMATCH("primary_key_mismatch", ErrorClass.VALIDATION),
    PRIMARY_KEY_UPDATE("primary_key_update", ErrorClass.VALIDATION),
    ROW_NOT_FOUND("row_not_found", ErrorClass.VALIDATION),
    KEY_TOO_LARGE("key_too_large", ErrorClass.VALIDATION),
    VALUE_TOO_LARGE("value_too_large", ErrorClass.VALIDATION),
    ENVELOPE_TOO_LARGE("envelope_too_large", ErrorClass.VALIDATION),
    TOO_MANY_MUTATIONS("too_many_mutations", ErrorClass.VALIDATION),
    EMPTY_ENVELOPE("empty_envelope", ErrorClass.VALIDATION),
    OVERFLOW("overflow", ErrorClass.VALIDATION),
    UNDERFLOW("underflow", ErrorClass.VALIDATION),
    IDEMPOTENCY_KEY_REUSE("idempotency_key_reuse", ErrorClass.VALIDATION),
    INVALID_QUERY("invalid_query", ErrorClass.VALIDATION),
    INVALID_CURSOR("invalid_cursor", ErrorClass.VALIDATION),
    SEQ_NOT_VISIBLE("seq_not_visible", ErrorClass.VALIDATION),
    DUPLICATE_KEY("duplicate_key", ErrorClass.CONFLICT),
    ASSERTION_FAILED("assertion_failed", ErrorClass.CONFLICT),
    PERMISSION_DENIED("permission_denied", ErrorClass.PERMISSION),
    WAL_CORRUPT("wal_corrupt", ErrorClass.INTEGRITY),
    REPLAY_DIVERGENCE("replay_divergence", ErrorClass.INTEGRITY),
    IO_ERROR("io_error", ErrorClass.INTEGRITY),
    LOCK_LOST("lock_lost", ErrorClass.INTEGRITY),
    /** An unexpected exception inside the engine (see {@link ErrorClass#INTERNAL}). */
    INTERNAL_ERROR("internal_error", ErrorClass.INTERNAL),
    CLOSED("closed", ErrorClass.UNAVAILABLE),
    PREVIOUS_FAILURE("previous_failure", ErrorClass.UNAVAILABLE),
    DATABASE_LOCKED("database_locked", ErrorClass.UNAVAILABLE),
    JVM_FLAGS_MISSING("jvm_flags_missing", ErrorClass.UNAVAILABLE),
    DISK_FULL("disk_full", ErrorClass.UNAVAILABLE),
    QUEUE_FULL("queue_full", ErrorClass.RETRYABLE),
    /**
     * Reserved: blocking commits wait for the real outcome when interrupted and then set the interrupt flag again,
     * so no commit call throws it (it would not say whether the commit was applied).
     */
    INTERRUPTED("interrupted", ErrorClass.RETRYABLE),
    SNAPSHOT_LIMIT("snapshot_limit", ErrorClass.RETRYABLE),
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
