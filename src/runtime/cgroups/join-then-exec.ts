/**
 * Joins the cgroups, then becomes the command: every process the command forks is born inside
 * them, none escapes in the moment between a spawn and a late join. The command and the
 * cgroup.procs paths are arguments ($0 and $@), never pasted into the script.
 */
const JOIN_CGROUPS_THEN_EXEC =
  'cmd=$0; for f in "$@"; do echo $$ > "$f" || { echo "slipway: cannot join cgroup $f" >&2; exit 125; }; done; exec /bin/sh -c "$cmd"';

/**
 * The same, then becomes the workload's own user: the cgroups are joined while still root (their
 * files are root's), and `setpriv` drops the uid, gid and every supplementary group, with no way
 * back through setuid binaries (no_new_privs). Arguments: $0 the command, $1 setpriv, $2 uid,
 * $3 gid, then the cgroup.procs files.
 */
const JOIN_CGROUPS_THEN_EXEC_AS =
  'cmd=$0; setpriv=$1; uid=$2; gid=$3; shift 3; for f in "$@"; do echo $$ > "$f" || { echo "slipway: cannot join cgroup $f" >&2; exit 125; }; done; exec "$setpriv" --reuid="$uid" --regid="$gid" --clear-groups --no-new-privs -- /bin/sh -c "$cmd"';

/** Who the command runs as, when not the platform's user. */
export interface ExecAs {
  uid: number;
  gid: number;
  /** The setpriv binary (util-linux). */
  setpriv: string;
}

/** `/bin/sh`'s arguments that join `procsFiles`, become `runAs` if given, then run `command`. */
export function joinThenExecArgs(command: string, procsFiles: string[], runAs?: ExecAs): string[] {
  if (runAs !== undefined) {
    return [
      "-c",
      JOIN_CGROUPS_THEN_EXEC_AS,
      command,
      runAs.setpriv,
      String(runAs.uid),
      String(runAs.gid),
      ...procsFiles,
    ];
  }
  return procsFiles.length > 0 ? ["-c", JOIN_CGROUPS_THEN_EXEC, command, ...procsFiles] : ["-c", command];
}
