/**
 * The value model every layer shares: values, rows, column types, DDL operations, mutations, assertions,
 * envelopes, queries and their options, commit and recovery results, and the one exception type with its stable
 * codes. Part of the public API. Immutable value types, safe to share between threads. Layer: the leaf; it uses
 * nothing of ours and nothing outside the JDK.
 */
package dev.aedb.model;
