using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using K8shell.Testing;
using K8shell.Testing.Hostile;

namespace K8shell.EndToEnd.Tests.Hostile;

/// <summary>
/// An authenticated client that opens 10 000 session channels in one burst and closes none (<see cref="ChannelFlood"/>):
/// past the per-connection limit each is refused with resource shortage, and the gateway's memory stays bounded.
/// </summary>
public sealed partial class ChannelFloodTests(StackFixture stack)
{
    private const string Attacker = "127.0.0.21";
    private const int Opens = 10_000;
    private const int MaxChannels = 64; // SPEC.md §2

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ten_thousand_channel_opens_get_the_limit_and_resource_shortage_for_the_rest()
    {
        var gatewayProcessId = await GatewayProcessIdAsync();
        var before = ResidentMiB(gatewayProcessId);
        // The script reads the gateway's memory itself once every open is answered, while its channels are still open.
        var program = $"""
            import socket, paramiko
            s = socket.create_connection(("127.0.0.1", {stack.SshPort}), source_address=("{Attacker}", 0))
            t = paramiko.Transport(s)
            t.start_client(timeout=20)
            t.auth_publickey("{stack.User}", paramiko.Ed25519Key.from_private_key_file("{stack.KeyFile}"))
            print("flooding", flush=True)

            """ + ChannelFlood.Script(Opens) + $"""
            print("gateway", [line for line in open("/proc/{gatewayProcessId}/status") if line.startswith("VmRSS")][0].split()[1], flush=True)
            t.close()
            """;
        using var flood = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", program]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        try
        {
            var errors = flood.StandardError.ReadToEndAsync(Cancellation);
            Assert.True(await flood.StandardOutput.ReadLineAsync(Cancellation) == "flooding", $"the flooding client did not log in: {await errors}");
            await WellBehavedClient.LogInAsync(new Gateway(stack), "a flood of 10 000 channel opens");
            var output = await flood.StandardOutput.ReadToEndAsync(Cancellation).WaitAsync(TimeSpan.FromSeconds(90), Cancellation);

            var (opened, refused, connected) = ChannelFlood.Parse(output);
            var during = long.Parse(output.Split('\n').Single(line => line.StartsWith("gateway ", StringComparison.Ordinal))[8..], CultureInfo.InvariantCulture) / 1024;
            TestContext.Current.TestOutputHelper?.WriteLine($"channel flood: {opened} opened, {string.Join(", ", refused.Select(r => $"{r.Value} refused '{r.Key}'"))}; "
                + $"gateway resident memory {before} MiB before, {during} MiB with the flood's channels open");
            Assert.True(opened == MaxChannels, $"{opened} channels opened, the limit is {MaxChannels}:\n{output}{await errors}");
            Assert.Equal(new Dictionary<string, int> { [$"4 too many channels (at most {MaxChannels})"] = Opens - MaxChannels }, refused);
            Assert.True(connected, "the gateway dropped the connection instead of refusing the channels");
            Assert.True(during - before < 100, $"the gateway's resident memory grew from {before} to {during} MiB");
        }
        finally
        {
            if (!flood.HasExited)
            {
                flood.Kill();
            }
        }
    }

    /// <summary>The process listening on the gateway's SSH port.</summary>
    private async Task<int> GatewayProcessIdAsync()
    {
        var listening = await Programs.RunToSuccessAsync("ss", ["-H", "-ltnp", $"sport = :{stack.SshPort}"], cancellationToken: Cancellation);
        var match = ProcessIdField().Match(listening);
        Assert.True(match.Success, $"no process found listening on {stack.SshPort}: {listening}");
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static long ResidentMiB(int processId) => Process.GetProcessById(processId).WorkingSet64 / (1024 * 1024);

    [GeneratedRegex(@"pid=(\d+)")]
    private static partial Regex ProcessIdField();
}
