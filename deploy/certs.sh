#!/usr/bin/env bash
# Makes a private CA and one certificate per name, each only when absent.
#
#   deploy/certs.sh OUT_DIR NAME...
#
# OUT_DIR/ca.pem, ca.key        the deployment's CA (P-256, 10 years)
# OUT_DIR/NAME.pem, NAME.key    leaf for NAME: CN=NAME, SAN=DNS:NAME,DNS:localhost,IP:127.0.0.1,
#                               usable as TLS server and client certificate (mTLS identity = NAME)
# Used by `deploy/dev up`, `deploy/dev test` and the compose `certs` job alike.
set -euo pipefail
out=${1:?usage: certs.sh OUT_DIR NAME...}
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
