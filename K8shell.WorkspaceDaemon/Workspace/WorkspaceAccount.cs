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

    public static bool DaemonIsRoot { get; } = LibC.geteuid() == 0;

    /// <summary>The groups its processes get: the primary group first, then those /etc/group lists it in.</summary>
    public IReadOnlyList<uint> Groups { get; init; } = [Gid];

    /// <summary>Makes what the daemon created for the user theirs (a no-op when the daemon runs as the user).</summary>
    public void GiveOwnership(string path)
    {
        if (SwitchFromRoot)
        {
            LibC.ChangeOwner(path, Uid, Gid);
        }
    }

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
        return From(entry, options.Home, options.Shell, groupFile);
    }

    /// <summary>
    /// The account of a passwd line; a configured <paramref name="home"/> and <paramref name="shell"/> win over the line's.
    /// Its groups are read here, once, not at every process it starts.
    /// </summary>
    public static WorkspaceAccount From(PasswdEntry entry, string? home = null, string? shell = null, string groupFile = "/etc/group") => new(entry.Name, entry.Uid, entry.Gid,
        home is { Length: > 0 } ? home : entry.Home is { Length: > 0 } ? entry.Home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        shell is { Length: > 0 } ? shell : entry.Shell is { Length: > 0 } ? entry.Shell : DefaultShell)
    {
        Groups = GroupFile.GroupsOf(entry.Name, entry.Gid, groupFile),
    };
}

/// <summary>One line of /etc/passwd: name:password:uid:gid:gecos:home:shell.</summary>
public sealed record PasswdEntry(string Name, uint Uid, uint Gid, string Home, string Shell)
{
    public static PasswdEntry? Find(string name, string path = "/etc/passwd") => ReadAll(path).FirstOrDefault(entry => entry.Name == name);

    public static IReadOnlyList<PasswdEntry> ReadAll(string path) =>
        [.. File.ReadLines(path).Select(line => line.Split(':')).Where(fields => fields.Length >= 7 && uint.TryParse(fields[2], out _) && uint.TryParse(fields[3], out _))
            .Select(fields => new PasswdEntry(fields[0], uint.Parse(fields[2]), uint.Parse(fields[3]), fields[5], fields[6]))];
}
