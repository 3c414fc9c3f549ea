#!/bin/bash
# Sweepline's helper on a cluster's login node. It runs the operations of a request file, which
# the client uploaded over SFTP, so that no argument ever passes through a shell's parser, and it
# frames every result in its reply: many commands cost one SSH channel.
#
#   agent.sh REQUEST     runs one request, prints its reply, removes the request
#   agent.sh --serve MARKER   serves one request per line of stdin (a request file's absolute
#                        path), for the whole session: the login shell that sshd starts first, and
#                        whose rc files may load modules for seconds, runs once instead of once per
#                        command. It first prints "MARKER\n" (the client's per-session word, of
#                        [A-Za-z0-9_-]): the client drops whatever the login shell printed before
#                        it (banners, `module` messages). Per
#                        request it prints "A\n" once it has taken it (before anything runs), the
#                        reply in chunks "C <n>\n" + n bytes, then "Z\n"; it ends at the end of stdin,
#                        or after a failure that stops a request ("E ..." is the last chunk).
#
# Request: NUL-terminated fields.
#   "run" CWD N ARG1..ARGN     runs a program (no shell), stdin from /dev/null
#   "prun" LIMIT CWD N ARG1..ARGN   the same; consecutive pruns run at once, at most LIMIT of them
#                              (independent submissions: sbatch waits mostly on slurmctld and munge),
#                              and are started once the group has been read
#   "read" PATH                prints the first 64 KiB of a file; a symlink, a file of another
#                              user or anything but a plain file reads as absent, with the reason
#   "readfrom" PATH OFFSET     prints at most 64 KiB of a file from byte OFFSET on (a job's stdout as
#                              it grows; nothing at or past its end), with the refusals of "read";
#                              one `dd` per operation
#   "put" FOLDER NAME MODE CONTENT   writes FOLDER/NAME (octal MODE) through a temporary name, made
#                              exclusively, renamed over NAME: a planted symlink is replaced, never
#                              followed; consecutive puts share one `mkdir -p` and one `chmod` per
#                              mode, done before the next operation
# N, LIMIT, MODE and OFFSET must be plain numbers (bash would evaluate "a[$(cmd)]" in an arithmetic
# context; OFFSET, of up to 18 digits, only ever reaches dd's argv).
# Everything the helper makes is owner-only (umask 077), and so is what its runs make.
# Reply, per operation, a header line and then its payloads, back to back:
#   "R <i> <status> <out> <err>\n" <out bytes> <err bytes>
#   "F <i> <1 if it exists, else 0> <content>\n" <content bytes>   (absent: the content says why, if
#                              the file is there but refused)
#   "O <i> <1 if it exists, else 0> <content>\n" <content bytes>   (readfrom; absent as for "F")
#   "P <i>\n"
# where a payload's length is "<n>" for n raw bytes or "b<n>" for n characters of base64 (only for
# output holding a NUL, which a bash variable cannot). It ends with "END <count>\n"; a failure that
# stops the helper is "E <i> <n>\n" and an n-byte message, after which nothing else ran.
#
# Speed matters, because one request submits hundreds of jobs: an operation costs the fork and exec
# of its own program and nothing else. Outputs are read back with the `read` builtin, lengths come
# from ${#var} under LC_ALL=C (bytes), and only the child gets the caller's locale back.
set -u
umask 077
serving=
marker=
request=
out=
err=
if [ "${1-}" = --serve ]; then
    serving=1 marker=${2-}
    case $marker in *[!A-Za-z0-9_-]*) echo "agent.sh: the marker must be of [A-Za-z0-9_-]" >&2; exit 2 ;; esac
else
    request=$1
fi
# True if $1 is a byte offset: a plain decimal number of at most 18 digits, without leading zeros.
# It is never used in arithmetic, only passed to dd, which reads it as decimal.
is_offset() {
    case $1 in '' | *[!0-9]* | 0?*) return 1 ;; esac
    [ "${#1}" -le 18 ]
}
# True if $1 is a plain decimal number of at most 9 digits, without leading zeros (octal in
# bash): safe in (( )) and as an array index.
is_number() {
    case $1 in '' | *[!0-9]* | 0?*) return 1 ;; esac
    [ "${#1}" -le 9 ]
}
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
    # A put's temporary files (flush_puts' own, seen here through bash's dynamic scope).
    if [ -n "${temps+set}" ] && [ "${#temps[@]}" -gt 0 ]; then rm -f -- "${temps[@]}" 2> /dev/null; fi
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

# Sets $refused to why the file $1 is not read, if it is not: only our own plain files are results.
# Someone else's file, or a symlink (which could point at another trial's output), reads as absent.
refuse_unless_ours() {
    refused=
    if [ -L "$1" ]; then
        refused="$1 is a symbolic link"
    elif [ -e "$1" ] && [ ! -f "$1" ]; then
        refused="$1 is not a plain file"
    elif [ -f "$1" ] && [ ! -O "$1" ]; then
        refused="$1 belongs to another user"
    fi
}

