# shellcheck shell=bash
# Certificates and kubeconfigs for the e2e cluster, with openssl. Source it:
#
#   pki_init DIR                       # CA (ca.crt, ca.key) and service-account keys (sa.key, sa.pub)
#   pki_cert DIR NAME CN ORG EKU [SAN] # NAME.crt/NAME.key signed by the CA; EKU clientAuth and/or serverAuth
#   pki_kubeconfig DIR NAME SERVER OUT # a kubeconfig for NAME's certificate, with the data embedded
#
# EC P-256 keys: fast to generate, accepted by every component.

pki_init() {
	local dir=$1
	mkdir -p "$dir"
	openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 3650 \
		-subj /CN=mlc-e2e-ca -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
	openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
	openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
}

pki_cert() {
	local dir=$1 name=$2 cn=$3 org=$4 eku=$5 san=${6:-} subj
	subj="/CN=$cn"
	[[ -n $org ]] && subj+="/O=$org"
	openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -subj "$subj" \
		-keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
	{
		echo "basicConstraints=critical,CA:FALSE"
		echo "keyUsage=critical,digitalSignature,keyEncipherment"
		echo "extendedKeyUsage=$eku"
		[[ -n $san ]] && echo "subjectAltName=$san"
	} >"$dir/$name.ext"
	openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
		-days 3650 -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
	rm -f "$dir/$name.csr" "$dir/$name.ext"
}

pki_kubeconfig() {
	local dir=$1 name=$2 server=$3 out=$4
	cat >"$out" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: mlc-e2e
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 <"$dir/ca.crt")
users:
- name: $name
  user:
    client-certificate-data: $(base64 -w0 <"$dir/$name.crt")
    client-key-data: $(base64 -w0 <"$dir/$name.key")
contexts:
- name: mlc-e2e
  context: {cluster: mlc-e2e, user: $name}
current-context: mlc-e2e
EOF
	chmod 600 "$out"
}
