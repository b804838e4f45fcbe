using System.Net;
using System.Net.Sockets;

namespace K8shell.AppHost.Running;

/// <summary>What the user reads once the stack is healthy: what runs, where the endpoints are written, how to ssh in.</summary>
internal sealed class RunSummary(LogPrinter log)
{
    /// <summary>The endpoint name the gateway's SSH listener has in the model.</summary>
    public const string SshEndpointName = "ssh";

    public async Task PrintAsync(IReadOnlyList<LocalProcess> processes, string endpointsFile)
    {
        log.Say($"K8shell is running: {string.Join(", ", processes.Select(process => process.Name))}.");
        log.Say($"Endpoints: {endpointsFile}");
        foreach (var ssh in processes.SelectMany(process => process.Endpoints).Where(endpoint => endpoint.Key == SshEndpointName).Select(endpoint => endpoint.Value))
        {
            var command = $"ssh -p {ssh.Port} {Environment.UserName}@localhost";
            // Say so when nothing listens yet instead of handing out a command that cannot work.
            log.Say(await ListensAsync(ssh)
                ? $"Connect with: {command}"
                : $"Connect with: {command} (but nothing listens on {ssh.Port}: see the ssh-proxy lines above)");
        }
        log.Say("Press Ctrl+C to stop.");
    }

    private static async Task<bool> ListensAsync(Uri endpoint)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, endpoint.Port).WaitAsync(TimeSpan.FromSeconds(2));
            return true;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return false;
        }
    }
}
