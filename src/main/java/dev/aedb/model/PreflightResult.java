package dev.aedb.model;

/**
 * What a mutation would do if committed now ({@code AedbInstance.preflight}): advisory, read at one snapshot, so a
 * commit that follows may still meet another outcome (use {@code preflightPlan} and {@code commitWithPreflight} to
 * make it conditional on what was read).
 *
 * @param error        the error the commit would meet, or null when it would succeed.
 * @param message      that error's message, or null.
 * @param affectedRows rows or KV pairs it would write or delete (0 for a delete of nothing), 0 with an error.
 * @param snapshotSeq  the snapshot it was checked at.
 */
public record PreflightResult(ErrorCode error, String message, long affectedRows, long snapshotSeq)
{
    /** @return whether the commit would succeed. */
    public boolean ok()
    {
        return error == null;
    }
}
