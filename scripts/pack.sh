#!/usr/bin/env bash
# Builds every shipped package (the libraries, the pgkit tool, the dotnet new templates) into artifacts/packages,
# with symbol packages. Usage: scripts/pack.sh [VERSION] (default: the version in src/Directory.Build.props).
# Only src/ is built: a solution of the shipped projects is written to artifacts/ and packed, so tests, benchmarks and
# samples are not compiled in Release for nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/packages
mkdir -p "$out"
version_args=()
if [ $# -gt 0 ] && [ -n "$1" ]; then
  version_args=("-p:Version=$1")
fi

solution=artifacts/packages.slnx
{
  echo "<Solution>"
  for project in src/*/*.csproj; do
    echo "  <Project Path=\"../$project\" />"
  done
  echo "</Solution>"
} > "$solution"

dotnet pack "$solution" -c Release -o "$out" -p:ContinuousIntegrationBuild=true "${version_args[@]}" -v:minimal -nologo
echo "Packages in $out:"
ls -1 "$out" | grep -E '\.nupkg$' | sed 's/^/  /'
