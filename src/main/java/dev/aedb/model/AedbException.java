package dev.aedb.model;

/**
 * The one exception type of the engine. Every failure carries a stable {@link ErrorCode}; the message is for
 * people and may change, the code is for programs and does not.
 */
public final class AedbException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /**
     * @param code    the stable code; not null.
     * @param message what happened, for people; the code's string is prefixed.
     */
    public AedbException(final ErrorCode code, final String message)
    {
        super(code.code() + ": " + message);
        this.code = code;
    }

    /** As {@link #AedbException(ErrorCode, String)}, with the underlying {@code cause}. */
    public AedbException(final ErrorCode code, final String message, final Throwable cause)
    {
        super(code.code() + ": " + message, cause);
        this.code = code;
    }

    /** @return the stable error code. */
    public ErrorCode code()
    {
        return code;
    }

    /** @return the class of the error code. */
    public ErrorClass errorClass()
    {
        return code.errorClass();
    }
}
