#!/usr/bin/env bash
# Creates the scms-electors topics on an Apache Kafka cluster from topics.txt, and converges the configs of topics
# that already exist. Safe to run again (after an upgrade, on every deployment).
#
#   create-topics.sh [TOPICS_FILE]
#
# Environment:
#   BOOTSTRAP_SERVERS       host:port[,host:port...] of the cluster (default localhost:9092)
#   KAFKA_BIN               directory of kafka-topics.sh / kafka-configs.sh (default: found on PATH, else /opt/kafka/bin)
#   COMMAND_CONFIG          client properties file for TLS/SASL (security.protocol, ssl.truststore.location,
#                           sasl.mechanism, sasl.jaas.config, ...), passed as --command-config
#   TOPIC_PREFIX            prefix of every topic name (the services' topic-prefix; default empty)
#   MAX_REPLICATION_FACTOR  cap of the replication factor (1 for a single-broker cluster); min.insync.replicas
#                           is then lowered to max(1, replication - 1) as in Topics.swift
#
# A topic that exists with fewer partitions than the table is reported and left alone: adding partitions to a keyed
# topic moves keys to other partitions, so do it deliberately (see README.md, "Sizing").
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
topics_file="${1:-$here/topics.txt}"
bootstrap="${BOOTSTRAP_SERVERS:-localhost:9092}"
prefix="${TOPIC_PREFIX:-}"
max_rf="${MAX_REPLICATION_FACTOR:-}"

if [ -n "${KAFKA_BIN:-}" ]; then
    bin="$KAFKA_BIN"
elif command -v kafka-topics.sh >/dev/null 2>&1; then
    bin="$(dirname "$(command -v kafka-topics.sh)")"
else
    bin=/opt/kafka/bin
fi
client=(--bootstrap-server "$bootstrap")
[ -z "${COMMAND_CONFIG:-}" ] || client+=(--command-config "$COMMAND_CONFIG")

status=0
while read -r name partitions replication configs _; do
    case "$name" in ''|'#'*) continue ;; esac
    topic="$prefix$name"
    if [ -n "$max_rf" ] && [ "$replication" -gt "$max_rf" ]; then
        replication="$max_rf"
        min_isr=$(( replication > 1 ? replication - 1 : 1 ))
        configs="$(printf '%s' "$configs" | sed -E "s/min\.insync\.replicas=[0-9]+/min.insync.replicas=$min_isr/")"
    fi
    create=(--create --if-not-exists --topic "$topic" --partitions "$partitions" --replication-factor "$replication")
    IFS=',' read -r -a pairs <<<"$configs"
    for pair in "${pairs[@]}"; do create+=(--config "$pair"); done
    echo "create-topics: $topic (partitions $partitions, replication $replication, $configs)" >&2
    "$bin/kafka-topics.sh" "${client[@]}" "${create[@]}"
    # Existing topics keep their creation settings otherwise: converge the configs.
    "$bin/kafka-configs.sh" "${client[@]}" --alter --entity-type topics --entity-name "$topic" --add-config "$configs"
    described="$("$bin/kafka-topics.sh" "${client[@]}" --describe --topic "$topic")"
    actual="$(printf '%s\n' "$described" | grep -o 'PartitionCount: *[0-9]*' | grep -o '[0-9]*$' | head -1 || true)"
    if [ -n "$actual" ] && [ "$actual" -lt "$partitions" ]; then
        echo "create-topics: $topic has $actual partitions, the table says $partitions (not changed)" >&2
        status=1
    fi
done <"$topics_file"
exit "$status"
