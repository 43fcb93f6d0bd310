#!/usr/bin/env bash
# Prove the e2e cluster works and leaves nothing behind (make e2e-cluster):
# up; a python pod runs; a privileged one is refused; a Service answers by
# ClusterIP and DNS name from a pod, the host and the node; exec works; an
# image pushed to the loopback registry runs; an image from any other registry
# fails fast; the in-cluster API answers; a pod cannot reach the host; down;
# then no netns, process, mount, cgroup, route or sysctl change is left.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The instance's names and addresses (MLC_E2E_INSTANCE picks one).
eval "$(bash "$here/cluster.sh" env)"
svc_ip=${MLC_E2E_SERVICE_CIDR%.0.0/16}.0.80
SYSCTLS="vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes"
fail() {
	echo "smoke: FAIL: $*" >&2
	exit 1
}
pass() { echo "smoke: ok: $*"; }

sysctls() { for s in $SYSCTLS; do echo "$s=$(sysctl -n "$s")"; done; }
before_sysctl=$(sysctls)
listener=

cleanup() {
	[[ -n $listener ]] && kill "$listener" 2>/dev/null
	bash "$here/cluster.sh" down
}
trap cleanup EXIT

t0=$SECONDS
bash "$here/cluster.sh" up
echo "smoke: up in $((SECONDS - t0))s"

# wait_phase POD PHASE SECONDS
wait_phase() {
	local i phase
	for ((i = 0; i < $3 * 2; i++)); do
		phase=$(kubectl get pod "$1" -o 'jsonpath={.status.phase}')
		[[ $phase == "$2" ]] && return 0
		[[ $phase == Failed ]] && break
		sleep 0.5
	done
	kubectl describe pod "$1" >&2
	kubectl logs "$1" >&2 || true
	fail "pod $1 is $phase, want $2"
}

# run_pod NAME IMAGE CMD...: a one-shot pod.
run_pod() {
	local name=$1 image=$2
	shift 2
	kubectl run "$name" --image="$image" --restart=Never --command -- "$@" >/dev/null
}

run_pod py docker.io/library/python:3.12-slim python3 -c 'print(1)'
wait_phase py Succeeded 60
[[ $(kubectl logs py) == 1 ]] || fail "python pod printed '$(kubectl logs py)'"
pass "python:3.12-slim pod ran python3 -c 'print(1)'"

if out=$(kubectl apply -f - 2>&1 <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: privileged}
spec:
  containers: [{name: p, image: docker.io/library/python:3.12-slim, securityContext: {privileged: true}}]
EOF
); then
	fail "a privileged pod was admitted"
fi
grep -q 'privileged: Forbidden: disallowed by cluster policy' <<<"$out" || fail "privileged pod refused for another reason: $out"
pass "privileged pods are refused"

