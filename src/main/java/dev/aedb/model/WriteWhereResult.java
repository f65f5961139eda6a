package dev.aedb.model;

/**
 * Outcome of {@code updateWhere} / {@code deleteWhere}.
 *
 * @param affectedRows rows updated or deleted (0: the predicate selected none, and nothing was committed).
 * @param commitSeq    the commit that wrote them, or 0 when there was none.
 */
public record WriteWhereResult(long affectedRows, long commitSeq)
{
}
