using System.Diagnostics;
using K8shell.Testing;

namespace K8shell.EndToEnd.Tests;

/// <summary>OpenSSH's clients pointed at the stack's gateway, as a developer runs them: no config file, the fixture's key.</summary>
public sealed class Gateway(AppHostStack stack)
{
    /// <summary>Options every client shares (ssh takes the port with -p, scp and sftp with -P): the gateway's port, the key (the developer's unless given), no host-key prompts, no config surprises.</summary>
    public string[] Options(string portFlag = "-p", string? keyFile = null) =>
    [
        "-F", "/dev/null", "-i", keyFile ?? stack.KeyFile, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
        "-o", "ConnectTimeout=20", portFlag, stack.SshPort.ToString(),
    ];

    public string Destination(string? userString = null) => $"{userString ?? stack.User}@127.0.0.1";

    /// <summary><c>ssh [extra] user@gateway command</c> (extra first: ssh keeps the first value of an option): exit code, stdout, stderr.</summary>
    public Task<(int ExitCode, string Output, string Errors)> SshAsync(string? command, string? userString = null, params string[] extra) =>
        Programs.RunAsync("ssh", [.. extra, .. Options(), Destination(userString), .. command is null ? Array.Empty<string>() : [command]],
            cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>
    /// As <see cref="SshAsync"/>, for a person who answers prompts (<paramref name="askpass"/>; BatchMode off) and, when
    /// <paramref name="keyFile"/> is given, holds that key instead of the developer's.
    /// </summary>
    public Task<(int ExitCode, string Output, string Errors)> InteractiveSshAsync(Askpass askpass, string? command, string userString, string? keyFile,
        params string[] extra) =>
        Programs.RunAsync("ssh", [.. extra, "-o", "BatchMode=no", .. Options(keyFile: keyFile), Destination(userString), .. command is null ? Array.Empty<string>() : [command]],
            askpass.Environment, TestContext.Current.CancellationToken);

    /// <summary>A long-running ssh (for -L, -R, -D, -N): kill it by disposing.</summary>
    public RunningProgram Start(string? command, string? userString = null, params string[] extra) =>
        Programs.Start("ssh", [.. extra, .. Options(), Destination(userString), .. command is null ? Array.Empty<string>() : [command]]);

    /// <summary>An ssh whose stdin, stdout and stderr the test drives itself (a script fed on stdin, lines read as they come).</summary>
    public Process StartPiped(string? command, params string[] extra)
    {
        var start = new ProcessStartInfo("ssh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[.. extra, .. Options(), Destination(), .. command is null ? Array.Empty<string>() : [command]])
        {
            start.ArgumentList.Add(argument);
        }
        return Process.Start(start)!;
    }

    public Task<(int ExitCode, string Output, string Errors)> ScpAsync(params string[] arguments) =>
        Programs.RunAsync("scp", [.. Options("-P"), .. arguments], cancellationToken: TestContext.Current.CancellationToken);

    /// <summary><c>sftp [extra] -b batchFile user@gateway</c> (extra first, as for ssh).</summary>
    public Task<(int ExitCode, string Output, string Errors)> SftpAsync(string batchFile, string? userString = null, params string[] extra) =>
        Programs.RunAsync("sftp", [.. extra, .. Options("-P"), "-b", batchFile, Destination(userString)], cancellationToken: TestContext.Current.CancellationToken);
}
