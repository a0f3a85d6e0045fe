#!/usr/bin/env bash
# Records each shipped package's public API in src/<Package>/PublicAPI.Unshipped.txt with the analyzer's own code fix
# (Microsoft.CodeAnalysis.PublicApiAnalyzers: RS0016 adds what is new, RS0017 drops what is gone). Review the diff like
# code. `scripts/public-api.sh --ship` then moves every entry to PublicAPI.Shipped.txt, as a release does.
set -euo pipefail
cd "$(dirname "$0")/.."
ship=false
[ "${1:-}" = "--ship" ] && ship=true

for project in src/*/*.csproj; do
  dir=$(dirname "$project")
  [ "$(basename "$dir")" = "PgKit.Templates" ] && continue
  for file in PublicAPI.Shipped.txt PublicAPI.Unshipped.txt; do
    [ -f "$dir/$file" ] || printf '#nullable enable\n' > "$dir/$file"
  done
  dotnet format analyzers "$project" --diagnostics RS0016 RS0017 --severity info -v:quiet || true
  if $ship; then
    { cat "$dir/PublicAPI.Shipped.txt"; grep -v '^#nullable enable$' "$dir/PublicAPI.Unshipped.txt" || true; } \
      | { read -r first; echo "$first"; LC_ALL=C sort -u; } > "$dir/PublicAPI.Shipped.txt.new"
    mv "$dir/PublicAPI.Shipped.txt.new" "$dir/PublicAPI.Shipped.txt"
    printf '#nullable enable\n' > "$dir/PublicAPI.Unshipped.txt"
  fi
  echo "$dir: $(grep -vc '^#' "$dir/PublicAPI.Shipped.txt") shipped, $(grep -vc '^#' "$dir/PublicAPI.Unshipped.txt") unshipped"
done
