#!/usr/bin/env bash
# `deploy/dev compose-test`: docker-compose.yml, unchanged, run for real in
# containers with podman and podman-compose, and checked from the host.
#
#  1. installs what is missing (podman, runc, netavark, aardvark-dns,
#     debootstrap, prometheus for promtool; podman-compose and PyYAML from PyPI) and builds the images
#     from Debian packages and this machine's Swift toolchain (images.sh);
#  2. writes an env file with generated secrets (.data/podman/compose-test/.env,
#     never the checkout's .env) and runs docker-compose.yml plus
#     compose.local.yml, which only names the local images;
#  3. starts the services one by one in the order of the compose file's
#     `depends_on` conditions, waiting for each condition itself (podman-compose
#     on podman 4.3 ignores `condition:` and runs no health check on its own):
#     `service_healthy` by running the service's own health check
#     (`podman healthcheck run`) until it passes, `service_completed_successfully`
#     by waiting for the job's exit status 0;
#  4. bootstraps the operator key as the compose file's header says, copies the
#     CA certificate out as the README says, and runs the README story
#     (`deploy/dev demo`) with the CLI on the host against the published ports;
#  5. stops and starts the stack: tenants, balances and mail are still there;
#  6. kills one service's main process (kill -9): the restart policy brings it
#     back and a call succeeds within 10 s;
#  7. scrapes every service's /metrics from a container on the compose network
#     (promtool checks each) and finds none published on the
#     host; checks that each service container holds only its own key and the
#     CA certificate, and that no image holds a private key;
#  8. removes the containers, the network and the volumes, also when a step fails.
#
# Figures (image sizes, build times, time from `up` to all healthy) are printed
# at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export PATH="/opt/swift/usr/bin:$PATH"

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'compose-test: %s\n' "$*" >&2; exit 1; }

ensure_tools() {
  local missing=() tool package
  for tool in podman:podman runc:runc netavark:/usr/lib/podman/netavark aardvark-dns:/usr/lib/podman/aardvark-dns \
      debootstrap:debootstrap iptables:iptables prometheus:promtool; do
    package=${tool%%:*}
    command -v "${tool#*:}" > /dev/null 2>&1 || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    apt-get update -q > /dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" > /dev/null
  fi
  command -v podman-compose > /dev/null 2>&1 || { log "pip install podman-compose"; pip install -q podman-compose; }
  python3 -c 'import yaml' 2> /dev/null || { log "pip install PyYAML"; pip install -q PyYAML; }
}

ensure_tools
# shellcheck source=env.sh
. "$root/deploy/podman/env.sh"

project=purser-compose-test
work="$PURSER_PODMAN_DATA/compose-test"
compose_files=(-f "$root/docker-compose.yml" -f "$root/deploy/podman/compose.local.yml")
compose() { podman-compose --in-pod false -p "$project" --env-file "$work/.env" "${compose_files[@]}" "$@"; }
# The container of compose service $1 (running or not).
container_of() {
  podman ps -a -q --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.service=$1" | head -1
}

teardown() {
  local status=$?
  set +e
  if [ "$status" -ne 0 ]; then
    log "failed; the last lines of each container's log:"
    local id
    for id in $(podman ps -a -q --filter "label=com.docker.compose.project=$project"); do
      printf -- '--- %s\n' "$(podman inspect --format '{{.Name}}' "$id")" >&2
      podman logs --tail 15 "$id" 2>&1 | sed 's/^/    /' >&2
    done
  fi
  log "removing the containers, networks and volumes of $project"
  compose down -v > /dev/null 2>&1
  podman rm -f -a --filter "label=com.docker.compose.project=$project" > /dev/null 2>&1
  podman volume ls -q --filter "label=com.docker.compose.project=$project" | xargs -r podman volume rm -f > /dev/null 2>&1
  podman network ls -q --filter "label=com.docker.compose.project=$project" | xargs -r podman network rm -f > /dev/null 2>&1
  exit "$status"
}

# The ports docker-compose.yml publishes must be free on this host.
for port in 7101 7102 7103 7104 7105 2525 8443; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
    die "port $port is in use on this host (a \`deploy/dev up\` deployment? stop it with deploy/dev down)"
  fi
done

log "images"
"$root/deploy/podman/images.sh"

