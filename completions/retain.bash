# bash completion for retain: commands, then options and files
_retain()
{
    local cur=${COMP_WORDS[COMP_CWORD]}
    local commands="overview top why objects roots shared diff goroutines sites dominators export report read index help"
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi
    case $cur in
    -*)
        local opts="--json --help --force --debug-dir --symbols --profile -j --threads"
        case ${COMP_WORDS[1]} in
        top) opts+=" --by --retained -n" ;;
        why) opts+=" --all --type -n" ;;
        objects) opts+=" --type --site --min-size --reachable --unreachable --jsonl" ;;
        roots) opts+=" --by -n" ;;
        shared) opts+=" --roots -n" ;;
        sites) opts+=" --by --rate --roots --stacks -n" ;;
        goroutines) opts+=" --group --stacks -n" ;;
        diff) opts+=" --by -n --retained" ;;
        dominators) opts+=" --depth --min-bytes" ;;
        export) opts+=" --format --tree --by --max-depth -o --min-bytes --max-nodes" ;;
        report) opts+=" -o --diff" ;;
        index) opts+=" -o --output" ;;
        esac
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        ;;
    *)
        COMPREPLY=($(compgen -f -- "$cur"))
        ;;
    esac
}
complete -o filenames -F _retain retain
