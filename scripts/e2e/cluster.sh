#!/usr/bin/env bash
# A real single-node Kubernetes v1.34.2 for the e2e runs, inside a network
# namespace of its own, from the Go module proxy and Debian packages only.
#
#   scripts/e2e/cluster.sh build  # install packages, build binaries and images (what up does first)
#   scripts/e2e/cluster.sh up     # build/install what is missing, start, wait for a usable node;
#                                 # a failed up tears itself down (logs kept)
#   scripts/e2e/cluster.sh env    # print `export ...` lines (eval "$(scripts/e2e/cluster.sh env)")
#   scripts/e2e/cluster.sh down   # stop everything (also what else runs in the netns), remove
#                                 # what up and the components added
#   scripts/e2e/cluster.sh status # exit 0 when the cluster is up and the node is Ready
#
# Needs root. Interface (stable; other e2e scripts rely on it):
#   KUBECONFIG         $E2E_DIR/admin.kubeconfig (cluster-admin; server https://10.250.0.2:6443,
#                      the same address from the host and from pods, data embedded)
#   registry           10.250.0.2:5000, plain HTTP (distribution v3.1.2), reachable from the host,
#                      from pods and by containerd, which pulls from it over HTTP: push there
#                      and name images 10.250.0.2:5000/... in pods (mlc: MLC_PLAIN_HTTP=true)
#   images             registry.k8s.io/pause:3.10 and docker.io/library/python:3.12-slim
#                      (scripts/e2e/images.sh) are imported; import more with
#                      `ctr images import FILE.tar` after eval'ing env (CONTAINERD_ADDRESS,
#                      CONTAINERD_NAMESPACE=k8s.io). Every other registry is a dead port.
#   in-cluster API     https://kubernetes.default.svc / 10.96.0.1 through kube-proxy
#   DNS                SERVICE.NAMESPACE.svc.cluster.local (A records of Services' ClusterIPs,
#                      e2e/cmd/svcdns at 10.250.0.2:53), nothing else resolves; a Service
#                      may also set a fixed spec.clusterIP in 10.96.0.2-10.96.0.255 (the static
#                      band, which dynamic allocation leaves alone)
#   addresses          node (netns side) 10.250.0.2, host side 10.250.0.1, pods 10.244.0.0/24
#                      (gateway 10.244.0.1), services 10.96.0.0/16; the host has routes to pods
#                      and services, pods can reach only pods, services and the node address
#   logs               $E2E_DIR/logs/<component>.log (kept by down), pod logs in $E2E_DIR/pods
#   env                also MLC_E2E_{INSTANCE,DIR,NETNS,NODE_IP,HOST_IP,POD_CIDR,SERVICE_CIDR,REGISTRY}
#
# Environment: MLC_E2E_INSTANCE=N (0-9, default 0) runs instance N beside the
# others (netns mlc-e2e-N, E2E_DIR /tmp/mlc-e2e-N, node 10.250.N.2, pods
# 10.244.N.0/24, services 10.(96+N).0.0/16; env prints them): the addresses
# above are instance 0's, what `make e2e` uses. MLC_E2E_DIR overrides E2E_DIR.
# State outside E2E_DIR: /run/netns/<netns> and the pods' /run/netns/cni-*,
# symlinks in /var/log/containers (a path the kubelet fixes), cgroups under
# /mlc-e2e[-N]; the global sysctls the kubelet sets are recorded at up and
# restored at down (with instances overlapping in time, the last down wins).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=scripts/e2e/pki.sh
source "$here/pki.sh"

N=${MLC_E2E_INSTANCE:-0}
[[ $N =~ ^[0-9]$ ]] || { echo "e2e/cluster.sh: MLC_E2E_INSTANCE must be 0-9" >&2; exit 2; }
NAME=mlc-e2e
[[ $N == 0 ]] || NAME=mlc-e2e-$N
E2E_DIR=${MLC_E2E_DIR:-/tmp/$NAME}
NETNS=$NAME
NODE=$NAME
HOST_IP=10.250.$N.1
NODE_IP=10.250.$N.2
POD_CIDR=10.244.$N.0/24
POD_GW=10.244.$N.1
SERVICE_CIDR=10.$((96 + N)).0.0/16
KUBERNETES_IP=10.$((96 + N)).0.1
REGISTRY=$NODE_IP:5000
VETH_HOST=mlce2e$N-h
VETH_NODE=mlce2e$N-n
CGROUP_ROOT=/$NAME
import_pid= # the python image's import, in the background during up
# kubelet sets these (global, not per network namespace); down restores them.
SYSCTLS="vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes"

