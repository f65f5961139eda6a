package dev.aedb.store;

/**
 * Layout of a key record, a skip-list node, in the {@link Arena} (native byte order, 16-byte aligned):
 * <pre>
 *   0             8          12        16                    16 + 8 * level
 *   +-------------+----------+---------+---------------------+--------------+
 *   | chain head  | key len  | level   | next[0..level-1]    | key bytes    |
 *   +-------------+----------+---------+---------------------+--------------+
 * </pre>
 * {@code chain head} is the newest version of the key (0 = none). The node is published by a release store of
 * its address into the predecessors' next pointers, level 0 first, after every field is written; readers follow
 * pointers with acquire loads. An update is one release store of the chain head.
 */
final class NodeDescriptor
{
    public static final int CHAIN_OFFSET = 0;
    public static final int KEY_LENGTH_OFFSET = 8;
    public static final int LEVEL_OFFSET = 12;
    public static final int NEXT_OFFSET = 16;
    public static final int MAX_LEVEL = 20;

    private NodeDescriptor()
    {
    }

    public static int nodeSize(final int level, final int keyLength)
    {
        return NEXT_OFFSET + 8 * level + keyLength;
    }

    public static int keyOffset(final int level)
    {
        return NEXT_OFFSET + 8 * level;
    }
}
