#!/bin/bash
# Sweepline's helper on a cluster's login node. It runs the operations of a request file, which
# the client uploaded over SFTP, so that no argument ever passes through a shell's parser, and it
# frames every result in its reply: many commands cost one SSH channel.
#
#   agent.sh REQUEST     runs one request, prints its reply, removes the request
#   agent.sh --serve     serves one request per line of stdin (a request file's path), for the
#                        whole session: the login shell that sshd starts first, and whose rc files
#                        may load modules for seconds, runs once instead of once per command. Per
#                        request it prints "A\n" once it has taken it (before anything runs), the
#                        reply in chunks "C <n>\n" + n bytes, then "Z\n"; it ends at the end of stdin,
#                        or after a failure that stops a request ("E ..." is the last chunk).
#
# Request: NUL-terminated fields.
#   "run" CWD N ARG1..ARGN     runs a program (no shell), stdin from /dev/null
#   "prun" LIMIT CWD N ARG1..ARGN   the same; consecutive pruns run at once, at most LIMIT of them
#                              (independent submissions: sbatch waits mostly on slurmctld and munge),
#                              and are started once the group has been read
#   "read" PATH                prints the first 64 KiB of a file
#   "put" FOLDER NAME MODE CONTENT   writes FOLDER/NAME (octal MODE); consecutive puts share one
#                              `mkdir -p` and one `chmod` per mode, done before the next operation
# Reply, per operation, a header line and then its payloads, back to back:
#   "R <i> <status> <out> <err>\n" <out bytes> <err bytes>
#   "F <i> <1 if it exists, else 0> <content>\n" <content bytes>
#   "P <i>\n"
# where a payload's length is "<n>" for n raw bytes or "b<n>" for n characters of base64 (only for
# output holding a NUL, which a bash variable cannot). It ends with "END <count>\n"; a failure that
# stops the helper is "E <i> <n>\n" and an n-byte message, after which nothing else ran.
#
# Speed matters, because one request submits hundreds of jobs: an operation costs the fork and exec
# of its own program and nothing else. Outputs are read back with the `read` builtin, lengths come
# from ${#var} under LC_ALL=C (bytes), and only the child gets the caller's locale back.
set -u
serving=
request=
out=
err=
if [ "${1-}" = --serve ]; then serving=1; else request=$1; fi
# Removes the request and its scratch files (outputs of runs, one pair per concurrent run; the
# lanes' FIFO), and forgets it.
cleanup() {
    if [ -n "$request" ]; then rm -f -- "$request" "$request".out "$request".err "$request".out.* "$request".err.* "$request".fifo; fi
    request=
}
trap cleanup EXIT

# The helper's own LC_ALL=C stays unexported, so a child's environment is the caller's: a caller's
# LC_ALL is handed back to the child only when there was one (setting it costs the child a setlocale).
unset caller_lc_all
if [ -n "${LC_ALL+set}" ]; then caller_lc_all=$LC_ALL; export -n LC_ALL; fi
LC_ALL=C

# The reply goes out at most once a second while operations end (and at the end): a line per
# operation would wake sshd and the client for each, on login nodes that are busy already. A
# second is far inside the client's 30 s limit without progress.
reply=
sent_at=$SECONDS
send() {
    if [ -z "$serving" ]; then
        printf '%s' "$1"
    elif [ -n "$1" ]; then
        printf 'C %d\n%s' "${#1}" "$1"
    fi
}
emit() {
    reply+=$1
    if [ "$SECONDS" != "$sent_at" ]; then
        send "$reply"
        reply=
        sent_at=$SECONDS
    fi
}

fail() { # index, message
    send "${reply}E $1 ${#2}"$'\n'"$2"
    if [ -n "$serving" ]; then
        cleanup # before "Z": once the client reads it, nothing of the request is left
        printf 'Z\n'
    fi
    exit 91
}

