using System.Security.Claims;
using Grpc.Core;
using K8shell.Contracts.Workspace.V1;
using K8shell.Ssh;
using K8shell.WorkspaceDaemon.Agent;
using K8shell.WorkspaceDaemon.InitScripts;
using K8shell.WorkspaceDaemon.Workspace;
using Microsoft.Extensions.Options;

namespace K8shell.WorkspaceDaemon.Processes;

/// <summary>What a process call will run, decided before anything starts; <see cref="Splash"/> is written first (PTY shells).</summary>
internal sealed record ProcessPlan(ProcessKind Kind, ProcessLaunch Launch, string? Splash);

/// <summary>
/// Checks a start message and turns it into a launch: which program (login shell, shell -c, or
/// sftp-server), as whom (as_user needs root and a sudo token), on what terminal, with what
/// environment. Refusals are gRPC statuses the proxy can show the user.
/// </summary>
internal sealed class ProcessStarter(UserProcesses processes, InitScriptRunner initScripts, AgentSockets agents, IOptions<WorkspaceOptions> options)
{
    public ProcessPlan Plan(ProcessKind kind, ProcessStart start, ClaimsPrincipal caller)
    {
        var account = AccountFor(start.AsUser, caller);
        var (program, arguments) = kind switch
        {
            ProcessKind.Shell when start.Command.Length > 0 => throw Invalid("a shell takes no command"),
            ProcessKind.Shell => (account.Shell, new[] { "-l" }),
            ProcessKind.Exec when start.Command.Length == 0 => throw Invalid("exec needs a command"),
            ProcessKind.Exec => (account.Shell, ["-c", start.Command]),
            ProcessKind.Sftp when start.Command.Length > 0 || start.Pty is not null => throw Invalid("sftp takes no command and no terminal"),
            _ => (options.Value.SftpServer, Array.Empty<string>()),
        };
        var extra = new Dictionary<string, string>();
        if (start.Pty is { } pty && pty.Term.Length > 0)
        {
            extra["TERM"] = pty.Term;
        }
        if (start.AgentForwarding && agents.PathFor(start.SessionId) is { } agentSocket)
        {
            extra["SSH_AUTH_SOCK"] = agentSocket;
        }
        var launch = processes.Launch(program, arguments, start.Env, extra, account);
        if (start.Pty is { } terminal)
        {
            launch = launch with
            {
                Terminal = new TerminalSize(Clamp(terminal.Columns), Clamp(terminal.Rows), Clamp(terminal.WidthPixels), Clamp(terminal.HeightPixels)),
                TerminalModes = DecodeModes(terminal),
            };
        }
        var splash = kind == ProcessKind.Shell && start.ShowSplash && start.Pty is not null ? Splash(account, caller) : null;
        return new ProcessPlan(kind, launch, splash);
    }

    private WorkspaceAccount AccountFor(string asUser, ClaimsPrincipal caller)
    {
        if (asUser.Length == 0 || asUser == processes.Account.Name)
        {
            return processes.Account;
        }
        if (!WorkspaceAccount.DaemonIsRoot)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"cannot run as {asUser}: this workspace's daemon does not run as root"));
        }
        if (caller.FindFirst("sudo")?.Value != "true")
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"cannot run as {asUser}: you are not allowed to (no sudo)"));
        }
        var entry = PasswdEntry.Find(asUser) ?? throw new RpcException(new Status(StatusCode.NotFound, $"cannot run as {asUser}: no such user in the workspace"));
        return WorkspaceAccount.From(entry);
    }

    /// <summary>The blueprint's splash with its fields filled in, then how the init scripts went; CR LF for the terminal.</summary>
    private string? Splash(WorkspaceAccount account, ClaimsPrincipal caller)
    {
        var lines = new List<string>();
        if (options.Value.Splash.Length > 0)
        {
            lines.Add(SplashTemplate.Render(options.Value.Splash.TrimEnd('\n'), new(DaemonVersion.Number, DaemonVersion.Commit,
                caller.Identity?.Name ?? options.Value.Owner, account.Name, Environment.MachineName, DateTimeOffset.Now)));
        }
        foreach (var script in initScripts.Statuses())
        {
            lines.Add($"init script {script.Name}: {InitScriptRunner.Describe(script)}");
        }
        return lines.Count == 0 ? null : string.Join("\r\n", lines.SelectMany(line => line.Split('\n'))) + "\r\n";
    }

    private static IReadOnlyDictionary<byte, uint> DecodeModes(PtyRequest pty)
    {
        try
        {
            return K8shell.Ssh.Connection.PtyRequest.DecodeTerminalModes(pty.TerminalModes.Span);
        }
        catch (SshProtocolException malformed)
        {
            throw Invalid($"terminal modes: {malformed.Message}");
        }
    }

    private static ushort Clamp(uint value) => (ushort)Math.Min(value, ushort.MaxValue);

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
