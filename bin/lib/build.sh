# Sourced after jdk.sh: building the modules, the runtime class path of a mode, and the JVM flags.
# The flags and GraalVM versions come from the parent pom through node/target/launcher/jvm.env, which
# the build of node writes (resources filtering of node/src/launcher/jvm.env).
STAMP="$ROOT/target/.build-stamp"
JVM_ENV="$ROOT/node/target/launcher/jvm.env"
OWN_MODULES=(bus kvs-verticle cache-verticle functions-runtime scheduler-verticle web node bench)

needs_build() {
  [ -f "$STAMP" ] && [ -f "$JVM_ENV" ] || return 0
  [ -n "$(cd "$ROOT" && find . -path ./target -prune -o -path '*/target' -prune -o -path ./data -prune -o -path '*/node_modules' -prune -o \
      \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' -o -path './node/src/launcher/*' \) -newer "$STAMP" -print -quit)" ]
}

# mvn_progress ARGS...: Maven with its output in target/build.log; prints one line per module, and the
# log's tail when it fails.
mvn_progress() {
  local log="$ROOT/target/build.log"
  mkdir -p "$ROOT/target"
  if ! (cd "$ROOT" && "${MVN[@]}" -B --no-transfer-progress "$@") 2>&1 | tee "$log" |
      sed -un 's/^\[INFO\] Building \(.*\) [0-9][^ ]* *\[\([0-9]*\/[0-9]*\)\]$/cloudburst:   [\2] \1/p' >&2; then
    tail -40 "$log" >&2
    die "the build failed (whole log: $log)"
  fi
}

# build [MODE]: compile and install the modules when a source changed, then write the runtime class
# paths of MODE (interpreted|jit) for node and bench.
build() {
  local mode="${1:-interpreted}" profile=() m
  [ "$mode" = jit ] && profile=(-Djit)
  mkdir -p "$ROOT/target"
  if needs_build; then
    if [ -f "$STAMP" ]; then note "building modules (sources changed)..."; else note "building modules (first build takes ~1 min)..."; fi
    mvn_progress -DskipTests install
    touch "$STAMP"
    rm -f "$ROOT"/target/classpath-*.txt
  fi
  for m in node bench; do
    local cp="$ROOT/target/classpath-$m-$mode.txt"
    [ -f "$cp" ] && continue
    # includeScope (not mdep.includeScope, which the plugin ignores): no test jars on a node's class path.
    (cd "$ROOT" && "${MVN[@]}" -B -q "${profile[@]}" -pl "$m" dependency:build-classpath -Dmdep.outputFile="$cp" -DincludeScope=runtime) \
      >"$ROOT/target/classpath.log" 2>&1 || { cat "$ROOT/target/classpath.log" >&2; die "cannot compute the $mode class path of $m"; }
  done
  if [ "$mode" = jit ] && [ ! -d "$ROOT/target/graal-compiler-$(graal_version jit)" ]; then
    (cd "$ROOT" && "${MVN[@]}" -B -q -Djit -N validate) >"$ROOT/target/classpath.log" 2>&1 ||
      { cat "$ROOT/target/classpath.log" >&2; die "cannot fetch the Graal compiler"; }
  fi
  # Every GraalVM jar of a mode must carry the same version, or Truffle fails in odd ways.
  local versions
  versions="$(tr ':' '\n' < "$ROOT/target/classpath-bench-$mode.txt" | sed -n 's|.*/org/graalvm/[^/]*/[^/]*/\([0-9][^/]*\)/.*|\1|p' | sort -u)"
  if [ "$(printf '%s\n' "$versions" | grep -c .)" -ne 1 ]; then
    rm -f "$ROOT"/target/classpath-*-"$mode".txt
    die "the $mode class path mixes GraalVM versions: $(echo $versions)"
  fi
}

load_jvm_env() { # CB_JVM_FLAGS, CB_GRAAL_VERSION_*: from the file the build wrote
  [ -f "$JVM_ENV" ] || die "missing $JVM_ENV: run ./cloudburst build"
  # shellcheck source=/dev/null
  . "$JVM_ENV"
}