# Sets $payload_len and $payload for the file $1 (all of it).
load() {
    payload=
    if IFS= read -r -d '' payload < "$1"; then
        payload=$(base64 -w0 < "$1") # it holds a NUL: the rare case pays for a process
        payload_len=b${#payload}
    else
        payload_len=${#payload}
    fi
}

flush_puts() {
    local n=${#put_index[@]} k mode modes=() paths
    [ "$n" -eq 0 ] && return 0
    mkdir -p -- "${put_dir[@]}" 2> "$err" || fail "${put_index[0]}" "mkdir: $(< "$err")"
    for ((k = 0; k < n; k++)); do
        printf '%s' "${put_data[k]}" 2> "$err" > "${put_path[k]}" || fail "${put_index[k]}" "cannot write ${put_path[k]}: $(< "$err")"
        case " ${modes[*]-} " in *" ${put_mode[k]} "*) ;; *) modes+=("${put_mode[k]}") ;; esac
    done
    for mode in "${modes[@]}"; do
        paths=()
        for ((k = 0; k < n; k++)); do
            [ "${put_mode[k]}" = "$mode" ] && paths+=("${put_path[k]}")
        done
        chmod "$mode" -- "${paths[@]}" 2> "$err" || fail "${put_index[0]}" "chmod: $(< "$err")"
    done
    for ((k = 0; k < n; k++)); do
        emit "P ${put_index[k]}"$'\n'
    done
    put_index=() put_dir=() put_path=() put_mode=() put_data=()
}

# Reads an operation's CWD, N and arguments into $cwd and ${args[@]}.
read_command() {
    IFS= read -r -u 3 -d '' cwd
    IFS= read -r -u 3 -d '' count
    args=()
    for ((k = 0; k < count; k++)); do
        IFS= read -r -u 3 -d '' arg
        args+=("$arg")
    done
}

# Becomes the program of $cwd and ${args[@]}: called in a subshell, which is the one fork per operation.
exec_command() {
    if [ -n "${caller_lc_all+set}" ]; then export LC_ALL=$caller_lc_all; fi
    if [ -n "$cwd" ]; then cd -- "$cwd" || exit 126; fi
    exec "${args[@]}"
}

# Emits the result of operation $1 whose exit status is $2 and whose outputs are in $3 and $4.
emit_run() {
    load "$3"
    local out_len=$payload_len out_data=$payload
    load "$4"
    emit "R $1 $2 $out_len $payload_len"$'\n'"$out_data$payload"
}

# A group of consecutive pruns runs in LIMIT lanes, each a subshell running its share one after
# another (lane k: the k-th, the k+LIMIT-th, ...), so a slow one holds up its own lane only. Lanes
# report "<position> <status>" on a FIFO as each run ends; results still go out in order.
run_lane() { # lane, lanes
    local j
    for ((j = $1; j < ${#par_index[@]}; j += $2)); do
        cwd=${par_cwd[j]}
        args=("${par_argv[@]:${par_first[j]}:${par_argc[j]}}")
        (exec_command) > "$out.${par_index[j]}" 2> "$err.${par_index[j]}" < /dev/null 3<&- 4>&-
        printf '%d %d\n' "$j" "$?" >&4
    done
}
flush_par() {
    local n=${#par_index[@]} lanes k j status next=0 done_status=() fifo=$request.fifo
    [ "$n" -eq 0 ] && return 0
    lanes=$((par_limit < n ? par_limit : n))
    if [ ! -p "$fifo" ]; then
        mkfifo -m 600 -- "$fifo" 2> "$err" || fail "${par_index[0]}" "mkfifo: $(< "$err")"
    fi
    exec 4<> "$fifo"
    for ((k = 0; k < lanes; k++)); do run_lane "$k" "$lanes" & done
    while [ "$next" -lt "$n" ]; do
        IFS=' ' read -r -u 4 j status || break
        done_status[j]=$status
        while [ -n "${done_status[next]+set}" ]; do
            emit_run "${par_index[next]}" "${done_status[next]}" "$out.${par_index[next]}" "$err.${par_index[next]}"
            next=$((next + 1))
        done
    done
    wait
    exec 4<&-
    par_index=() par_cwd=() par_first=() par_argc=() par_argv=()
}

# Runs the request file $1; its reply ends with "END <count>\n".
run_request() {
    request=$1 out=$1.out err=$1.err
    reply= sent_at=$SECONDS i=0
    put_index=() put_dir=() put_path=() put_mode=() put_data=()
    par_index=() par_cwd=() par_first=() par_argc=() par_argv=() par_limit=1
    exec 3< "$request" 2> /dev/null || fail 0 "cannot read the request file"
    while IFS= read -r -u 3 -d '' op; do
        [ "$op" = put ] || flush_puts
        [ "$op" = prun ] || flush_par
        case "$op" in
            run)
                read_command
                (exec_command) > "$out" 2> "$err" < /dev/null 3<&- # the request stays the helper's
                emit_run "$i" "$?" "$out" "$err"
                ;;
            prun)
                IFS= read -r -u 3 -d '' limit
                case $limit in '' | *[!0-9]* | 0) fail "$i" "the number of operations at once must be a positive integer" ;; esac
                read_command
                par_limit=$limit
                par_index+=("$i")
                par_cwd+=("$cwd")
                par_first+=("${#par_argv[@]}")
                par_argc+=("${#args[@]}")
                par_argv+=("${args[@]}")
                ;;
            read)
                IFS= read -r -u 3 -d '' path
                if [ -f "$path" ]; then
                    payload=
                    if [ -r "$path" ] && IFS= read -r -d '' -n 65536 payload < "$path" && [ "${#payload}" -lt 65536 ]; then
                        payload=$(head -c 65536 -- "$path" | base64 -w0) # a NUL within the first 64 KiB
                        emit "F $i 1 b${#payload}"$'\n'"$payload"
                    else
                        emit "F $i 1 ${#payload}"$'\n'"$payload"
                    fi
                else
                    emit "F $i 0 0"$'\n'
                fi
                ;;
            put)
                IFS= read -r -u 3 -d '' folder
                IFS= read -r -u 3 -d '' name
                IFS= read -r -u 3 -d '' mode
                IFS= read -r -u 3 -d '' data
                put_index+=("$i")
                put_dir+=("$folder")
                put_path+=("$folder/$name")
                put_mode+=("$mode")
                put_data+=("$data")
                ;;
            *)
                fail "$i" "unknown operation"
                ;;
        esac
        i=$((i + 1))
    done
    flush_puts
    flush_par
    exec 3<&-
    send "${reply}END $i"$'\n'
    reply=
}

if [ -z "$serving" ]; then
    run_request "$request"
    exit 0
fi
# Requests (and their scratch files) of a helper killed in the middle of one are left behind; a
# day old, they belong to no live client. One process per session.
find "${BASH_SOURCE[0]%/*}/requests" -maxdepth 1 -type f -name '*.req*' -mmin +1440 -delete 2> /dev/null
while IFS= read -r next; do
    printf 'A\n'
    run_request "$next"
    cleanup
    printf 'Z\n'
done
