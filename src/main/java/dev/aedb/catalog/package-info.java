/**
 * The catalog: immutable catalog versions (projects, scopes, tables and their key spaces), the live catalog that
 * publishes them by commit seq, table schemas and primary-key type checks. Internal. Layer: above
 * {@code model}, {@code codec} and {@code store}.
 */
package dev.aedb.catalog;
