using System.Net.Sockets;
using K8shell.Ssh.Connection;
using K8shell.Ssh.HostKeys;
using K8shell.Ssh.Transport;
using K8shell.Testing.SshHost;

namespace K8shell.Ssh.Tests;

/// <summary>What a run did: ssh's exit code, what the command printed, ssh's -v log.</summary>
internal sealed record RunResult(int ExitCode, byte[] Stdout, string Log);

/// <summary>What a run does besides running a command: server settings, client agent, what happens once connected.</summary>
internal sealed record Scenario
{
    public Action<SshServerConnection>? OnConnected { get; init; }

    /// <summary>SIGSTOP the client for this long once connected.</summary>
    public TimeSpan? FreezeClientFor { get; init; }

    /// <summary>SSH_AUTH_SOCK for the client.</summary>
    public string? AgentSocket { get; init; }

    public RekeyLimits RekeyLimits { get; init; } = RekeyLimits.Default;
}

/// <summary>
/// OpenSSH against the test host: one connection with a fresh user key, one command (or none, for
/// -N and -W), stdin fed and stdout collected while the host serves on the library.
/// </summary>
internal sealed class HostedRuns(string directory, CancellationToken cancellation)
{
    public static readonly Ed25519HostKey HostKey = Ed25519HostKey.Generate();

    private CancellationToken Cancellation => cancellation;

    public Task<RunResult> RunAsync(string? command, byte[] stdin, params string[] options) =>
        RunAsync(command, stdin, new Scenario(), options);

    public async Task<RunResult> RunAsync(string? command, byte[] stdin, Scenario scenario, params string[] options)
    {
        var (keyFile, authorizedKey) = await UserKeyAsync();
        var config = TestHost.AcceptingOnly(HostKey, authorizedKey, scenario.RekeyLimits);
        var environment = scenario.AgentSocket is null ? null : new Dictionary<string, string> { ["SSH_AUTH_SOCK"] = scenario.AgentSocket };
        await using var ssh = OpenSshClient.StartCommand(OpenSshKeyFile.PublicKeyLine(HostKey), "alice", environment, command,
            [$"IdentityFile={keyFile}", "PreferredAuthentications=publickey", .. options]);

        using var socket = await ssh.AcceptAsync(Cancellation);
        await using var stream = new NetworkStream(socket);
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var serve = Task.Run(async () =>
        {
            var connection = await SshServer.HandshakeAsync(stream, config, Cancellation);
            scenario.OnConnected?.Invoke(connection);
            connected.SetResult();
            await TestHost.ServeAsync(connection, Cancellation);
        });
        if (scenario.FreezeClientFor is { } freeze)
        {
            await connected.Task.WaitAsync(Cancellation);
            ssh.Signal(19); // SIGSTOP: the client can no longer answer anything
            await Task.Delay(freeze, Cancellation);
            ssh.Signal(18); // SIGCONT: it wakes to find itself disconnected
        }

        var feed = Task.Run(async () =>
        {
            await ssh.Input.WriteAsync(stdin, Cancellation);
            ssh.Input.Close();
        });
        using var output = new MemoryStream();
        await ssh.Output.CopyToAsync(output, Cancellation);
        await feed;
        var exitCode = await ssh.ExitCodeAsync(Cancellation);
        await serve;
        return new RunResult(exitCode, output.ToArray(), await ssh.LogAsync(Cancellation));
    }

    public Task<(string KeyFile, string AuthorizedKey)> UserKeyAsync() => UserKeys.GenerateAsync(directory, "ed25519", null, Cancellation);
}