# Each file is written to a temporary name in its folder, opened exclusively (noclobber: O_EXCL
# when the name is free, and a planted file or symlink there is refused below), then renamed over
# its name (mv -T: rename(2), which replaces a symlink instead of following it).
flush_puts() {
    local n=${#put_index[@]} k mode modes=() paths temps=()
    [ "$n" -eq 0 ] && return 0
    mkdir -p -- "${put_dir[@]}" 2> "$err" || fail "${put_index[0]}" "mkdir: $(< "$err")"
    set -o noclobber
    for ((k = 0; k < n; k++)); do
        # Until the renames, none of the group's files is in place: a failure stops at its first put.
        if [ -L "${put_dir[k]}" ]; then fail "${put_index[0]}" "${put_dir[k]} is a symbolic link"; fi
        temps[k]=${put_path[k]}.swl-$$-$RANDOM$RANDOM.tmp
        { printf '%s' "${put_data[k]}" > "${temps[k]}"; } 2>| "$err" || fail "${put_index[0]}" "cannot write ${put_path[k]}: $(< "$err")"
        # noclobber opens an existing non-regular file (a symlink to a FIFO or device) anyway: not ours.
        if [ -L "${temps[k]}" ] || [ ! -f "${temps[k]}" ] || [ ! -O "${temps[k]}" ]; then
            fail "${put_index[0]}" "cannot write ${put_path[k]}: its temporary name was taken by someone else"
        fi
        case " ${modes[*]-} " in *" ${put_mode[k]} "*) ;; *) modes+=("${put_mode[k]}") ;; esac
    done
    set +o noclobber
    for mode in "${modes[@]}"; do
        paths=()
        for ((k = 0; k < n; k++)); do
            [ "${put_mode[k]}" = "$mode" ] && paths+=("${temps[k]}")
        done
        chmod "$mode" -- "${paths[@]}" 2> "$err" || fail "${put_index[0]}" "chmod: $(< "$err")"
    done
    # Each one is done once renamed: a failure stops at the first that is not.
    for ((k = 0; k < n; k++)); do
        mv -f -T -- "${temps[k]}" "${put_path[k]}" 2> "$err" || fail "${put_index[k]}" "cannot write ${put_path[k]}: $(< "$err")"
        emit "P ${put_index[k]}"$'\n'
    done
    put_index=() put_dir=() put_path=() put_mode=() put_data=()
}

# Reads an operation's CWD, N and arguments into $cwd and ${args[@]}.
read_command() {
    IFS= read -r -u 3 -d '' cwd
    IFS= read -r -u 3 -d '' count
    is_number "$count" || fail "$i" "the number of arguments must be a plain number"
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
        is_number "$j" || fail "${par_index[next]}" "a lane reported an unreadable result"
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
    reply='' sent_at=$SECONDS i=0
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
                if ! is_number "$limit" || [ "$limit" = 0 ]; then
                    fail "$i" "the number of operations at once must be a positive integer"
                fi
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
                refuse_unless_ours "$path"
                if [ -n "$refused" ]; then
                    emit "F $i 0 ${#refused}"$'\n'"$refused"
                elif [ -f "$path" ]; then
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
            readfrom)
                IFS= read -r -u 3 -d '' path
                IFS= read -r -u 3 -d '' offset
                is_offset "$offset" || fail "$i" "the offset must be a plain number"
                refuse_unless_ours "$path"
                if [ -n "$refused" ]; then
                    emit "O $i 0 ${#refused}"$'\n'"$refused"
                elif [ -f "$path" ]; then
                    # dd seeks (no reading of what came before) and stops after 64 KiB; nofollow
                    # refuses a symlink planted since the check. One process: 1.2 ms a read from
                    # the middle of a 15 MB file, against 1.4 ms for `tail -c +N | head -c` (two) and
                    # 0.7 ms for /bin/true (bash 5.2 and coreutils 9.1, 500 runs each).
                    if dd if="$path" of="$out" iflag=skip_bytes,count_bytes,nofollow skip="$offset" count=65536 \
                        bs=65536 status=none 2> "$err" < /dev/null 3<&-; then
                        load "$out"
                        emit "O $i 1 $payload_len"$'\n'"$payload"
                    else
                        refused=
                        IFS= read -r -d '' refused < "$err"
                        refused="cannot read $path: ${refused%$'\n'}"
                        emit "O $i 0 ${#refused}"$'\n'"$refused"
                    fi
                else
                    emit "O $i 0 0"$'\n'
                fi
                ;;
            put)
                IFS= read -r -u 3 -d '' folder
                IFS= read -r -u 3 -d '' name
                IFS= read -r -u 3 -d '' mode
                case $mode in '' | *[!0-7]* | ?????*) fail "$i" "the mode must be an octal number of at most 4 digits" ;; esac
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

# A run without a folder runs in the home (<home>/.sweepline/agent-X.sh), not where the login
# shell's rc files moved to.
case ${BASH_SOURCE[0]} in */.sweepline/*) home=${BASH_SOURCE[0]%/.sweepline/*}; cd -- "${home:-/}" 2> /dev/null || true ;; esac
if [ -z "$serving" ]; then
    run_request "$request"
    exit 0
fi
# Requests (and their scratch files and lane FIFOs) of a helper killed in the middle of one are
# left behind; a day old, they belong to no live client. One process per session. The folder is
# made again if someone removed it (the client also does, before each request it uploads).
requests=${BASH_SOURCE[0]%/*}/requests
[ -d "$requests" ] || mkdir -p -- "$requests" 2> /dev/null
find "$requests" -maxdepth 1 \( -type f -o -type p \) -name '*.req*' -mmin +1440 -delete 2> /dev/null
if [ -n "$marker" ]; then printf '%s\n' "$marker"; fi
while IFS= read -r next; do
    printf 'A\n'
    run_request "$next"
    cleanup
    printf 'Z\n'
done
