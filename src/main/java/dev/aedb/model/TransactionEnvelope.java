package dev.aedb.model;


import java.util.List;

/**
 * An atomic unit of work: all mutations commit under one seq, or none do.
 *
 * @param caller         who commits; null = anonymous. Recorded in the WAL frame.
 * @param idempotencyKey optional (null) 1-64 byte key: a retry of the same request with the same key (and caller)
 *                       returns the original seq, also after a reopen; the same key with a different request is
 *                       rejected with IDEMPOTENCY_KEY_REUSE. Remembered for {@code idempotencyWindowCommits}.
 * @param assertions     conditions checked before the mutations apply; null = none. Copied.
 * @param mutations      the changes, at least one (null or empty is EMPTY_ENVELOPE at commit). Copied.
 */
public record TransactionEnvelope(CallerContext caller, byte[] idempotencyKey, List<Assertion> assertions, List<Mutation> mutations)
{
    /** @throws AedbException INVALID_ARGUMENT naming the first null element of {@code assertions} or {@code mutations}. */
    public TransactionEnvelope
    {
        assertions = assertions == null ? List.of() : copyWithoutNulls(assertions, "assertions");
        mutations = mutations == null ? List.of() : copyWithoutNulls(mutations, "mutations");
    }

    /**
     * @param mutations the changes, anonymous, no idempotency key, no assertions.
     * @return the envelope.
     * @throws AedbException INVALID_ARGUMENT when the array or one of its elements is null.
     */
    public static TransactionEnvelope of(final Mutation... mutations)
    {
        if (mutations == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "mutations=null");
        }
        final List<Mutation> list;
        try
        {
            list = List.of(mutations);
        }
        catch (final NullPointerException ex)
        {
            throw nullElement(java.util.Arrays.asList(mutations), "mutations");
        }
        return new TransactionEnvelope(null, null, List.of(), list);
    }

    /**
     * @param mutations the changes, anonymous, no idempotency key, no assertions.
     * @return the envelope.
     * @throws AedbException INVALID_ARGUMENT when the list or one of its elements is null.
     */
    public static TransactionEnvelope of(final List<Mutation> mutations)
    {
        if (mutations == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "mutations=null");
        }
        return new TransactionEnvelope(null, null, List.of(), mutations);
    }

    private static <T> List<T> copyWithoutNulls(final List<T> list, final String name)
    {
        try
        {
            return List.copyOf(list); // no copy for a list it made itself; checks for nulls on the way
        }
        catch (final NullPointerException ex)
        {
            throw nullElement(list, name); // List.copyOf names nothing: say which element
        }
    }

    private static AedbException nullElement(final List<?> list, final String name)
    {
        int i = 0;
        for (final Object element : list)
        {
            if (element == null)
            {
                return new AedbException(ErrorCode.INVALID_ARGUMENT, name + "[" + i + "]=null");
            }
            i++;
        }
        return new AedbException(ErrorCode.INVALID_ARGUMENT, name + " changed while it was copied");
    }
}
