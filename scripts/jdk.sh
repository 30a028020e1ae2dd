# Sourced by ./mvnw and ./warden: makes sure a JDK 21+ runs Warden. If JAVA_HOME (or the java on
# PATH) is older, the newest JDK under the usual install roots is chosen instead.
warden_java_major() {
  # the JDK's release file says its version without starting a JVM (which costs ~0.3 s each)
  local v=""
  if [ -f "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9][0-9.]*\).*/\1/p' "$1/release" | head -n1)
    case "$v" in 1.*) v=${v#1.} ;; esac
    v=${v%%.*}
  fi
  if [ -z "$v" ]; then
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1 | cut -d. -f1)
  fi
  echo "$v"
}
warden_pick_jdk() {
  local cur="${JAVA_HOME:-}" best="" best_v=0 d v
  if [ -z "$cur" ] && command -v java >/dev/null 2>&1; then
    cur=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  fi
  if [ -n "$cur" ] && [ -x "$cur/bin/java" ]; then
    v=$(warden_java_major "$cur"); [ -n "$v" ] && [ "$v" -ge 21 ] && { export JAVA_HOME="$cur"; return 0; }
  fi
  for d in /usr/lib/jvm/*/ /opt/java/*/ /opt/*jdk*/ "$HOME"/.sdkman/candidates/java/*/; do
    [ -x "${d}bin/javac" ] || continue
    v=$(warden_java_major "${d%/}"); [ -n "$v" ] || continue
    if [ "$v" -gt "$best_v" ]; then best_v=$v; best=${d%/}; fi
  done
  if [ "$best_v" -ge 21 ]; then export JAVA_HOME="$best"; return 0; fi
  echo "Warden needs JDK 21 or newer; found none. Install one and set JAVA_HOME." >&2
  return 1
}
case $- in *f*) _warden_noglob=1; set +f ;; *) _warden_noglob=0 ;; esac
warden_pick_jdk || exit 1
[ "$_warden_noglob" = 1 ] && set -f
if [ "$(warden_java_major "$JAVA_HOME")" -ge 24 ]; then
  # Maven's bundled Guice still calls sun.misc.Unsafe; silence the JDK 24+ warning only there.
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
