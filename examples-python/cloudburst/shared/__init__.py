"""The original Cloudburst's ``cloudburst.shared`` modules that client programs import."""
