# Sourced: a JDK 25+ as JAVA_HOME (JAVA_HOME if it is 25+, else a Temurin 25+ under /usr/lib/jvm), and
# Maven (installed with apt when missing). $CLOUDBURST_MVN replaces the mvn command (e.g. a wrapper).
java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1; }
find_jdk() {
  local c v
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-2[5-9]* /usr/lib/jvm/temurin-[3-9][0-9]* /usr/lib/jvm/*-2[5-9]-* /usr/lib/jvm/jdk-2[5-9]*; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] || continue
    v="$(java_major "$c")"
    if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then echo "$c"; return 0; fi
  done
  return 1
}
JDK="$(find_jdk)" || die "JDK 25 not found: install Temurin 25 under /usr/lib/jvm or set JAVA_HOME to a JDK 25+"
export JAVA_HOME="$JDK" PATH="$JDK/bin:$PATH"
if [ -z "${CLOUDBURST_MVN:-}" ] && ! command -v mvn >/dev/null; then
  note "installing maven"
  apt-get update -qq && apt-get install -y -qq maven >/dev/null
fi
read -r -a MVN <<< "${CLOUDBURST_MVN:-mvn}"
