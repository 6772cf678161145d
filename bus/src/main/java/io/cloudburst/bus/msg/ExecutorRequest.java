package io.cloudburst.bus.msg;

import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import java.util.List;

/** Requests to one executor verticle at {@link io.cloudburst.bus.Addresses#executor}. */
public sealed interface ExecutorRequest extends BusMessage {

  /**
   * Runs one function version with resolved arguments. Reply: a finished {@link CallResult}
   * (failures are results, not bus failures, so the guest's logs travel with them).
   */
  record Execute(String callId, FunctionInfo function, List<Object> args, long timeoutMs, int depth)
      implements ExecutorRequest {
    public Execute {
      args = SchedulerRequest.immutableCopy(args);
    }
  }

  /**
   * Checks that a source compiles and defines its entrypoint, and warms a context for it. Reply:
   * the {@link FunctionInfo}; failure BAD_REQUEST with the line number.
   */
  record Validate(FunctionInfo function) implements ExecutorRequest {}
}
