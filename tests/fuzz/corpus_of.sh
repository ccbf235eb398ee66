#!/usr/bin/env bash
# Prints the committed seed corpus folder of a fuzz target (as named in tests/CMakeLists.txt).
case "$1" in
  compliance_catalog) echo tests/compliance/fuzz/corpus/catalog ;;
  compliance_checklist) echo tests/compliance/fuzz/corpus/checklist ;;
  ingest_*) echo "tests/ingest/fuzz/corpus/${1#ingest_}" ;;
  documents_*) echo "tests/documents/fuzz/corpus/${1#documents_}" ;;
  *) echo "tests/fuzz/corpus/$1" ;;
esac
