/**
 * The facade: {@link dev.aedb.AedbInstance} (open, commit, read, close), its configuration, snapshots, zero-allocation
 * handles and read results. With {@link dev.aedb.model} it is the whole public API; every other package is internal
 * and may change without notice. Layer: top of the engine, used only by {@code dev.aedb.cli}.
 */
package dev.aedb;
