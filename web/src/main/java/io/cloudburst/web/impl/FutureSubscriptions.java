package io.cloudburst.web.impl;

import io.cloudburst.bus.msg.CallResult;
import io.vertx.core.http.ServerWebSocket;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which WebSocket waits for which call id. Confined to the web verticle's event loop. A socket is
 * told of a call once, then forgotten for that id.
 */
public final class FutureSubscriptions {
  /** Most ids one socket may wait on at once. */
  public static final int MAX_PER_SOCKET = 10_000;

  private final Map<String, Set<ServerWebSocket>> byId = new HashMap<>();
  private final Map<ServerWebSocket, Set<String>> bySocket = new HashMap<>();

  /** Registers interest; false when the socket already waits on too many ids. */
  public boolean add(String id, ServerWebSocket ws) {
    Set<String> ids = bySocket.computeIfAbsent(ws, k -> new LinkedHashSet<>());
    if (ids.size() >= MAX_PER_SOCKET && !ids.contains(id)) {
      return false;
    }
    ids.add(id);
    byId.computeIfAbsent(id, k -> new LinkedHashSet<>()).add(ws);
    return true;
  }

  /** Delivers a finished result to every socket waiting on it, once. */
  public void complete(CallResult r) {
    Set<ServerWebSocket> sockets = byId.remove(r.id());
    if (sockets == null) {
      return;
    }
    String text = r.toJson().encode();
    for (ServerWebSocket ws : sockets) {
      Set<String> ids = bySocket.get(ws);
      if (ids != null) {
        ids.remove(r.id());
      }
      if (!ws.isClosed()) {
        ws.writeTextMessage(text);
      }
    }
  }

  /** Removes one socket's interest in one id; true if it was waiting. */
  public boolean remove(String id, ServerWebSocket ws) {
    Set<ServerWebSocket> sockets = byId.get(id);
    boolean was = sockets != null && sockets.remove(ws);
    if (sockets != null && sockets.isEmpty()) {
      byId.remove(id);
    }
    Set<String> ids = bySocket.get(ws);
    if (ids != null) {
      ids.remove(id);
    }
    return was;
  }

  /** Forgets a closed socket. */
  public void closed(ServerWebSocket ws) {
    Set<String> ids = bySocket.remove(ws);
    if (ids == null) {
      return;
    }
    for (String id : ids) {
      Set<ServerWebSocket> sockets = byId.get(id);
      if (sockets != null) {
        sockets.remove(ws);
        if (sockets.isEmpty()) {
          byId.remove(id);
        }
      }
    }
  }

  public int waiting() {
    return byId.size();
  }
}
