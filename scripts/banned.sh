#!/usr/bin/env bash
# Fail if a banned function appears in our C sources (curl's list, in short):
# each either has no bound or has a safer spelling we use instead.
#   sprintf strcpy strcat -> snprintf / explicit lengths
#   strtok                -> strtok_r / hand scanning
#   atoi                  -> strtol with end and range checks
#   gets                  -> never
#   sscanf                -> explicit parsing
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|gets|sscanf)[[:space:]]*\('
if grep -rnE "$pattern" --include='*.c' --include='*.h' src tests bench 2>/dev/null; then
	echo "banned function used (see scripts/banned.sh for what to use instead)" >&2
	exit 1
fi
echo "banned-function check: clean"
