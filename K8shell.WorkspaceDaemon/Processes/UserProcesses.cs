using K8shell.WorkspaceDaemon.Workspace;
using Microsoft.Extensions.Options;

namespace K8shell.WorkspaceDaemon.Processes;

/// <summary>
/// Turns "run this for the user" into a complete launch: the program (behind setpriv when the daemon
/// is root: the account's groups from /etc/group, setgid, setuid, in that order), the home directory, and the environment —
/// a sane base, the blueprint's, the client's, then the login variables nobody may override.
/// </summary>
internal sealed class UserProcesses(WorkspaceAccount workspaceAccount, IOptions<WorkspaceOptions> options)
{
    /// <summary>Drops root's privileges for the child (util-linux, in every Debian-based image).</summary>
    public const string Setpriv = "/usr/bin/setpriv";

    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public WorkspaceAccount Account => workspaceAccount;

    /// <summary>
    /// A launch of <paramref name="program"/> as <paramref name="account"/> (the workspace's own by
    /// default). <paramref name="extraEnvironment"/> (TERM, SSH_AUTH_SOCK) comes after the client's.
    /// </summary>
    public ProcessLaunch Launch(string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? clientEnvironment = null,
        IReadOnlyDictionary<string, string>? extraEnvironment = null, WorkspaceAccount? account = null)
    {
        account ??= workspaceAccount;
        var environment = new Dictionary<string, string> { ["PATH"] = DefaultPath, ["LANG"] = "C.UTF-8" };
        foreach (var source in new[] { options.Value.Environment, clientEnvironment, extraEnvironment })
        {
            foreach (var (name, value) in source ?? new Dictionary<string, string>())
            {
                environment[name] = value;
            }
        }
        environment["USER"] = account.Name;
        environment["LOGNAME"] = account.Name;
        environment["HOME"] = account.Home;
        environment["SHELL"] = account.Shell;
        environment["K8SHELL_WORKSPACE"] = options.Value.Name;

        var workingDirectory = Directory.Exists(account.Home) ? account.Home : "/";
        return account.SwitchFromRoot
            ? new ProcessLaunch(Setpriv, ["--reuid", $"{account.Uid}", "--regid", $"{account.Gid}",
                "--groups", string.Join(',', account.Groups), "--", program, .. arguments],
                environment, workingDirectory) { TerminalOwner = (account.Uid, account.Gid) }
            : new ProcessLaunch(program, arguments, environment, workingDirectory);
    }
}