# A Service with a fixed ClusterIP, in the static band.
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers:
  - name: web
    image: docker.io/library/python:3.12-slim
    command: [python3, -m, http.server, "8080"]
    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {clusterIP: $svc_ip, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
EOF
kubectl wait --for=condition=Ready pod/web --timeout=60s >/dev/null
run_pod client docker.io/library/python:3.12-slim \
	python3 -c "import urllib.request as u; [u.urlopen(x, timeout=10) for x in ('http://$svc_ip/', 'http://web/', 'http://web.default.svc.cluster.local/')]"
wait_phase client Succeeded 60
pass "Service reached from another pod by ClusterIP and by DNS name"
curl -fsS -m 10 -o /dev/null "http://$svc_ip/" || fail "Service not reachable by ClusterIP from the host"
pass "Service reached by ClusterIP from the host"
# The API server calls webhooks by ClusterIP from the node's namespace.
nsenter --net="/run/netns/$MLC_E2E_NETNS" curl -fsS -m 10 -o /dev/null "http://$svc_ip/" ||
	fail "Service not reachable by ClusterIP from the node (webhooks)"
pass "Service reached by ClusterIP from the node, as the API server calls webhooks"
[[ $(kubectl exec web -- python3 -c 'print(3)') == 3 ]] || fail "kubectl exec"
pass "kubectl exec and logs"

run_pod elsewhere docker.io/library/busybox:1.36 true
# shellcheck disable=SC2016 # expanded in the pod
run_pod kapi docker.io/library/python:3.12-slim sh -ec \
	'curl -sk -m 10 "https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/version" | grep -q v1.34.2'
wait_phase kapi Succeeded 60
pass "in-cluster API (kubernetes service via kube-proxy) answers v1.34.2"

# The loopback registry: push, then containerd pulls it over plain HTTP.
mkimage=$(bash "$here/tools.sh" mkimage)
"$mkimage" -tag "$MLC_E2E_REGISTRY/e2e/py:smoke" -rootfs "$(bash "$here/images.sh" rootfs)" -push >/dev/null
run_pod pulled "$MLC_E2E_REGISTRY/e2e/py:smoke" python3 -c 'print(2)'
wait_phase pulled Succeeded 120
pass "image pushed to $MLC_E2E_REGISTRY pulled by containerd and run"

# Any other registry is a dead port: the pull fails at once.
for ((i = 0; i < 40; i++)); do
	reason=$(kubectl get pod elsewhere -o 'jsonpath={.status.containerStatuses[0].state.waiting.reason}')
	[[ $reason == ErrImagePull || $reason == ImagePullBackOff ]] && break
	sleep 0.5
done
[[ $reason == ErrImagePull || $reason == ImagePullBackOff ]] || fail "pull from docker.io: reason '$reason', want ErrImagePull"
pass "pull from docker.io failed fast ($reason)"

# The host listens on its side of the link; a pod must not get through.
python3 -m http.server 18080 --bind "$MLC_E2E_HOST_IP" >/dev/null 2>&1 &
listener=$!
run_pod escape docker.io/library/python:3.12-slim \
	python3 -c "import urllib.request; urllib.request.urlopen('http://$MLC_E2E_HOST_IP:18080/', timeout=5)"
wait_phase escape Failed 60
pass "a pod cannot reach the host"
kill "$listener"
listener=

# A server some script left in the node's namespace: down stops it too.
setsid nsenter --net="/run/netns/$MLC_E2E_NETNS" sleep 600 </dev/null >/dev/null 2>&1 &
stray=$!

trap - EXIT
t1=$SECONDS
bash "$here/cluster.sh" down
echo "smoke: down in $((SECONDS - t1))s"

# Nothing left.
[[ ! -e /run/netns/$MLC_E2E_NETNS ]] || fail "netns $MLC_E2E_NETNS left"
for ns in /run/netns/cni-*; do
	[[ -e $ns ]] || continue
	! ip -n "${ns##*/}" -4 -o addr show 2>/dev/null | grep -q " inet ${MLC_E2E_POD_CIDR%.0/24}\." || fail "pod netns $ns left"
done
if pgrep -af -- "$MLC_E2E_DIR" >&2; then fail "processes left (above)"; fi
! kill -0 "$stray" 2>/dev/null || fail "a process left in the node's namespace survived down"
if grep -E " $MLC_E2E_DIR" /proc/self/mountinfo >&2; then fail "mounts left (above)"; fi
for d in "/sys/fs/cgroup/$MLC_E2E_NETNS" "/sys/fs/cgroup/memory/$MLC_E2E_NETNS"; do
	[[ ! -e $d ]] || fail "cgroup $d left"
done
! ip -o link | grep -q "mlce2e$MLC_E2E_INSTANCE-" || fail "veth left"
! ip route | grep -qE "^($MLC_E2E_POD_CIDR|$MLC_E2E_SERVICE_CIDR) " || fail "routes left: $(ip route)"
[[ $(sysctls) == "$before_sysctl" ]] || fail "sysctls changed: $(diff <(echo "$before_sysctl") <(sysctls))"
pass "down left no netns, process, mount, cgroup, route or sysctl change"
echo "smoke: passed in $((SECONDS - t0))s"
