/**
 * The {@code aedb} command line ({@code demo}, {@code bench}, {@code dump parity}) built on the public API only. Not part of the
 * library's API; its dependencies (picocli, HdrHistogram) are optional, not passed on to embedders.
 */
package dev.aedb.cli;
