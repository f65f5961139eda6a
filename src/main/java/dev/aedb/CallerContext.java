package dev.aedb;

import java.util.Objects;

/**
 * Who is calling. Carried by every API path (null means anonymous) so that permissions can be layered on later;
 * recorded in each WAL frame so that replay sees the same caller as the live commit.
 *
 * @param callerId non-empty identifier of the caller.
 */
public record CallerContext(String callerId)
{
    public CallerContext
    {
        Objects.requireNonNull(callerId, "callerId");
        if (callerId.isEmpty() || callerId.length() > 256)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "callerId must be 1-256 chars, length=" + callerId.length());
        }
    }

    public static CallerContext of(final String callerId)
    {
        return new CallerContext(callerId);
    }
}
