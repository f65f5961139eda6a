package dev.aedb;

/**
 * A KV pair as read at some snapshot.
 *
 * @param key     the key bytes (a copy).
 * @param value   the value bytes (a copy).
 * @param version the commit seq that last wrote it.
 */
public record KvEntry(byte[] key, byte[] value, long version)
{
}
