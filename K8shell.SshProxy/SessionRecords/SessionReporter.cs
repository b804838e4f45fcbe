using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using K8shell.Contracts.Sessions.V1;
using K8shell.SshProxy.Connections;

namespace K8shell.SshProxy.SessionRecords;

/// <summary>
/// Keeps one connection's session record in Sessions: upserted at once, then every
/// <see cref="SessionReportingOptions.UpdateInterval"/> with the connection's counters, and ended when disposed.
/// It runs beside the connection and never holds it up: a failed upsert is retried at the next tick, and the end is
/// tried in the background (<see cref="SessionReporting"/> keeps it going after the connection is gone).
/// </summary>
internal sealed class SessionReporter : IAsyncDisposable
{
    private readonly SessionService.SessionServiceClient _sessions;
    private readonly SessionStart _start;
    private readonly ConnectionTraffic _traffic;
    private readonly SessionReportingOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Action<Task> _keepEnding;
    private readonly OutageLatch _outage = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _updates;
    private volatile bool _known;
    private int _disposed;

    public SessionReporter(SessionService.SessionServiceClient sessions, SessionStart start, ConnectionTraffic traffic, SessionReportingOptions options,
        ILogger logger, TimeProvider time, Action<Task> keepEnding)
    {
        (_sessions, _start, _traffic, _options, _logger, _time, _keepEnding) = (sessions, start, traffic, options, logger, time, keepEnding);
        _updates = Task.Run(UpdateAsync);
    }

    /// <summary>Stops the updates and ends the record in the background, with the final counters.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        var endedAt = _time.GetUtcNow();
        await _stop.CancelAsync();
        await _updates;
        _stop.Dispose();
        _keepEnding(EndAsync(endedAt));
    }

    private async Task UpdateAsync()
    {
        using var ticks = new PeriodicTimer(_options.UpdateInterval, _time);
        try
        {
            do
            {
                await UpsertAsync(_stop.Token);
            }
            while (await ticks.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The connection closed: the end takes over.
        }
    }

    private async Task UpsertAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _sessions.UpsertSessionAsync(new UpsertSessionRequest { Session = Snapshot() }, cancellationToken: cancellationToken);
            _known = true;
            if (_outage.Recover())
            {
                _logger.LogInformation("Session {SessionId} is reported to Sessions again", _start.SessionId);
            }
        }
        catch (RpcException) when (cancellationToken.IsCancellationRequested)
        {
            // The connection closed during the call: the end takes over.
        }
        catch (RpcException failure)
        {
            if (_outage.Fail())
            {
                _logger.LogWarning("Cannot report session {SessionId} to Sessions ({Status}: {Detail}); retrying every {Interval}",
                    _start.SessionId, failure.StatusCode, failure.Status.Detail, _options.UpdateInterval);
            }
        }
    }

    private async Task EndAsync(DateTimeOffset endedAt)
    {
        var delay = _options.EndRetryDelay;
        for (var attempt = 1; attempt <= _options.EndAttempts; attempt++)
        {
            try
            {
                if (!_known)
                {
                    // Sessions never heard of it (down since the start): the record is made, then ended.
                    await _sessions.UpsertSessionAsync(new UpsertSessionRequest { Session = Snapshot() });
                    _known = true;
                }
                await _sessions.EndSessionAsync(new EndSessionRequest
                {
                    SessionId = _start.SessionId,
                    EndTime = Timestamp.FromDateTimeOffset(endedAt),
                    BytesIn = _traffic.BytesIn,
                    BytesOut = _traffic.BytesOut,
                    Operations = { _traffic.Operations },
                });
                return;
            }
            catch (RpcException failure) when (attempt < _options.EndAttempts)
            {
                _logger.LogDebug("Ending session {SessionId} failed ({Status}); attempt {Attempt} of {Attempts}",
                    _start.SessionId, failure.StatusCode, attempt, _options.EndAttempts);
                await Task.Delay(delay, _time);
                delay *= 2;
            }
            catch (RpcException failure)
            {
                _logger.LogWarning("Gave up ending session {SessionId} after {Attempts} attempts ({Status}: {Detail}); Sessions' janitor will end it",
                    _start.SessionId, attempt, failure.StatusCode, failure.Status.Detail);
            }
        }
    }

    private Session Snapshot() => new()
    {
        SessionId = _start.SessionId,
        Username = _start.Username,
        Workspace = _start.Workspace,
        Blueprint = _start.Blueprint,
        Client = _start.Client,
        ClientIp = _start.ClientAddress.Address.ToString(),
        ClientPort = (uint)_start.ClientAddress.Port,
        ProxyId = _start.ProxyId,
        K8ShelldVer = _start.K8shelldVersion,
        StartTime = Timestamp.FromDateTimeOffset(_start.StartTime),
        BytesIn = _traffic.BytesIn,
        BytesOut = _traffic.BytesOut,
        Operations = { _traffic.Operations },
    };
}
