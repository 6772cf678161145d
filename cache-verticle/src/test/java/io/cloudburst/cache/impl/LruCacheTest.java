package io.cloudburst.cache.impl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LruCacheTest {

  @Test
  void evictsLeastRecentlyUsedUntilTheBytesFit() {
    LruCache<String> c = new LruCache<>(100);
    assertThat(c.put("a", "A", 40)).isEmpty();
    assertThat(c.put("b", "B", 40)).isEmpty();
    assertThat(c.get("a")).isEqualTo("A");
    assertThat(c.put("c", "C", 40)).containsExactly("b");
    assertThat(c.keys()).containsExactly("a", "c");
    assertThat(c.bytes()).isEqualTo(80);
    assertThat(c.put("d", "D", 90)).containsExactly("a", "c");
    assertThat(c.keys()).containsExactly("d");
    assertThat(c.evictions()).isEqualTo(3);
  }

  @Test
  void peekDoesNotRefreshAnEntry() {
    LruCache<String> c = new LruCache<>(100);
    c.put("a", "A", 50);
    c.put("b", "B", 50);
    assertThat(c.peek("a")).isEqualTo("A");
    assertThat(c.put("c", "C", 10)).containsExactly("a");
  }

  @Test
  void replacingAnEntryUpdatesItsSize() {
    LruCache<String> c = new LruCache<>(100);
    c.put("a", "A", 60);
    c.put("a", "A2", 30);
    assertThat(c.bytes()).isEqualTo(30);
    assertThat(c.get("a")).isEqualTo("A2");
    assertThat(c.put("b", "B", 70)).isEmpty();
    assertThat(c.remove("a")).isTrue();
    assertThat(c.remove("a")).isFalse();
    assertThat(c.bytes()).isEqualTo(70);
    assertThat(c.evictions()).isZero();
  }

  @Test
  void anEntryLargerThanTheBoundIsNotKept() {
    LruCache<String> c = new LruCache<>(100);
    c.put("a", "A", 10);
    c.put("big", "old", 10);
    assertThat(c.put("big", "huge", 101)).containsExactly("big");
    assertThat(c.contains("big")).isFalse();
    assertThat(c.keys()).containsExactly("a");
    assertThat(c.bytes()).isEqualTo(10);
  }
}