log "the CLI on the host (swift build --product purser)"
swift build --product purser > "$PURSER_PODMAN_DATA/cli-build.log" 2>&1 \
  || { grep -E 'error' "$PURSER_PODMAN_DATA/cli-build.log" >&2; die "the CLI did not build"; }
purser="$root/.build/debug/purser"

rm -rf "$work"
mkdir -p "$work"
chmod 700 "$work"
trap teardown EXIT
# Any leftovers of an interrupted run go first.
compose down -v > /dev/null 2>&1 || true

log "secrets: $work/.env"
{
  echo "PURSER_IDENTITY_KEK=$(openssl rand -base64 32)"
  echo "POSTGRES_PASSWORD=$(openssl rand -hex 24)"
  for service in IDENTITY WALLET POLICY SETTLEMENT EMAIL; do
    echo "${service}_DB_PASSWORD=$(openssl rand -hex 24)"
  done
} > "$work/.env"
chmod 600 "$work/.env"

# "service kind" per line, in an order the compose file's conditions allow:
# kind is `job` for a one-shot service (restart "no"), else `service`.
start_order() {
  python3 - "${compose_files[@]}" <<'PY'
import sys, yaml
files = [path for flag, path in zip(sys.argv[1::2], sys.argv[2::2])]
services = {}
for path in files:
    for name, overrides in (yaml.safe_load(open(path)).get("services") or {}).items():
        services.setdefault(name, {}).update(overrides)
def needs(service):
    depends = service.get("depends_on") or {}
    return list(depends) if isinstance(depends, (dict, list)) else []
order, placed = [], set()
while len(order) < len(services):
    ready = [name for name in services if name not in placed and all(dep in placed for dep in needs(services[name]))]
    if not ready:
        sys.exit("compose-test: depends_on has a cycle")
    for name in ready:
        placed.add(name)
        order.append(name)
for name in order:
    print(name, "job" if str(services[name].get("restart", "")) == "no" else "service")
PY
}

# Waits until service $1 passes its own health check, up to $2 seconds.
wait_healthy() {
  local service=$1 deadline=$(( $(date +%s) + $2 )) id
  id=$(container_of "$service")
  [ -n "$id" ] || die "$service: no container"
  until podman healthcheck run "$id" > /dev/null 2>&1; do
    [ "$(podman inspect --format '{{.State.Running}}' "$id")" = true ] \
      || [ "$(podman inspect --format '{{.State.Restarting}}' "$id")" = true ] \
      || log "$service: not running (it restarts by its policy)"
    [ "$(date +%s)" -lt "$deadline" ] || die "$service: not healthy after $2 s"
    sleep 1
  done
}

# Waits for the one-shot service $1 to exit, and requires exit status 0.
wait_completed() {
  local service=$1 id code
  id=$(container_of "$service")
  [ -n "$id" ] || die "$service: no container"
  code=$(timeout 120 podman wait "$id") || die "$service: did not finish within 120 s"
  [ "$code" = 0 ] || die "$service: exited with status $code"
}

# Starts every service in the conditions' order and waits for each; prints the seconds it took.
start_stack() {
  local started service kind order
  mapfile -t order < <(start_order)
  started=$(date +%s)
  for entry in "${order[@]}"; do
    read -r service kind <<< "$entry"
    log "start $service"
    compose up -d --no-deps --no-build "$service" < /dev/null > "$work/up-$service.log" 2>&1 \
      || { cat "$work/up-$service.log" >&2; die "$service: podman-compose up failed"; }
    if [ "$kind" = job ]; then wait_completed "$service"; else wait_healthy "$service" 180; fi
  done
  echo $(( $(date +%s) - started ))
}

log "up, in the order of the depends_on conditions"
up_seconds=$(start_stack)
log "all healthy ${up_seconds} s after up"

log "bootstrap the operator key (docker-compose.yml's header)"
compose exec -T identity purser-identity --bootstrap ops > "$work/operator-key" 2> "$work/bootstrap.log" \
  || { cat "$work/bootstrap.log" >&2; die "bootstrap failed"; }
operator_secret=$(tr -d '\r\n' < "$work/operator-key")
[ -n "$operator_secret" ] || die "bootstrap printed no secret"
log "the CA certificate out of the certs job's volume (README)"
compose run --rm --entrypoint cat certs /ca/ca.pem > "$work/ca.pem" 2> "$work/ca.log" \
  || { cat "$work/ca.log" >&2; die "could not read the CA certificate"; }
