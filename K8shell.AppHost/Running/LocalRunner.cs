using System.Runtime.InteropServices;

namespace K8shell.AppHost.Running;

/// <summary>
/// The console run (<c>dotnet run</c>, ./run.sh): starts the stack (<see cref="LocalStack"/>), says where it is, and
/// keeps it until Ctrl+C or SIGTERM. A resource that dies or never gets healthy is reported with its last lines and
/// takes the stack down: nothing restarts silently.
/// </summary>
internal sealed class LocalRunner(DistributedApplication app)
{
    private readonly LogPrinter _log = new();

    public async Task<int> RunAsync()
    {
        using var stopping = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        await using var stack = new LocalStack(app, _log);
        try
        {
            await stack.StartAsync(stopping.Token);
            var endpointsFile = await EndpointsFile.WriteAsync(app.ExecutionContext.DataDirectory, stack.Processes);
            await new RunSummary(_log).PrintAsync(stack.Processes, endpointsFile);

            var died = await stack.FirstExitAsync().WaitAsync(stopping.Token);
            throw new ResourceFailedException(died, $"exited with code {died.ExitCode}");
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            _log.Say("Stopping K8shell...");
            return await StopAsync(stack, 0);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            // A resource that died (with its last lines), or a model that cannot run here (not built, no nats-server).
            _log.Say($"✗ {failure.Message}");
            return await StopAsync(stack, 1);
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopping.Cancel();
        }
    }

    private async Task<int> StopAsync(LocalStack stack, int exitCode)
    {
        await stack.StopAsync();
        _log.Say("K8shell stopped.");
        return exitCode;
    }
}
