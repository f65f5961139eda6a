package dev.aedb.commit;

import dev.aedb.CallerContext;

import java.util.List;

/**
 * An atomic unit of work: all mutations commit under one seq, or none do.
 *
 * @param caller         who commits; null = anonymous. Recorded in the WAL frame.
 * @param idempotencyKey optional (null) 1-64 byte key: a retry of the same request with the same key (and caller)
 *                       returns the original seq, also after a reopen; the same key with a different request is
 *                       rejected with IDEMPOTENCY_KEY_REUSE. Remembered for {@code idempotencyWindowCommits}.
 * @param assertions     conditions checked before the mutations apply.
 * @param mutations      the changes, at least one.
 */
public record TransactionEnvelope(CallerContext caller, byte[] idempotencyKey, List<Assertion> assertions, List<Mutation> mutations)
{
    public TransactionEnvelope
    {
        assertions = assertions == null ? List.of() : List.copyOf(assertions);
        mutations = mutations == null ? List.of() : List.copyOf(mutations);
    }

    public static TransactionEnvelope of(final Mutation... mutations)
    {
        return new TransactionEnvelope(null, null, List.of(), List.of(mutations));
    }

    public static TransactionEnvelope of(final List<Mutation> mutations)
    {
        return new TransactionEnvelope(null, null, List.of(), mutations);
    }
}
