/**
 * Byte formats: the WAL frame layout, envelope encoding, the order-preserving primary-key encoding and the row
 * encoding, with the growable byte buffers they write into. Internal. Layer: above {@code model} only.
 */
package dev.aedb.codec;
