package io.cloudburst.web.impl;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which event-bus bridge socket listens on which bridge address, so the web front knows when the
 * first listener of an address comes (send it the current state, subscribe to the store) and when
 * the last one goes (unsubscribe). Sockets ({@code SockJSSocket}, {@code NetSocket}) are compared
 * by identity. Confined to the web verticle's event loop.
 */
public final class BridgeListeners {
  private final Map<String, Set<Object>> byAddress = new HashMap<>();
  private final Map<Object, Set<String>> bySocket = new IdentityHashMap<>();

  /**
   * Records that {@code socket} listens on {@code address}; true when it is the address's first
   * listener.
   */
  public boolean add(Object socket, String address) {
    Set<Object> sockets =
        byAddress.computeIfAbsent(address, a -> Collections.newSetFromMap(new IdentityHashMap<>()));
    boolean first = sockets.isEmpty();
    sockets.add(socket);
    bySocket.computeIfAbsent(socket, s -> new LinkedHashSet<>()).add(address);
    return first;
  }

  /** Forgets one listener; true when it was listening and the address has no listener left. */
  public boolean remove(Object socket, String address) {
    Set<String> addresses = bySocket.get(socket);
    if (addresses == null || !addresses.remove(address)) {
      return false;
    }
    if (addresses.isEmpty()) {
      bySocket.remove(socket);
    }
    return dropFromAddress(socket, address);
  }

  /** Forgets a closed socket; returns the addresses it leaves without any listener. */
  public List<String> removeSocket(Object socket) {
    Set<String> addresses = bySocket.remove(socket);
    if (addresses == null) {
      return List.of();
    }
    List<String> emptied = new ArrayList<>();
    for (String address : addresses) {
      if (dropFromAddress(socket, address)) {
        emptied.add(address);
      }
    }
    return emptied;
  }

  /** Forgets every listener of {@code address} and returns them (in no particular order). */
  public Set<Object> removeAddress(String address) {
    Set<Object> sockets = byAddress.remove(address);
    if (sockets == null) {
      return Set.of();
    }
    for (Object socket : sockets) {
      Set<String> addresses = bySocket.get(socket);
      if (addresses != null) {
        addresses.remove(address);
        if (addresses.isEmpty()) {
          bySocket.remove(socket);
        }
      }
    }
    return sockets;
  }

  public boolean listening(Object socket, String address) {
    Set<String> addresses = bySocket.get(socket);
    return addresses != null && addresses.contains(address);
  }

  public boolean hasListeners(String address) {
    return byAddress.containsKey(address);
  }

  /** How many addresses {@code socket} listens on. */
  public int count(Object socket) {
    Set<String> addresses = bySocket.get(socket);
    return addresses == null ? 0 : addresses.size();
  }

  /** Whether the socket listens on anything. */
  public boolean knows(Object socket) {
    return bySocket.containsKey(socket);
  }

  /** How many addresses have listeners. */
  public int addresses() {
    return byAddress.size();
  }

  private boolean dropFromAddress(Object socket, String address) {
    Set<Object> sockets = byAddress.get(address);
    if (sockets == null || !sockets.remove(socket)) {
      return false;
    }
    if (sockets.isEmpty()) {
      byAddress.remove(address);
      return true;
    }
    return false;
  }
}
