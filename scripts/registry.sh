# shellcheck shell=bash
# Start and stop distribution's registry on a free loopback port, for the
# interop and benchmark scripts. Source it, then:
#
#   registry_start BIN DIR   # sets registry_addr (127.0.0.1:PORT) and registry_pid
#   registry_stop            # safe to call twice, e.g. from an EXIT trap
#
# Storage and config live in DIR; the registry is HTTP-only on loopback.

registry_addr=
registry_pid=

registry_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

registry_start() {
	local bin=$1 dir=$2 port
	port=$(registry_free_port)
	mkdir -p "$dir/data"
	cat >"$dir/registry.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YML
	OTEL_TRACES_EXPORTER=none "$bin" serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 &
	registry_pid=$!
	registry_addr=127.0.0.1:$port
	for _ in $(seq 100); do
		if curl -fsS "http://$registry_addr/v2/" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	cat "$dir/registry.log" >&2
	echo "registry.sh: the registry did not answer on $registry_addr" >&2
	return 1
}

registry_stop() {
	if [[ -n $registry_pid ]]; then
		kill "$registry_pid" 2>/dev/null || true
		wait "$registry_pid" 2>/dev/null || true
		registry_pid=
	fi
}
