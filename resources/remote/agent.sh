#!/bin/bash
# Sweepline's helper on a cluster's login node. It runs the operations of one request file, which
# the client uploaded over SFTP, so that no argument ever passes through a shell's parser, and it
# frames every result on one line: many commands cost one SSH channel.
#
# Request: NUL-terminated fields. "run" CWD N ARG1..ARGN runs a program; "read" PATH prints a file.
# Reply, one line per operation: "R <i> <status> <stdout b64> <stderr b64>" or
# "F <i> <1 if it exists, else 0> <content b64>", then "END <count>".
set -u
request=$1
scratch=$(mktemp -d "${TMPDIR:-/tmp}/sweepline.XXXXXX") || exit 90
trap 'rm -rf -- "$scratch"; rm -f -- "$request"' EXIT

i=0
exec 3< "$request"
while IFS= read -r -d '' op <&3; do
    case "$op" in
        run)
            IFS= read -r -d '' cwd <&3
            IFS= read -r -d '' count <&3
            args=()
            for ((k = 0; k < count; k++)); do
                IFS= read -r -d '' arg <&3
                args+=("$arg")
            done
            (
                if [ -n "$cwd" ]; then cd -- "$cwd" || exit 126; fi
                exec "${args[@]}"
            ) > "$scratch/out" 2> "$scratch/err" < /dev/null
            status=$?
            printf 'R %d %d %s %s\n' "$i" "$status" "$(base64 -w0 < "$scratch/out")" "$(base64 -w0 < "$scratch/err")"
            ;;
        read)
            IFS= read -r -d '' path <&3
            if [ -f "$path" ]; then
                printf 'F %d 1 %s\n' "$i" "$(head -c 65536 -- "$path" | base64 -w0)"
            else
                printf 'F %d 0 \n' "$i"
            fi
            ;;
        *)
            printf 'E %d unknown operation\n' "$i"
            exit 91
            ;;
    esac
    i=$((i + 1))
done
printf 'END %d\n' "$i"