log() { echo "e2e/cluster.sh: $*" >&2; }
die() {
	log "$*"
	exit 1
}
in_ns() { nsenter --net="/run/netns/$NETNS" "$@"; }
netns_list() { find /run/netns -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort; }
socket() { echo "$E2E_DIR/containerd/containerd.sock"; }

# start NAME CMD...: run CMD in the netns, detached, logging to logs/NAME.log.
start() {
	local name=$1
	shift
	setsid nsenter --net="/run/netns/$NETNS" "$@" >>"$E2E_DIR/logs/$name.log" 2>&1 </dev/null 9>&- &
	echo $! >"$E2E_DIR/pids/$name"
}

# wait_for WHAT SECONDS CMD...: poll CMD every 0.2 s.
wait_for() {
	local what=$1 secs=$2 i
	shift 2
	for ((i = 0; i < secs * 5; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	die "$what not ready after ${secs}s (logs: $E2E_DIR/logs/)"
}

network_up() {
	ip netns add "$NETNS"
	in_ns ip link set lo up
	ip link add "$VETH_HOST" type veth peer name "$VETH_NODE"
	ip link set "$VETH_NODE" netns "$NETNS"
	ip addr add "$HOST_IP/30" dev "$VETH_HOST"
	ip link set "$VETH_HOST" up
	in_ns ip addr add "$NODE_IP/30" dev "$VETH_NODE"
	in_ns ip link set "$VETH_NODE" up
	# The pods' bridge exists before the first pod so the service route has
	# a device; the CNI bridge plugin adopts it.
	in_ns ip link add cni0 type bridge
	in_ns ip addr add "$POD_GW/24" dev cni0
	in_ns ip link set cni0 up
	in_ns ip route add "$SERVICE_CIDR" dev cni0 src "$NODE_IP"
	ip route add "$POD_CIDR" via "$NODE_IP" dev "$VETH_HOST"
	ip route add "$SERVICE_CIDR" via "$NODE_IP" dev "$VETH_HOST"
	# Per-namespace settings: the node routes between pods and services, no IPv6.
	in_ns sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	in_ns sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null || log "no per-namespace br_netfilter; pod-to-service on the same bridge relies on hairpin"
	# Nothing a pod starts may leave the pod range (the netns has no default
	# route either); replies to connections from the host are let through.
	# In mangle, so kube-proxy's and CNI's ACCEPT rules in filter come after.
	in_ns iptables -t mangle -A FORWARD -s "$POD_CIDR" ! -d "$POD_CIDR" \
		-m conntrack ! --ctstate ESTABLISHED,RELATED -j DROP
}

pki_up() {
	local p=$E2E_DIR/pki server=https://$NODE_IP:6443
	pki_init "$p"
	pki_cert "$p" apiserver kube-apiserver "" serverAuth \
		"IP:$NODE_IP,IP:$KUBERNETES_IP,IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
	pki_cert "$p" apiserver-kubelet-client kube-apiserver-kubelet-client system:masters clientAuth
	pki_cert "$p" kubelet-serving "system:node:$NODE" system:nodes serverAuth "IP:$NODE_IP,DNS:$NODE"
	pki_cert "$p" admin admin system:masters clientAuth
	pki_cert "$p" kubelet "system:node:$NODE" system:nodes clientAuth
	pki_cert "$p" controller-manager system:kube-controller-manager "" clientAuth
	pki_cert "$p" scheduler system:kube-scheduler "" clientAuth
	pki_cert "$p" kube-proxy system:kube-proxy "" clientAuth
	pki_kubeconfig "$p" admin "$server" "$E2E_DIR/admin.kubeconfig"
	for n in kubelet controller-manager scheduler kube-proxy; do
		pki_kubeconfig "$p" "$n" "$server" "$E2E_DIR/$n.kubeconfig"
	done
}

etcd_up() {
	start etcd "$(tool etcd)" --name "$NODE" --data-dir "$E2E_DIR/etcd" \
		--listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
		--listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
		--initial-cluster "$NODE=http://127.0.0.1:2380" --unsafe-no-fsync --log-level warn
	wait_for etcd 30 in_ns curl -fsS http://127.0.0.1:2379/health
}

registry_up() {
	mkdir -p "$E2E_DIR/registry/data"
	cat >"$E2E_DIR/registry/config.yml" <<EOF
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $E2E_DIR/registry/data}, delete: {enabled: true}}
http: {addr: "0.0.0.0:5000"}
EOF
	OTEL_TRACES_EXPORTER=none start registry "$(bash "$repo/scripts/tools.sh" registry)" serve "$E2E_DIR/registry/config.yml"
	wait_for registry 30 curl -fsS "http://$REGISTRY/v2/"
}

