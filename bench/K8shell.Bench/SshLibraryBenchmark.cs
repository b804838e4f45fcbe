using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using K8shell.Ssh;
using K8shell.Ssh.HostKeys;
using K8shell.Testing;
using K8shell.Testing.SshHost;

namespace K8shell.Bench;

/// <summary>
/// K8shell.Ssh (its test host, commands as local processes) against Debian's sshd: the same host key,
/// user key, client and commands, runs alternating between the two. Connection setup is `ssh … true`;
/// throughput is `head -c N /dev/zero` down and `cat > /dev/null` up, through the default cipher.
/// </summary>
internal sealed class SshLibraryBenchmark(string directory, int runs, int mebibytes, AllocationSampler? sampler)
{
    private readonly string _hostKey = Path.Combine(directory, "host_ed25519");
    private readonly string _userKey = Path.Combine(directory, "user_ed25519");

    public async Task<IReadOnlyList<(string Name, Measurement Ours, Measurement Sshd, bool Throughput)>> RunAsync(CancellationToken cancellationToken)
    {
        await SshKeys.GenerateAsync(_hostKey, cancellationToken: cancellationToken);
        var (_, authorizedKey) = await SshKeys.GenerateAsync(_userKey, cancellationToken: cancellationToken);

        using var ours = StartOurs(OpenSshKeyFile.Parse(await File.ReadAllTextAsync(_hostKey, cancellationToken)), authorizedKey, cancellationToken, out var ourPort);
        using var sshd = await StartSshdAsync(authorizedKey, cancellationToken);

        var cases = new (string Name, string Command, bool Throughput)[]
        {
            ("connection setup (ssh true)", "true", false),
            ($"download {mebibytes} MiB (head /dev/zero)", $"head -c {mebibytes}M /dev/zero", true),
            ($"upload {mebibytes} MiB (cat > /dev/null)", "cat > /dev/null", true),
        };
        var results = new List<(string, Measurement, Measurement, bool)>();
        // BENCH_ONLY=download (any part of a measure's name) runs that one, e.g. under a profiler.
        var only = Environment.GetEnvironmentVariable("BENCH_ONLY");
        foreach (var (name, command, throughput) in cases.Where(c => only is null || c.Name.Contains(only)))
        {
            var ourTimes = new Measurement();
            var sshdTimes = new Measurement();
            sampler?.Start();
            for (var run = 0; run < runs; run++)
            {
                // Alternate, so drift in the machine's load hits both alike.
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                ourTimes.Add(await TimeSshAsync(ourPort, command, upload: command.StartsWith("cat"), cancellationToken));
                ourTimes.AddAllocated(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore);
                sampler?.Pause();
                sshdTimes.Add(await TimeSshAsync(sshd.Port, command, upload: command.StartsWith("cat"), cancellationToken));
                sampler?.Resume();
            }
            if (sampler is not null)
            {
                Console.WriteLine($"allocation samples, {name} (k8shell runs):");
                foreach (var (type, bytes) in sampler.Stop().Take(15))
                {
                    Console.WriteLine($"  {bytes / 1024,10} KiB  {type}");
                }
            }
            results.Add((name, ourTimes, sshdTimes, throughput));
        }
        return results;
    }

    private TcpListener StartOurs(HostKey hostKey, string authorizedKey, CancellationToken cancellationToken, out int port)
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

    private async Task<SshdProcess> StartSshdAsync(string authorizedKey, CancellationToken cancellationToken)
    {
        var authorizedKeys = Path.Combine(directory, "authorized_keys");
        await File.WriteAllTextAsync(authorizedKeys, authorizedKey + "\n", cancellationToken);
        var port = K8shell.Testing.FreePort.Next();
        var config = Path.Combine(directory, "sshd_config");
        await File.WriteAllLinesAsync(config,
        [
            $"Port {port}", "ListenAddress 127.0.0.1", $"HostKey {_hostKey}", $"AuthorizedKeysFile {authorizedKeys}",
            "StrictModes no", "UsePAM no", "PermitRootLogin prohibit-password", "PasswordAuthentication no",
            "KbdInteractiveAuthentication no", "PidFile none", "LogLevel ERROR", "Subsystem sftp /usr/lib/openssh/sftp-server",
        ], cancellationToken);
        Directory.CreateDirectory("/run/sshd"); // privilege separation needs it, as the Debian service would create it
        var process = Process.Start(new ProcessStartInfo("/usr/sbin/sshd", ["-D", "-e", "-f", config]) { RedirectStandardError = true })!;
        var sshd = new SshdProcess(process, port);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return sshd;
            }
            catch (SocketException) when (attempt < 100 && !process.HasExited)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    private async Task<TimeSpan> TimeSshAsync(int port, string command, bool upload, CancellationToken cancellationToken)
    {
        var ssh = $"ssh -F /dev/null -o Port={port} -o BatchMode=yes -o IdentitiesOnly=yes -o IdentityFile={_userKey} " +
                  $"-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR {Environment.UserName}@127.0.0.1 '{command}'";
        var line = upload ? $"head -c {mebibytes}M /dev/zero | {ssh}" : $"{ssh} > /dev/null";
        var stopwatch = Stopwatch.StartNew();
        await Programs.RunToSuccessAsync("/bin/sh", ["-c", line], cancellationToken: cancellationToken);
        return stopwatch.Elapsed;
    }

    private sealed class SshdProcess(Process process, int port) : IDisposable
    {
        public int Port { get; } = port;

        public void Dispose()
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
        }
    }
}
