package dev.aedb.model;

import java.util.List;

/**
 * A read set and the mutations planned from it ({@code AedbInstance.preflightPlan}): for each row or KV key the
 * mutations write, the version it had at {@link #baseSeq()} (0: absent), as {@link Assertion.RowVersion} and
 * {@link Assertion.KeyVersion}. {@code commitWithPreflight} commits the mutations with those assertions in the same
 * envelope, so it applies only if nothing read has changed since (else CONFLICT, nothing applied).
 *
 * @param baseSeq   the snapshot the read set was taken at.
 * @param readSet   one version assertion per key written, in mutation order (a key once).
 * @param mutations the mutations, as given.
 */
public record PreflightPlan(long baseSeq, List<Assertion> readSet, List<Mutation> mutations)
{
    /** Copies the lists. */
    public PreflightPlan
    {
        readSet = List.copyOf(readSet);
        mutations = List.copyOf(mutations);
    }
}
