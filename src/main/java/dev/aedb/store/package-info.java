/**
 * The off-heap multi-version store: the arena of memory-mapped segments, key spaces (skip list + hash index,
 * version chains), the reader registry with its pin protocol, and reclamation. One writer thread, lock-free readers.
 * Internal. Layer: above {@code model} only.
 */
package dev.aedb.store;