graal_version() { load_jvm_env; if [ "$1" = jit ]; then echo "$CB_GRAAL_VERSION_JIT"; else echo "$CB_GRAAL_VERSION_INTERPRETED"; fi; }

runtime_flags() { # the flags of a mode, one a line: the Graal compiler on the module path for jit
  local mode="$1"
  echo "-Dcloudburst.runtime.mode=$mode"
  echo "-Dpolyglot.engine.userResourceCache=$HOME/.cache/cloudburst-polyglot-$(graal_version "$mode")"
  if [ "$mode" = jit ]; then
    local dir="$ROOT/target/graal-compiler-$(graal_version jit)"
    if [ -d "$dir" ] && "$JAVA_HOME/bin/java" -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI -version >/dev/null 2>&1; then
      echo "-XX:+UnlockExperimentalVMOptions"; echo "-XX:+EnableJVMCI"; echo "--upgrade-module-path=$dir"
    else
      note "JVMCI or the Graal compiler is not available; the jit build runs interpreted"
    fi
  fi
}

# initial_heap MAX: -Xms at half of MAX (as -Xmx takes it: 2g, 1536m), or nothing for a form it does
# not know. A heap that starts at the JVM's default (1/64 of the machine's memory) makes G1 keep a
# small young generation and run concurrent marking cycles at a few hundred MB: measured with three
# nodes on this machine, 34 young and 20 concurrent collections in 20 s against 10 and 0 with
# -Xms1g, and the GC threads' CPU per DAG call 19-27 µs against 5. The pages are committed as the
# heap is used, not at start.
initial_heap() {
  local n="${1%[gGmM]}" unit="${1: -1}"
  [[ "$n" =~ ^[0-9]+$ ]] || return 0
  case "$unit" in
    g|G) echo "-Xms$((n * 512))m" ;;
    m|M) [ "$n" -ge 2 ] && echo "-Xms$((n / 2))m" ;;
  esac
  return 0
}

# huge_pages: -XX:+UseTransparentHugePages when the kernel offers transparent huge pages to a process
# that asks (mode "always" or "madvise"), else nothing. The heap and the compiled code then sit on
# 2 MB pages instead of 4 kB ones, so far fewer TLB misses: measured on this machine with three
# nodes sharing its two cores (each switch between processes evicts the others' translations), the
# node CPU per DAG call fell by 8-22% (see "Huge pages" in the README).
huge_pages() {
  local f=/sys/kernel/mm/transparent_hugepage/enabled
  [ -r "$f" ] && grep -qE '\[(always|madvise)\]' "$f" && echo "-XX:+UseTransparentHugePages"
  return 0
}

# run_main MODE MODULE CLASS ARGS...: build, then exec a main class on MODULE's runtime class path.
# EXTRA_JVM_FLAGS (an array, may be unset) and $CLOUDBURST_JVM_OPTS (split on spaces) are added.
run_main() {
  local mode="$1" module="$2" main="$3"; shift 3
  build "$mode"
  load_jvm_env
  local flags=() jvm=() extra=() m
  read -r -a jvm <<< "$CB_JVM_FLAGS"
  read -r -a extra <<< "${CLOUDBURST_JVM_OPTS:-}"
  mapfile -t flags < <(runtime_flags "$mode")
  # This checkout's own modules come from their target/classes, never from the copies in ~/.m2:
  # another build installing there must not change the classes under a running node.
  local own=""
  for m in "${OWN_MODULES[@]}"; do
    [ "$m" = bench ] && [ "$module" != bench ] && continue
    own="${own:+$own:}$ROOT/$m/target/classes"
  done
  local cp
  cp="$own:$(tr ':' '\n' < "$ROOT/target/classpath-$module-$mode.txt" | grep -v '/io/cloudburst/' | paste -sd: -)"
  local heap="${CLOUDBURST_HEAP:-2g}"
  exec "$JAVA_HOME/bin/java" -Xmx"$heap" $(initial_heap "$heap") $(huge_pages) "${jvm[@]}" ${EXTRA_JVM_FLAGS[@]+"${EXTRA_JVM_FLAGS[@]}"} ${extra[@]+"${extra[@]}"} "${flags[@]}" \
    -cp "$cp" "$main" "$@"
}
