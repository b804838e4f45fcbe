using System.Net.Sockets;
using K8shell.Ssh.HostKeys;
using K8shell.Testing.SshHost;

namespace K8shell.Ssh.Tests;

/// <summary>An interactive shell on a PTY through the test host, driven by OpenSSH in a real terminal (tmux).</summary>
public sealed class OpenSshTerminalTests : IDisposable
{
    private static readonly Ed25519HostKey HostKey = Ed25519HostKey.Generate();
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-terminal-").FullName;
    private readonly CancellationTokenSource _deadline = TestDeadline.Create(TimeSpan.FromSeconds(60));

    private CancellationToken Cancellation => _deadline.Token;

    public void Dispose()
    {
        _deadline.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_pty_shell_gets_the_terminal_its_size_env_resizes_ctrl_c_and_exit_status()
    {
        var (keyFile, authorizedKey) = await UserKeys.GenerateAsync(_directory, "ed25519", null, Cancellation);
        var config = TestHost.AcceptingOnly(HostKey, authorizedKey);
        await using var client = await TmuxClient.StartAsync(OpenSshKeyFile.PublicKeyLine(HostKey), "alice",
            [$"IdentityFile={keyFile}", "PreferredAuthentications=publickey", "SetEnv=K8SHELL_PROBE=from-the-client"], Cancellation);
        using var socket = await client.AcceptAsync(Cancellation);
        await using var stream = new NetworkStream(socket);
        var serve = Task.Run(async () => await TestHost.ServeAsync(await SshServer.HandshakeAsync(stream, config, Cancellation), Cancellation), Cancellation);

        // pty-req: a terminal device, tmux's 80×24 and its TERM; env: the variable SetEnv sent.
        await client.Terminal.ProveInteractiveShellAsync("K8SHELL_PROBE", "from-the-client", Cancellation);
        await serve;
    }
}
