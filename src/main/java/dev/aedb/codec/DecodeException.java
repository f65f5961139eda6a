package dev.aedb.codec;

/**
 * Bytes that do not decode: a bug or corruption. Callers turn it into an integrity error; it is never data.
 */
public final class DecodeException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public DecodeException(final String message)
    {
        super(message);
    }
}
