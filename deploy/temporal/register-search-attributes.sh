#!/bin/sh
# One-shot: wait for the Temporal frontend, create TEMPORAL_NAMESPACE if it is
# missing, then register the product's custom
# search attributes (same names and types as SEARCH_ATTRIBUTE_REGISTRATIONS in
# workflows/messages.ts). Safe to run again: existing attributes are skipped.
set -eu
ns="${TEMPORAL_NAMESPACE:-default}"
until temporal operator cluster health >/dev/null 2>&1; do
  echo "waiting for Temporal at ${TEMPORAL_ADDRESS}..."
  sleep 2
done
# auto-setup creates it (DEFAULT_NAMESPACE); a cluster set up otherwise gets it here. A create racing
# auto-setup's fails harmlessly: the loop below waits until the namespace answers either way.
if ! temporal operator namespace describe --namespace "$ns" >/dev/null 2>&1; then
  temporal operator namespace create --namespace "$ns" --retention "${TEMPORAL_NAMESPACE_RETENTION:-24h}" \
    || echo "namespace ${ns} not created here (created meanwhile?)"
fi
until temporal operator namespace describe --namespace "$ns" >/dev/null 2>&1; do
  echo "waiting for namespace ${ns}..."
  sleep 2
done
existing="$(temporal operator search-attribute list --namespace "$ns")"
for pair in RectStatus=Keyword RectOwnerUnits=KeywordList RectNextDeadline=Datetime \
  RectOverdueCount=Int RectEscalationLevel=Int RectPlanId=Keyword RectSupervisionLevel=Keyword; do
  name="${pair%%=*}"
  type="${pair#*=}"
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create --namespace "$ns" --name "$name" --type "$type"
  fi
done
