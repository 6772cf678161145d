package io.cloudburst.runtime.impl;

import java.util.List;
import java.util.Map;

/**
 * The user library's backend on an executor: state through {@link UserState}, calls through {@link
 * NestedCalls}, messages through {@link Mailboxes}.
 */
public final class ExecutorLibrary implements LibraryBackend {
  private final UserState state;
  private final NestedCalls calls;
  private final Mailboxes mailboxes;

  public ExecutorLibrary(UserState state, NestedCalls calls, Mailboxes mailboxes) {
    this.state = state;
    this.calls = calls;
    this.mailboxes = mailboxes;
  }

  @Override
  public Object get(Invocation inv, String key) {
    return state.get(inv, key);
  }

  @Override
  public Map<String, Object> getMany(Invocation inv, List<String> keys) {
    return state.getMany(inv, keys);
  }

  @Override
  public void put(Invocation inv, String key, Object value) {
    state.put(inv, key, value);
  }

  @Override
  public Object call(Invocation inv, String name, List<Object> args) {
    return calls.call(inv, name, args);
  }

  @Override
  public void send(Invocation inv, String dest, byte[] data) {
    mailboxes.send(inv, dest, data);
  }

  @Override
  public List<Object> recv(Invocation inv) {
    return mailboxes.recv(inv);
  }
}
