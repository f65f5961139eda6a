package dev.aedb.model;


/**
 * Who is calling. Carried by every API path (null means anonymous) so that permissions can be layered on later;
 * recorded in each WAL frame so that replay sees the same caller as the live commit.
 *
 * @param callerId identifier of the caller: 1-256 chars, no unpaired surrogate (it is stored as UTF-8, and two
 *                 callers must never be stored as the same bytes).
 */
public record CallerContext(String callerId)
{
    /** @throws AedbException INVALID_ARGUMENT for null, a bad length or an unpaired surrogate. */
    public CallerContext
    {
        if (callerId == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "callerId=null; use a null CallerContext for anonymous");
        }
        if (callerId.isEmpty() || callerId.length() > 256)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "callerId must be 1-256 chars, length=" + callerId.length());
        }
        if (Utf16.unpairedSurrogate(callerId) >= 0)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "callerId has an unpaired surrogate, which UTF-8 cannot encode");
        }
    }

    /** As the constructor. */
    public static CallerContext of(final String callerId)
    {
        return new CallerContext(callerId);
    }
}
