package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.lattice.VectorClock;
import io.cloudburst.bus.session.Session;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Causal sessions that span calls: per client id, what the client's finished calls depend on (the
 * clocks they read and wrote, and those versions' dependencies). A client's next causal call starts
 * from it, so it reads its own writes and never reads older versions than before. Only the
 * dependencies carry over (the versions a call pinned are that call's). Bounded: the least recently
 * used clients are forgotten first. Not thread-safe: the scheduler's event loop owns it.
 */
public final class ClientSessions {
  private final int maxClients;
  private final LinkedHashMap<String, Map<String, VectorClock>> byClient =
      new LinkedHashMap<>(16, 0.75f, true);

  public ClientSessions(int maxClients) {
    this.maxClients = maxClients;
  }

  /** The session call {@code callId} of {@code clientId} starts from (empty for a new client). */
  public Session start(String clientId, String callId) {
    return new Session(callId, true, Map.of(), byClient.getOrDefault(clientId, Map.of()));
  }

  /** Adds what a finished call of {@code clientId} depends on. */
  public void finished(String clientId, Session session) {
    Map<String, VectorClock> deps = new TreeMap<>(byClient.getOrDefault(clientId, Map.of()));
    session.dependencies().forEach((k, c) -> deps.merge(k, c, VectorClock::merge));
    byClient.put(clientId, deps);
    while (byClient.size() > maxClients) {
      byClient.remove(byClient.keySet().iterator().next());
    }
  }

  public int size() {
    return byClient.size();
  }
}
