package dev.aedb;

/**
 * @param visibleHeadSeq newest commit readers can see.
 * @param durableHeadSeq newest commit known to be synced to disk.
 */
public record HeadState(long visibleHeadSeq, long durableHeadSeq)
{
}
