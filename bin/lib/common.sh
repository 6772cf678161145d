# Sourced by every bin/ script: ROOT (the checkout), die, note. Never changes the working directory.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
die() { echo "cloudburst: $*" >&2; exit 2; }
note() { echo "cloudburst: $*" >&2; }
# wants_help ARGS...: true when -h/--help is among the arguments (every command then prints its usage only)
wants_help() { local a; for a in "$@"; do case "$a" in -h|--help) return 0 ;; esac; done; return 1; }