# containerd: cgroupfs, no AppArmor, OOM scores never set below its own (it
# may not lower them here), and registries: the loopback one over HTTP, every
# other one a dead loopback port so a missed image fails at once.
containerd_up() {
	local c=$E2E_DIR/containerd host
	mkdir -p "$c/certs.d" "$E2E_DIR/cni/net.d"
	for host in _default docker.io ghcr.io quay.io gcr.io registry.k8s.io; do
		mkdir -p "$c/certs.d/$host"
		printf 'server = "http://127.0.0.1:9"\n[host."http://127.0.0.1:9"]\n  capabilities = ["pull", "resolve"]\n' >"$c/certs.d/$host/hosts.toml"
	done
	mkdir -p "$c/certs.d/$REGISTRY"
	printf 'server = "http://%s"\n[host."http://%s"]\n  capabilities = ["pull", "resolve"]\n' "$REGISTRY" "$REGISTRY" >"$c/certs.d/$REGISTRY/hosts.toml"
	cat >"$c/config.toml" <<EOF
version = 2
root = "$c/root"
state = "$c/state"
[grpc]
  address = "$c/containerd.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$c/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10"
  restrict_oom_score_adj = true
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$E2E_DIR/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$c/certs.d"
EOF
	cat >"$E2E_DIR/cni/net.d/10-mlc-e2e.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "mlc-e2e",
  "plugins": [
    {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "dataDir": "$E2E_DIR/cni/ipam",
              "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$POD_GW"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
	start containerd containerd --config "$c/config.toml"
	wait_for containerd 30 ctr --address "$c/containerd.sock" version
	# The sandbox image before the kubelet starts; the python image while
	# the control plane starts (up waits for it at the end).
	ctr --address "$c/containerd.sock" -n k8s.io images import "$(bash "$here/images.sh" pause)" >/dev/null
	ctr --address "$c/containerd.sock" -n k8s.io images import "$(bash "$here/images.sh" python)" \
		>"$E2E_DIR/logs/import-python.log" 2>&1 9>&- &
	import_pid=$!
}

# The API server refuses privileged pods: nothing mlc generates may need one.
apiserver_up() {
	local p=$E2E_DIR/pki
	start kube-apiserver "$(tool kube-apiserver)" \
		--etcd-servers=http://127.0.0.1:2379 --advertise-address="$NODE_IP" --bind-address=0.0.0.0 --secure-port=6443 \
		--service-cluster-ip-range="$SERVICE_CIDR" --allow-privileged=false --authorization-mode=Node,RBAC \
		--enable-admission-plugins=NodeRestriction --profiling=false \
		--client-ca-file="$p/ca.crt" --tls-cert-file="$p/apiserver.crt" --tls-private-key-file="$p/apiserver.key" \
		--kubelet-client-certificate="$p/apiserver-kubelet-client.crt" --kubelet-client-key="$p/apiserver-kubelet-client.key" \
		--kubelet-certificate-authority="$p/ca.crt" --kubelet-preferred-address-types=InternalIP \
		--service-account-issuer=https://kubernetes.default.svc.cluster.local \
		--service-account-key-file="$p/sa.pub" --service-account-signing-key-file="$p/sa.key"
	wait_for kube-apiserver 60 kubectl --kubeconfig "$E2E_DIR/admin.kubeconfig" get --raw /readyz
}

# svcdns reads Services with kube-proxy's identity (system:node-proxier).
dns_up() {
	local p=$E2E_DIR/pki
	start svcdns "$(tool svcdns)" -listen "$NODE_IP:53" -server "https://$NODE_IP:6443" \
		-ca "$p/ca.crt" -cert "$p/kube-proxy.crt" -key "$p/kube-proxy.key"
}

controllers_up() {
	local p=$E2E_DIR/pki
	start kube-controller-manager "$(tool kube-controller-manager)" \
		--kubeconfig="$E2E_DIR/controller-manager.kubeconfig" \
		--bind-address=127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
		--service-account-private-key-file="$p/sa.key" --root-ca-file="$p/ca.crt" \
		--cluster-signing-cert-file="$p/ca.crt" --cluster-signing-key-file="$p/ca.key" \
		--service-cluster-ip-range="$SERVICE_CIDR" --cluster-cidr="$POD_CIDR"
	start kube-scheduler "$(tool kube-scheduler)" --kubeconfig="$E2E_DIR/scheduler.kubeconfig" \
		--bind-address=127.0.0.1 --leader-elect=false
}

# cgroups_up: the instance's cgroup root in every v1 hierarchy (cpuset's
# filled from the root's, or no task could join it), or on a cgroup v2 host
# one cgroup with the controllers the kubelet needs delegated (not tried
# here: this VM is v1).
cgroups_up() {
	local d c
	if [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; then
		mkdir -p "/sys/fs/cgroup$CGROUP_ROOT"
		for c in cpuset cpu io memory pids hugetlb; do
			grep -qw "$c" /sys/fs/cgroup/cgroup.controllers || continue
			echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control
			echo "+$c" >"/sys/fs/cgroup$CGROUP_ROOT/cgroup.subtree_control"
		done
		return
	fi
	for d in /sys/fs/cgroup/*/; do
		mkdir -p "$d${CGROUP_ROOT#/}"
	done
	cat /sys/fs/cgroup/cpuset/cpuset.cpus >"/sys/fs/cgroup/cpuset$CGROUP_ROOT/cpuset.cpus"
	cat /sys/fs/cgroup/cpuset/cpuset.mems >"/sys/fs/cgroup/cpuset$CGROUP_ROOT/cpuset.mems"
}

# kubelet: cgroup v1 allowed (1.34 still can), cgroupfs, evictions and image
# GC effectively off so a small CI disk does not evict the run.
kubelet_up() {
	local p=$E2E_DIR/pki
	cgroups_up
	echo "# mlc-e2e: only cluster names resolve (clusterDNS)" >"$E2E_DIR/resolv.conf"
	cat >"$E2E_DIR/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupRoot: $CGROUP_ROOT
podLogsDir: $E2E_DIR/pods
failSwapOn: false
containerRuntimeEndpoint: unix://$(socket)
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $p/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $p/kubelet-serving.crt
tlsPrivateKeyFile: $p/kubelet-serving.key
readOnlyPort: 0
resolvConf: $E2E_DIR/resolv.conf
clusterDNS: [$NODE_IP]
clusterDomain: cluster.local
evictionHard: {memory.available: "1Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
EOF
	start kubelet "$(tool kubelet)" --config="$E2E_DIR/kubelet.yaml" --kubeconfig="$E2E_DIR/kubelet.kubeconfig" \
		--hostname-override="$NODE" --node-ip="$NODE_IP" --root-dir="$E2E_DIR/kubelet"
}

# kube-proxy: iptables mode in the netns; conntrack limits left alone (the
# table size is global).
proxy_up() {
	cat >"$E2E_DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $E2E_DIR/kube-proxy.kubeconfig}
mode: iptables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE
iptables: {localhostNodePorts: false}
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
	start kube-proxy "$(tool kube-proxy)" --config="$E2E_DIR/kube-proxy.yaml"
}

tool() { bash "$here/tools.sh" "$1"; }

kc() { kubectl --kubeconfig "$E2E_DIR/admin.kubeconfig" "$@"; }

node_ready() {
	[[ $(kc get node "$NODE" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}') == True ]]
}

usable() {
	node_ready && kc get serviceaccount default >/dev/null &&
		in_ns iptables -t nat -S KUBE-SERVICES | grep -q "$KUBERNETES_IP/32"
}

# build: install the packages and build (or find) every binary and image.
build() {
	local bins
	bash "$repo/scripts/apt-install.sh" containerd runc containernetworking-plugins iptables conntrack openssl iproute2 curl
	bins=$(bash "$here/tools.sh" etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
	PATH=$(dirname "$(echo "$bins" | tail -1)"):$PATH
	export PATH
	bash "$here/images.sh" pause python >/dev/null
	bash "$here/tools.sh" svcdns >/dev/null
	bash "$repo/scripts/tools.sh" registry >/dev/null
}

up() {
	[[ $(id -u) == 0 ]] || die "needs root (network namespace, mounts, cgroups)"
	[[ -e /run/netns/$NETNS ]] && die "netns $NETNS exists: the cluster is up or was not torn down; run: $0 down"
	local t0
	build
	# A failed or interrupted start takes down what it started (logs stay).
	trap 'log "up failed; tearing down (logs: $E2E_DIR/logs)"; down' EXIT
	rm -rf "$E2E_DIR"
	mkdir -p "$E2E_DIR/logs" "$E2E_DIR/pids"
	local s d
	for s in $SYSCTLS; do echo "$s=$(sysctl -n "$s")"; done >"$E2E_DIR/sysctl.orig"
	[[ -e /var/log/containers ]] || echo /var/log/containers >"$E2E_DIR/created-dirs"
	echo "$PATH" >"$E2E_DIR/path"
	t0=$SECONDS
	local phase
	for phase in network pki etcd registry containerd apiserver dns controllers kubelet proxy; do
		"${phase}_up"
		echo "$phase $((SECONDS - t0))" >>"$E2E_DIR/logs/up-times"
	done
	wait_for "node $NODE" 120 node_ready
	log "node Ready $((SECONDS - t0))s after start (seconds at the end of each phase: $(tr '\n' ' ' <"$E2E_DIR/logs/up-times"))"
	wait_for "service account and kube-proxy" 60 usable
	wait "$import_pid" || die "importing the python image failed: $(cat "$E2E_DIR/logs/import-python.log")"
	local inst=''
	[[ $N == 0 ]] || inst="MLC_E2E_INSTANCE=$N "
	trap - EXIT
	log "cluster up in $((SECONDS - t0))s; eval \"\$(${inst}$0 env)\""
}

env_() {
	local bins
	bins=$(dirname "$(bash "$here/tools.sh" kubectl)")
	cat <<EOF
export KUBECONFIG=$E2E_DIR/admin.kubeconfig
export CONTAINERD_ADDRESS=$(socket)
export CONTAINERD_NAMESPACE=k8s.io
export MLC_E2E_INSTANCE=$N
export MLC_E2E_DIR=$E2E_DIR
export MLC_E2E_NETNS=$NETNS
export MLC_E2E_NODE_IP=$NODE_IP
export MLC_E2E_HOST_IP=$HOST_IP
export MLC_E2E_POD_CIDR=$POD_CIDR
export MLC_E2E_SERVICE_CIDR=$SERVICE_CIDR
export MLC_E2E_REGISTRY=$REGISTRY
export PATH=$bins:\$PATH
EOF
}

# alive NAME...: the started components among NAME... still running.
alive() {
	local name
	for name in "$@"; do
		[[ -f $E2E_DIR/pids/$name ]] && kill -0 "$(cat "$E2E_DIR/pids/$name")" 2>/dev/null && echo "$name"
	done
	return 0
}

# stop NAME...: TERM to all of them at once, then KILL what is left after 10 s.
stop() {
	local name left i
	for name in $(alive "$@"); do kill "$(cat "$E2E_DIR/pids/$name")" 2>/dev/null || true; done
	for ((i = 0; i < 50; i++)); do
		left=$(alive "$@")
		[[ -z $left ]] && break
		sleep 0.2
	done
	for name in $left; do
		log "$name did not stop on TERM; killed"
		kill -9 "$(cat "$E2E_DIR/pids/$name")" 2>/dev/null || true
	done
	for name in "$@"; do rm -f "$E2E_DIR/pids/$name"; done
}

# Pods first, while kubelet and containerd still run, so sandboxes and their
# network namespaces and mounts are removed the normal way. Their processes
# are killed outright: nothing of a run is worth a grace period, and a shell
# as PID 1 ignores SIGTERM.
drain() {
	local i tasks t
	[[ -f $E2E_DIR/pids/kubelet ]] || return 0
	stop kube-controller-manager kube-scheduler
	kc delete pods --all --all-namespaces --force --grace-period=0 --wait=false >/dev/null 2>&1 || return 0
	for ((i = 0; i < 150; i++)); do
		tasks=$(ctr --address "$(socket)" -n k8s.io tasks ls -q 2>/dev/null) || break
		[[ -z $tasks ]] && break
		for t in $tasks; do ctr --address "$(socket)" -n k8s.io tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true; done
		sleep 0.2
	done
}

# in_netns: the processes still in the cluster's network namespace (what
# scripts started there beside the components, such as test servers).
in_netns() {
	local want p
	[[ -e /run/netns/$NETNS ]] || return 0
	want="net:[$(stat -Lc %i "/run/netns/$NETNS")]"
	for p in /proc/[0-9]*; do
		[[ $(readlink "$p/ns/net" 2>/dev/null) == "$want" ]] && echo "${p#/proc/}"
	done
	return 0
}

# The leftovers of an interrupted run: shims of this containerd, processes
# left in the netns, mounts under E2E_DIR, pod network namespaces with an
# address of this pod range, this instance's cgroups and its pods' log links.
sweep() {
	local pid m ns d i
	for pid in $(pgrep -f "containerd-shim.*-address $(socket)" || true); do
		pkill -9 -P "$pid" 2>/dev/null || true
		kill -9 "$pid" 2>/dev/null || true
	done
	for pid in $(in_netns); do
		log "stopping $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-80), still in $NETNS"
		kill "$pid" 2>/dev/null || true
	done
	for ((i = 0; i < 25; i++)); do
		[[ -z $(in_netns) ]] && break
		sleep 0.2
	done
	for pid in $(in_netns); do kill -9 "$pid" 2>/dev/null || true; done
	awk '{print $5}' /proc/self/mountinfo | { grep -E "^$E2E_DIR(/|$)" || true; } | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null || true; done
	for ns in $(netns_list | grep '^cni-' || true); do
		ip -n "$ns" -4 -o addr show 2>/dev/null | grep -q " inet ${POD_CIDR%.0/24}\." || continue
		umount "/run/netns/$ns" 2>/dev/null || true
		rm -f "/run/netns/$ns"
	done
	find /var/log/containers -maxdepth 1 -lname "$E2E_DIR/*" -delete 2>/dev/null
	for d in /sys/fs/cgroup"$CGROUP_ROOT" /sys/fs/cgroup/*"$CGROUP_ROOT"; do
		[[ -d $d ]] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	return 0
}

down() {
	[[ $(id -u) == 0 ]] || die "needs root"
	local c s
	[[ -f $E2E_DIR/path ]] && PATH=$(cat "$E2E_DIR/path")
	if [[ -d $E2E_DIR/pids ]]; then
		drain
		# In waves: the node agents, so nothing reacts to the rest going
		# away; what uses etcd, with the rest; etcd last (the API server
		# does not finish its shutdown without it).
		stop kubelet kube-proxy
		stop kube-apiserver kube-controller-manager kube-scheduler svcdns registry containerd
		stop etcd
	fi
	sweep
	if [[ -f $E2E_DIR/sysctl.orig ]]; then
		while read -r s; do sysctl -qw "$s"; done <"$E2E_DIR/sysctl.orig"
	fi
	ip route del "$POD_CIDR" via "$NODE_IP" 2>/dev/null || true
	ip route del "$SERVICE_CIDR" via "$NODE_IP" 2>/dev/null || true
	ip link del "$VETH_HOST" 2>/dev/null || true
	[[ -e /run/netns/$NETNS ]] && ip netns del "$NETNS"
	if [[ -f $E2E_DIR/created-dirs ]]; then
		xargs -r rmdir --ignore-fail-on-non-empty <"$E2E_DIR/created-dirs"
	fi
	# Keep the logs for the CI artifact; drop the rest of the state.
	find "$E2E_DIR" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} + 2>/dev/null || true
	log "down"
}

status() {
	[[ -e /run/netns/$NETNS ]] && PATH=$(dirname "$(bash "$here/tools.sh" kubectl)"):$PATH node_ready
}

# One up or down of an instance at a time (the lock file stays, empty); the
# components do not inherit it.
lock() {
	mkdir -p /run/lock
	exec 9>"/run/lock/$NAME.lock"
	flock -n 9 || die "another up or down of $NAME is running"
}

case "${1:-}" in
build) build ;;
up) lock && up ;;
down) lock && down ;;
env) env_ ;;
status) status ;;
*)
	echo "usage: $0 build|up|down|env|status" >&2
	exit 2
	;;
esac
