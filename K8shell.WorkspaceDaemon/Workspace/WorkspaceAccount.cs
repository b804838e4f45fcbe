using K8shell.WorkspaceDaemon.Processes.Native;

namespace K8shell.WorkspaceDaemon.Workspace;

/// <summary>
/// The OS account the workspace's processes run as, resolved once at start from the options and
/// /etc/passwd. <see cref="SwitchFromRoot"/> says whether children must drop root's privileges to it.
/// </summary>
public sealed record WorkspaceAccount(string Name, uint Uid, uint Gid, string Home, string Shell)
{
    public const string DefaultShell = "/bin/sh";

    /// <summary>True when the daemon runs as root and the account is someone else.</summary>
    public bool SwitchFromRoot => DaemonIsRoot && Uid != 0;

    public static bool DaemonIsRoot => LibC.geteuid() == 0;

    /// <summary>
    /// As root: the configured user (default: the owner), created when missing if its uid is given
    /// (a pod's image rarely has the user). Otherwise: the daemon's own user, whatever the options
    /// name (the Process backend runs the daemon as the developer). Home and shell from the options
    /// win over the account's record.
    /// </summary>
    public static WorkspaceAccount Resolve(WorkspaceOptions options, string passwdFile = "/etc/passwd", string groupFile = "/etc/group")
    {
        var accounts = PasswdEntry.ReadAll(passwdFile);
        PasswdEntry? entry;
        if (DaemonIsRoot)
        {
            var name = options.User ?? options.Owner;
            entry = accounts.FirstOrDefault(account => account.Name == name) ?? (options.Uid is { } uid
                ? LocalAccounts.Create(name, (uint)uid, (uint)(options.Gid ?? uid), options.Home is { Length: > 0 } givenHome ? givenHome : $"/home/{name}",
                    options.Shell is { Length: > 0 } givenShell ? givenShell : "/bin/bash", passwdFile, groupFile)
                : throw new InvalidOperationException($"Workspace:User: no account \"{name}\" in {passwdFile}, and no Workspace:Uid to create it with"));
        }
        else
        {
            var uid = LibC.geteuid();
            entry = accounts.FirstOrDefault(account => account.Uid == uid) ?? new PasswdEntry(Environment.UserName, uid, uid, "", "");
        }
        var home = options.Home is { Length: > 0 } configuredHome ? configuredHome
            : entry.Home is { Length: > 0 } recordHome ? recordHome
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var shell = options.Shell is { Length: > 0 } configuredShell ? configuredShell
            : entry.Shell is { Length: > 0 } recordShell ? recordShell
            : DefaultShell;
        return new WorkspaceAccount(entry.Name, entry.Uid, entry.Gid, home, shell);
    }
}

/// <summary>One line of /etc/passwd: name:password:uid:gid:gecos:home:shell.</summary>
public sealed record PasswdEntry(string Name, uint Uid, uint Gid, string Home, string Shell)
{
    public static IReadOnlyList<PasswdEntry> ReadAll(string path) =>
        [.. File.ReadLines(path).Select(line => line.Split(':')).Where(fields => fields.Length >= 7 && uint.TryParse(fields[2], out _) && uint.TryParse(fields[3], out _))
            .Select(fields => new PasswdEntry(fields[0], uint.Parse(fields[2]), uint.Parse(fields[3]), fields[5], fields[6]))];
}
