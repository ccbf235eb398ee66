#!/bin/sh
# `vigil evidence verify-bundle` on bundles written by another tool (Python's zipfile, in the fuzz
# corpus): exit 0 and "bundle verified" for the sound one; exit 1 naming the changed file for the
# tampered one; exit 2 for a ZIP without manifest. Usage: cli_verify_bundle.sh VIGIL CORPUS_DIR
set -u
vigil=$1
corpus=$2
fail() { echo "FAIL: $*"; exit 1; }

out=$("$vigil" evidence verify-bundle "$corpus/bundle.zip"); rc=$?
[ "$rc" = 0 ] || fail "sound bundle: exit $rc: $out"
echo "$out" | grep -q "^bundle verified: 2 files match the manifest" || fail "sound bundle: $out"

out=$("$vigil" evidence verify-bundle "$corpus/tampered.zip"); rc=$?
[ "$rc" = 1 ] || fail "tampered bundle: exit $rc: $out"
echo "$out" | grep -q "^MODIFIED evidence/2-shell.php (item 2)" || fail "tampered bundle: $out"
echo "$out" | grep -q "^OK       evidence/1-access.log (item 1)" || fail "tampered bundle, item 1: $out"

"$vigil" evidence verify-bundle "$corpus/no_manifest.zip" >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || fail "no manifest: exit $rc"
echo "ok"
