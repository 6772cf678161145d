package io.cloudburst.cache;

/**
 * The counters of one cache since it started.
 *
 * @param hits reads served from the cache
 * @param misses reads that went to the store
 * @param evictions entries evicted to stay within the byte bound
 * @param bytes the bytes the entries take now
 * @param keys how many keys it holds now
 */
public record CacheStats(long hits, long misses, long evictions, long bytes, int keys) {}
