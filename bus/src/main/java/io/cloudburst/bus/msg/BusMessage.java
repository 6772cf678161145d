package io.cloudburst.bus.msg;

/**
 * Every record sent on the event bus. Each protocol is a sealed sub-interface with its own codec
 * (see {@link io.cloudburst.bus.codec.CloudburstCodecs}). Records are immutable, so a local hop
 * passes the record itself; only cluster hops serialize.
 */
public sealed interface BusMessage
    permits SchedulerRequest,
        SchedulerReply,
        ExecutorRequest,
        ExecutorStatus,
        DagEvent,
        KvsRequest,
        KvsReply,
        CacheRequest,
        CacheEvent,
        NodeEvent {}
