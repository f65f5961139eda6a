package dev.aedb.model;

/**
 * Coarse class of an {@link ErrorCode}: tells a caller what to do about a failure without parsing messages.
 */
public enum ErrorClass
{
    /** The request is malformed or does not fit the schema or limits; retrying it unchanged fails again. */
    VALIDATION,
    /** The request lost against the current state (failed assertion, duplicate key); re-read, then decide. */
    CONFLICT,
    /** The caller lacks a permission. */
    PERMISSION,
    /** Stored data failed a check (checksum, sequence density, replay); the engine stops rather than guess. */
    INTEGRITY,
    /** The instance cannot serve: closed, locked by another process, or stopped after an earlier failure. */
    UNAVAILABLE,
    /**
     * An unexpected failure inside the engine: a defect, or the JVM running out of memory. Not VALIDATION, because
     * the request may be perfectly good, and not INTEGRITY, because stored data is not in doubt. When it was
     * contained to one request, that request was rejected with nothing changed and the engine keeps serving
     * (retrying it unchanged will most likely fail the same way: report it); when it was not, the engine stopped
     * and later calls fail with PREVIOUS_FAILURE.
     */
    INTERNAL,
    /** A transient condition (queue full, snapshot slots exhausted); the same request may succeed later. */
    RETRYABLE
}
