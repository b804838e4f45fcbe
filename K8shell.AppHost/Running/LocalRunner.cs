using System.Runtime.InteropServices;
using System.Text.Json;

namespace K8shell.AppHost.Running;

/// <summary>
/// Runs resources as local processes in dependency order, each gated on its health, until Ctrl+C
/// or SIGTERM; then stops them in reverse order. A resource that dies is reported with its last
/// lines and takes the stack down: nothing is restarted silently.
/// </summary>
internal sealed class LocalRunner(IReadOnlyList<Resource> resources, string dataDirectory)
{
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private readonly LogPrinter _log = new();
    private readonly List<RunningResource> _running = [];

    public async Task<int> RunAsync()
    {
        using var stopping = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        var width = resources.Max(resource => resource.Name.Length);
        foreach (var resource in resources)
        {
            _log.Register(resource.Name, width);
        }

        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            foreach (var resource in resources)
            {
                var running = RunningResource.Start(resource, _log);
                _running.Add(running);
                await running.WaitUntilHealthyAsync(http, HealthTimeout, stopping.Token);
                _log.Say($"✓ {resource.Name} is healthy ({string.Join(", ", resource.Endpoints.Select(e => $"{e.Key} {e.Value.GetLeftPart(UriPartial.Authority)}"))})");
            }
            var endpointsFile = await WriteEndpointsAsync();
            PrintSummary(endpointsFile);

            var died = await Task.WhenAny(_running.Select(async running => { await running.Exited; return running; }))
                .WaitAsync(stopping.Token);
            throw new ResourceFailedException(await died, $"exited with code {(await died).ExitCode}");
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            _log.Say("Stopping K8shell...");
            return await StopAllAsync(0);
        }
        catch (ResourceFailedException failure)
        {
            _log.Say($"✗ {failure.Message}");
            return await StopAllAsync(1);
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopping.Cancel();
        }
    }

    private async Task<int> StopAllAsync(int exitCode)
    {
        for (var i = _running.Count - 1; i >= 0; i--)
        {
            await _running[i].StopAsync(StopGrace);
        }
        _log.Say("K8shell stopped.");
        return exitCode;
    }

    private async Task<string> WriteEndpointsAsync()
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, "endpoints.json");
        var endpoints = resources.ToDictionary(
            resource => resource.Name,
            resource => resource.Endpoints.ToDictionary(endpoint => endpoint.Key, endpoint => endpoint.Value.GetLeftPart(UriPartial.Authority)));
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(endpoints, new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    private void PrintSummary(string endpointsFile)
    {
        _log.Say($"K8shell is running: {string.Join(", ", resources.Select(resource => resource.Name))}.");
        _log.Say($"Endpoints: {endpointsFile}");
        _log.Say("SSH access is not served yet: the gateway's SSH listener arrives with the SshProxy issue.");
        _log.Say("Press Ctrl+C to stop.");
    }
}