grep -q 'BEGIN CERTIFICATE' "$work/ca.pem" || die "the CA certificate is not a certificate"
{
  echo "# purser profile: the compose deployment's operator"
  echo "ca = $work/ca.pem"
  echo "endpoint.identity = 127.0.0.1:7101"
  echo "endpoint.wallet = 127.0.0.1:7102"
  echo "endpoint.policy = 127.0.0.1:7103"
  echo "endpoint.settlement = 127.0.0.1:7104"
  echo "endpoint.email = 127.0.0.1:7105"
  echo "secret = $operator_secret"
} > "$work/profile"
chmod 600 "$work/profile"
export PURSER_CONFIG="$work/profile"

log "the gateway over HTTPS with the compose CA"
curl -sS --fail --cacert "$work/ca.pem" https://127.0.0.1:8443/healthz > /dev/null || die "gateway /healthz failed"

log "the README story against the published ports"
PURSER_DEMO_PROFILE="$work/profile" PURSER_DEMO_SMTP_PORT=2525 "$root/deploy/dev" demo > "$work/demo.log" 2>&1 \
  || { tail -40 "$work/demo.log" >&2; die "the README story failed"; }
grep -q 'the story is complete' "$work/demo.log" || die "the README story did not complete"

log "metrics: each service's /metrics on the compose network, not on the host"
for entry in identity:9101 wallet:9102 policy:9103 settlement:9104 email:9105 gateway:9106; do
  service=${entry%%:*} port=${entry#*:}
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2> /dev/null; then die "$service: metrics port $port is published on the host"; fi
  # The certs image has bash; the service images have no shell at all.
  compose run --rm --no-deps -T --entrypoint bash certs -c \
    "exec 3<>/dev/tcp/$service/$port && printf 'GET /metrics HTTP/1.0\r\nHost: $service\r\n\r\n' >&3 && cat <&3" \
    < /dev/null > "$work/metrics-$service.http" 2> "$work/metrics-$service.log" \
    || { cat "$work/metrics-$service.log" >&2; die "$service: no answer from $service:$port on the compose network"; }
  head -1 "$work/metrics-$service.http" | grep -q ' 200 ' || die "$service: /metrics answered $(head -1 "$work/metrics-$service.http")"
  sed '1,/^\r\?$/d' "$work/metrics-$service.http" > "$work/metrics-$service.txt"
  promtool check metrics < "$work/metrics-$service.txt" > /dev/null 2>&1 \
    || die "$service: promtool check metrics refuses its /metrics ($work/metrics-$service.txt)"
done
approved=$(awk '/^purser_wallet_authorizations_total\{.*outcome="approved"/ { sum += $2 } END { print sum + 0 }' "$work/metrics-wallet.txt")
[ "${approved%.*}" -gt 0 ] || die "the Wallet's metrics count no approved authorization after the story"
log "six /metrics endpoints answer on the compose network only; the Wallet counts $approved approved authorizations"

# State that must outlive a stop and start: a tenant, an agent with a balance, a mail.
json_field() { python3 -c 'import json, sys
value = json.load(sys.stdin)
for part in sys.argv[1].split("."):
    value = value[int(part)] if isinstance(value, list) else value[part]
print(value)' "$1"; }
slug="kept-$(date +%s)"
tenant=$("$purser" admin tenants create --slug "$slug" --name "Kept across restarts" --json | json_field id)
admin_secret=$("$purser" keys create --tenant "$tenant" --role admin --label kept --json | json_field secret)
PURSER_SECRET=$admin_secret "$purser" wallet fund --amount 40 --reference kept-1 --json > /dev/null
agent_json=$(PURSER_SECRET=$admin_secret "$purser" agents create --handle keeper --name Keeper --json)
agent_secret=$(json_field secret <<< "$agent_json")
address=$(json_field email <<< "$agent_json")
PURSER_SECRET=$admin_secret "$purser" wallet allocate --agent keeper --amount 12.5 --json > /dev/null
python3 - "$address" <<'PY'
import smtplib, sys
from email.message import EmailMessage
message = EmailMessage()
message["From"], message["To"], message["Subject"] = "billing@vendor.example", sys.argv[1], "Kept across restarts"
message.set_content("This mail must survive a stop and start.")
with smtplib.SMTP("127.0.0.1", 2525) as smtp:
    smtp.send_message(message)
PY
snapshot() { # the state above, as the CLI reports it
  echo "tenants: $("$purser" admin tenants list --json | python3 -c 'import json, sys; print(sorted(t["slug"] for t in json.load(sys.stdin)["tenants"]))')"
  echo "balance: $(PURSER_SECRET=$agent_secret "$purser" wallet balance --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["available"])')"
  echo "inbox: $(PURSER_SECRET=$agent_secret "$purser" email inbox --json | python3 -c 'import json, sys; print([m["subject"] for m in json.load(sys.stdin)["messages"]])')"
}
before=$(snapshot)
grep -q "'$slug'" <<< "$before" || die "the new tenant is not listed: $before"
grep -q 'Kept across restarts' <<< "$before" || die "the mail is not in the inbox: $before"

log "stop the stack, then start it again"
compose stop > "$work/stop.log" 2>&1 || { cat "$work/stop.log" >&2; die "stop failed"; }
restart_seconds=$(start_stack)
after=$(snapshot)
[ "$before" = "$after" ] || die "state changed across stop and start:
before: $before
after:  $after"
log "kept across stop and start ($restart_seconds s to healthy):"
sed 's/^/    /' <<< "$after" >&2

log "kill -9 the wallet's main process; its restart policy must bring it back"
wallet=$(container_of wallet)
pid=$(podman inspect --format '{{.State.Pid}}' "$wallet")
restarts=$(podman inspect --format '{{.RestartCount}}' "$wallet")
killed_at=$(date +%s%N)
kill -9 "$pid"
until PURSER_SECRET=$agent_secret "$purser" wallet balance --json > /dev/null 2>&1; do
  [ $(( ($(date +%s%N) - killed_at) / 1000000 )) -lt 10000 ] || die "the wallet did not answer within 10 s of kill -9"
  sleep 0.2
done
recovered_ms=$(( ($(date +%s%N) - killed_at) / 1000000 ))
[ "$(podman inspect --format '{{.State.Pid}}' "$wallet")" != "$pid" ] || die "the wallet answered from the killed process"
[ "$(podman inspect --format '{{.RestartCount}}' "$wallet")" -gt "$restarts" ] || die "the wallet's restart count did not grow"
log "the wallet answered again ${recovered_ms} ms after kill -9 (restarted by its policy)"

log "certificates: each service holds its own key and the CA certificate, nothing else"
for service in identity wallet policy settlement email gateway; do
  id=$(container_of "$service")
  files=$(podman cp "$id:/certs/." - | tar -tf - | sed 's|^\./||' | grep -v '^$' | sort | tr '\n' ' ')
  [ "$files" = "ca.pem $service.key $service.pem " ] || die "$service: /certs holds $files"
  mounts=$(podman inspect --format '{{range .Mounts}}{{.Name}}:{{.Destination}}:{{.RW}} {{end}}' "$id")
  [ "$mounts" = "${project}_certs-$service:/certs:false " ] || die "$service: mounts $mounts"
done
image_root=$(podman image mount localhost/purser:latest)
keys=$(grep -rlIE -- '-----BEGIN ([A-Z]+ )?PRIVATE KEY-----' "$image_root" 2> /dev/null || true)
podman image unmount localhost/purser:latest > /dev/null
[ -z "$keys" ] || die "the runtime image holds a private key: $keys"
log "six services checked; the runtime image holds no private key"

log "figures"
{
  podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E 'purser' | sed 's/^/  image /'
  sed 's/^\(.*\) \([0-9]*\)$/  build \1: \2 s/' "$PURSER_PODMAN_DATA/timings"
  echo "  up to all healthy: $up_seconds s (stop and start: $restart_seconds s)"
  echo "  wallet back after kill -9: $recovered_ms ms"
} | tee "$work/figures" >&2
log "not exercised by podman 4.3 and podman-compose: depends_on conditions and health checks run by the engine itself
    (this script waits for them), restart after the engine or host restarts, and Docker's embedded DNS round robin
    across replicas"
log "compose story passed"
