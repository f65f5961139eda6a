package dev.aedb.model;

/**
 * Outcome of an accepted commit.
 *
 * @param commitSeq      the sequence number the envelope was committed under (the original one for a duplicate).
 * @param durableHeadSeq the durable head at acknowledgement time.
 * @param duplicate      true when an idempotency key matched an earlier identical request and nothing was applied.
 */
public record CommitResult(long commitSeq, long durableHeadSeq, boolean duplicate)
{
}
