"""Stand-ins for the original's generated protobuf modules (no protobuf needed)."""
