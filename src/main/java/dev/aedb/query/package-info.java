/**
 * Query execution at a pinned snapshot: primary-key point and range plans, filters and limits over a table's key
 * space. Internal. Layer: above {@code model}, {@code codec}, {@code store} and {@code catalog}.
 */
package dev.aedb.query;
