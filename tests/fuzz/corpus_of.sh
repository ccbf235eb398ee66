#!/usr/bin/env bash
# Prints the committed seed corpus folder of a fuzz target (as named in tests/CMakeLists.txt).
case "$1" in
  compliance_catalog) echo tests/compliance/fuzz/corpus/catalog ;;
  compliance_checklist) echo tests/compliance/fuzz/corpus/checklist ;;
  incident_process) echo tests/incident/fuzz/corpus/process ;;
  ingest_*) echo "tests/ingest/fuzz/corpus/${1#ingest_}" ;;
  eventstore_*) echo "tests/eventstore/fuzz/corpus/${1#eventstore_}" ;;
  documents_*) echo "tests/documents/fuzz/corpus/${1#documents_}" ;;
  evtx_reader) echo tests/evtx/fuzz/corpus/evtx ;;
  sigma_*) echo "tests/sigma/fuzz/corpus/${1#sigma_}" ;;
  webmon_*) echo "tests/webmon/fuzz/corpus/${1#webmon_}" ;;
  *) echo "tests/fuzz/corpus/$1" ;;
esac
