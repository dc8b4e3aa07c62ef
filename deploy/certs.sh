#!/usr/bin/env bash
# Makes a private CA and one certificate per name, each only when absent.
#
#   deploy/certs.sh [--export DIR] OUT_DIR NAME...
#
# OUT_DIR/ca.pem, ca.key        the deployment's CA (P-256, 10 years)
# OUT_DIR/NAME.pem, NAME.key    leaf for NAME: CN=NAME, SAN=DNS:NAME,DNS:localhost,IP:127.0.0.1,
#                               usable as TLS server and client certificate (mTLS identity = NAME;
#                               a client calling service NAME checks that the server's CN is NAME)
# --export DIR                  then, for every NAME with a directory DIR/NAME (the compose job
#                               mounts one volume per service there), copies ca.pem, NAME.pem and
#                               NAME.key into it, and nothing else: the CA key and the other
#                               names' keys stay in OUT_DIR.
# Used by `deploy/dev up`, `deploy/dev test` and the compose `certs` job alike.
set -euo pipefail
export_dir=
if [ "${1:-}" = "--export" ]; then
  export_dir=${2:?usage: certs.sh [--export DIR] OUT_DIR NAME...}
  shift 2
fi
out=${1:?usage: certs.sh [--export DIR] OUT_DIR NAME...}
shift
mkdir -p "$out"
umask 077
if [ ! -f "$out/ca.pem" ]; then
  openssl ecparam -name prime256v1 -genkey -noout -out "$out/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$out/ca.key" -sha256 -days 3650 -subj "/CN=Purser CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$out/ca.pem" 2>/dev/null
fi
for name in "$@"; do
  [ -f "$out/$name.pem" ] && continue
  openssl ecparam -name prime256v1 -genkey -noout -out "$out/$name.key.tmp" 2>/dev/null
  openssl pkcs8 -topk8 -nocrypt -in "$out/$name.key.tmp" -out "$out/$name.key"
  rm -f "$out/$name.key.tmp"
  openssl req -new -key "$out/$name.key" -subj "/CN=$name" -out "$out/$name.csr" 2>/dev/null
  cat > "$out/$name.ext" <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:$name,DNS:localhost,IP:127.0.0.1
EXT
  openssl x509 -req -in "$out/$name.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" -CAcreateserial \
    -days 825 -sha256 -extfile "$out/$name.ext" -out "$out/$name.pem" 2>/dev/null
  rm -f "$out/$name.csr" "$out/$name.ext"
done
chmod 644 "$out"/*.pem
chmod 600 "$out"/*.key
if [ -n "$export_dir" ]; then
  for name in "$@"; do
    [ -d "$export_dir/$name" ] || continue
    # Replaces whatever the directory held, so a stale file from another layout cannot linger.
    find "$export_dir/$name" -mindepth 1 -delete
    cp "$out/ca.pem" "$out/$name.pem" "$out/$name.key" "$export_dir/$name/"
    chmod 644 "$export_dir/$name"/*.pem
    chmod 600 "$export_dir/$name/$name.key"
  done
fi
