using System.Net;
using System.Net.Sockets;
using K8shell.Ssh;
using K8shell.Ssh.HostKeys;
using K8shell.Testing.SshHost;

namespace K8shell.Bench;

/// <summary>
/// K8shell.Ssh alone (its test host in this process, commands as local processes through k8shelld's spawner) against
/// sshd: the same host key, user key, client and commands. Connection setup is `ssh … true`; throughput is
/// `head -c N /dev/zero` down and `cat > /dev/null` up, through the default cipher.
/// </summary>
internal sealed class SshLibraryBenchmark(BenchKeys keys, Sshd sshd, int runs, int mebibytes, AllocationSampler? sampler)
{
    public async Task<IReadOnlyList<Comparison>> RunAsync(CancellationToken cancellationToken)
    {
        var hostKey = OpenSshKeyFile.Parse(await File.ReadAllTextAsync(keys.HostKey, cancellationToken));
        using var listener = StartOurs(hostKey, keys.AuthorizedKey, cancellationToken, out var port);
        var ours = new SshTarget("k8shell.ssh", port, Environment.UserName, keys.UserKey);
        Case[] cases =
        [
            new("connection setup (ssh true)", target => target.Ssh("true")),
            new($"download {mebibytes} MiB (head /dev/zero)", target => $"{target.Ssh($"head -c {mebibytes}M /dev/zero")} > /dev/null", mebibytes),
            new($"upload {mebibytes} MiB (cat > /dev/null)", target => $"head -c {mebibytes}M /dev/zero | {target.Ssh("cat > /dev/null")}", mebibytes),
        ];
        return await PairedRuns.RunAsync(cases, ours, keys.Sshd(sshd), runs, cancellationToken, inProcess: true, sampler);
    }

    private static TcpListener StartOurs(HostKey hostKey, string authorizedKey, CancellationToken cancellationToken, out int port)
    {
        var config = TestHost.AcceptingOnly(hostKey, authorizedKey);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _ = Task.Run(async () =>
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var socket = await listener.AcceptSocketAsync(cancellationToken);
                _ = Task.Run(async () =>
                {
                    using (socket)
                    await using (var stream = new NetworkStream(socket))
                    {
                        try
                        {
                            await TestHost.ServeAsync(await SshServer.HandshakeAsync(stream, config, cancellationToken), cancellationToken);
                        }
                        catch (Exception failure) when (failure is SshProtocolException or IOException or OperationCanceledException)
                        {
                            await Console.Error.WriteLineAsync($"k8shell: {failure.Message}");
                        }
                    }
                }, cancellationToken);
            }
        }, cancellationToken);
        return listener;
    }
}
