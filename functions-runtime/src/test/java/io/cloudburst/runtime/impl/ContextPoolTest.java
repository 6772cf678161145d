package io.cloudburst.runtime.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContextPoolTest {
  /** A fake context: a language, an optional function version, a clock value. */
  static final class Fake implements ContextPool.Pooled {
    final String language;
    String versionKey;
    boolean dead;
    boolean stale;
    long lastUsed;

    Fake(String language, String versionKey, long lastUsed) {
      this.language = language;
      this.versionKey = versionKey;
      this.lastUsed = lastUsed;
    }

    @Override
    public String language() {
      return language;
    }

    @Override
    public String versionKey() {
      return versionKey;
    }

    @Override
    public boolean isDead() {
      return dead;
    }

    @Override
    public boolean isStale() {
      return stale;
    }

    @Override
    public long lastUsed() {
      return lastUsed;
    }

    @Override
    public void touch() {
      // the tests set lastUsed themselves
    }
  }

  private static Fake borrowNew(ContextPool<Fake> pool, String lang, String key, long used) {
    List<Fake> evicted = new ArrayList<>();
    assertThat(pool.reserve(evicted)).isTrue();
    Fake f = new Fake(lang, key, used);
    pool.addedBorrowed(f);
    return f;
  }

  @Test
  void contextsOfARetiredEngineLeaveThePoolIdleOrOnReturn() {
    ContextPool<Fake> pool = new ContextPool<>(4);
    Fake idle = borrowNew(pool, "python", "sq@1", 1);
    Fake busy = borrowNew(pool, "python", "sq@1", 2);
    Fake fresh = borrowNew(pool, "python", "sq@1", 3);
    assertThat(pool.release(idle)).isTrue();
    assertThat(pool.release(fresh)).isTrue();
    assertThat(pool.reserveFree()).isTrue();
    Fake spare = new Fake("python", null, 4);
    pool.addSpare(spare);
    idle.stale = true;
    busy.stale = true;
    spare.stale = true;

    assertThat(pool.removeStale()).containsExactlyInAnyOrder(idle, spare);
    assertThat(pool.release(busy)).as("a stale context is not pooled again").isFalse();
    assertThat(pool.borrowWarm("sq@1")).isSameAs(fresh);
    assertThat(pool.counts()).containsEntry("live", 1).containsEntry("spare", 0);
  }

  @Test
  void aReleasedContextIsBorrowedAgainForItsVersionOnly() {
    ContextPool<Fake> pool = new ContextPool<>(4);
    Fake f = borrowNew(pool, "python", "sq@1", 1);
    assertThat(pool.release(f)).isTrue();
    assertThat(pool.borrowWarm("sq@2")).isNull();
    assertThat(pool.borrowWarm("sq@1")).isSameAs(f);
    assertThat(pool.borrowWarm("sq@1")).isNull();
  }

  @Test
  void busyContextsStillCountAsWarm() {
    ContextPool<Fake> pool = new ContextPool<>(4);
    Fake f = borrowNew(pool, "python", "sq@1", 1);
    assertThat(pool.warmVersions()).containsExactly("sq@1");
    pool.release(f);
    pool.borrowWarm("sq@1");
    assertThat(pool.warmVersions()).containsExactly("sq@1");
  }

  @Test
  void deadOrBlankContextsAreDroppedOnRelease() {
    ContextPool<Fake> pool = new ContextPool<>(2);
    Fake dead = borrowNew(pool, "python", "sq@1", 1);
    dead.dead = true;
    assertThat(pool.release(dead)).isFalse();
    Fake blank = borrowNew(pool, "js", null, 1);
    assertThat(pool.release(blank)).isFalse();
    assertThat(pool.counts()).containsEntry("live", 0).containsEntry("borrowed", 0);
  }

  @Test
  void aFullPoolEvictsTheLeastRecentlyUsedIdleContext() {
    ContextPool<Fake> pool = new ContextPool<>(3);
    Fake old = borrowNew(pool, "python", "a@1", 10);
    Fake newer = borrowNew(pool, "python", "b@1", 20);
    Fake busy = borrowNew(pool, "js", "c@1", 5);
    pool.release(old);
    pool.release(newer);
    List<Fake> evicted = new ArrayList<>();
    assertThat(pool.reserve(evicted)).isTrue();
    assertThat(evicted).containsExactly(old);
    assertThat(pool.counts()).containsEntry("live", 3);
    assertThat(pool.borrowWarm("a@1")).isNull();
    assertThat(busy.isDead()).isFalse();
  }

  @Test
  void aFullPoolWithEveryContextBusyRefusesToReserve() {
    ContextPool<Fake> pool = new ContextPool<>(2);
    borrowNew(pool, "python", "a@1", 1);
    borrowNew(pool, "python", "b@1", 1);
    assertThat(pool.reserve(new ArrayList<>())).isFalse();
    assertThat(pool.reserveFree()).isFalse();
  }

  @Test
  void sparesAreUsedBeforeEvictionOnlyWhenNothingElseIsIdle() {
    ContextPool<Fake> pool = new ContextPool<>(2);
    assertThat(pool.reserveFree()).isTrue();
    Fake spare = new Fake("python", null, 1);
    pool.addSpare(spare);
    Fake warm = borrowNew(pool, "python", "a@1", 100);
    pool.release(warm);
    List<Fake> evicted = new ArrayList<>();
    assertThat(pool.reserve(evicted)).isTrue();
    assertThat(evicted).containsExactly(warm);
    evicted.clear();
    assertThat(pool.reserve(evicted)).isTrue();
    assertThat(evicted).containsExactly(spare);
  }

  @Test
  void sparesAreBorrowedByLanguage() {
    ContextPool<Fake> pool = new ContextPool<>(4);
    pool.reserveFree();
    Fake js = new Fake("javascript", null, 1);
    pool.addSpare(js);
    assertThat(pool.spareCount("javascript")).isEqualTo(1);
    assertThat(pool.borrowSpare("python")).isNull();
    assertThat(pool.borrowSpare("javascript")).isSameAs(js);
    assertThat(pool.spareCount("javascript")).isZero();
  }

  @Test
  void idleContextsPastTheRetirementAgeAreRetired() {
    ContextPool<Fake> pool = new ContextPool<>(4);
    Fake old = borrowNew(pool, "python", "a@1", 0);
    Fake fresh = borrowNew(pool, "python", "a@1", 900);
    pool.release(old);
    pool.release(fresh);
    List<Fake> retired = pool.retireIdle(1_000, 500);
    assertThat(retired).containsExactly(old);
    assertThat(pool.counts()).containsEntry("live", 1).containsEntry("idle", 1);
  }
}
