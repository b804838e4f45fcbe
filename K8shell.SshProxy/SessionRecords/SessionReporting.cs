using System.Collections.Concurrent;
using K8shell.Contracts.Sessions.V1;
using K8shell.SshProxy.Connections;
using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.SessionRecords;

/// <summary>
/// Starts the <see cref="SessionReporter"/> of each connection and keeps the ends of closed connections going in the
/// background; at shutdown it gives them a short while to finish.
/// </summary>
internal sealed class SessionReporting(
    SessionService.SessionServiceClient sessions, IOptions<SessionReportingOptions> options, ILogger<SessionReporter> logger, TimeProvider time)
    : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownWait = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Task, bool> _endings = new();

    /// <summary>Reports the connection from now on; dispose the reporter when the connection closes.</summary>
    public SessionReporter Start(SessionStart start, ConnectionTraffic traffic) =>
        new(sessions, start, traffic, options.Value, logger, time, Keep);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Task.WhenAll(_endings.Keys).WaitAsync(ShutdownWait);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("{Count} session ends were still being retried at shutdown; Sessions' janitor will end them", _endings.Count);
        }
    }

    private void Keep(Task ending)
    {
        _endings.TryAdd(ending, true);
        _ = ending.ContinueWith(done => _endings.TryRemove(done, out _), TaskScheduler.Default);
    }
}
