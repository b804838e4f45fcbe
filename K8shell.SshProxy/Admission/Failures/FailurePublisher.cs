using System.Diagnostics.Metrics;
using System.Net;
using K8shell.ServiceDefaults.Nats;
using K8shell.ServiceDefaults.Networking;
using Microsoft.Extensions.Options;
using NATS.Client.Core;

namespace K8shell.SshProxy.Admission.Failures;

/// <summary>
/// Sends failed-login events to NATS for K8shell.Shield, off the connection's path: <see cref="Publish"/> only
/// queues. While NATS is unreachable logins go on and events wait in a bounded buffer (the oldest dropped and
/// counted), then go out in order when NATS is back.
/// </summary>
internal sealed partial class FailurePublisher : BackgroundService
{
    public const string DroppedCounterName = "k8shell.proxy.failure_events.dropped";

    public const string PublishedCounterName = "k8shell.proxy.failure_events.published";

    private readonly INatsConnection _connection;
    private readonly FailureOptions _options;
    private readonly NetworkList _whitelist;
    private readonly ILogger<FailurePublisher> _logger;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _published;
    private readonly Queue<FailureEvent> _queue = new();
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _queued = new(0);
    private readonly OutageLatch _outage = new();

    public FailurePublisher(INatsConnection connection, IOptions<FailureOptions> options, IMeterFactory meters, ILogger<FailurePublisher> logger)
    {
        _connection = connection;
        _options = options.Value;
        _whitelist = NetworkList.Parse(_options.Whitelist);
        _logger = logger;
        var meter = meters.Create(ProxyTelemetry.Name);
        _dropped = meter.CreateCounter<long>(DroppedCounterName, "{event}", "Failed-login events dropped because the buffer was full while NATS was unreachable");
        _published = meter.CreateCounter<long>(PublishedCounterName, "{event}", "Failed-login events published to NATS");
    }

    /// <summary>Queues <paramref name="failure"/> for NATS unless the filters exclude its address. Never blocks, never throws.</summary>
    public void Publish(FailureEvent failure)
    {
        if (!ShouldReport(failure.ClientIp))
        {
            return;
        }
        bool dropped;
        lock (_lock)
        {
            dropped = _queue.Count >= _options.BufferSize && _queue.TryDequeue(out _);
            _queue.Enqueue(failure);
        }
        if (dropped)
        {
            _dropped.Add(1);
        }
        if (_queued.CurrentCount == 0)
        {
            _queued.Release();
        }
    }

    /// <summary>False for whitelisted addresses, and for non-public ones when <c>PublicIpOnly</c> is set.</summary>
    private bool ShouldReport(string clientIp)
    {
        if (!IPAddress.TryParse(clientIp, out var address))
        {
            return true;
        }
        return !_whitelist.Contains(address) && (!_options.PublicIpOnly || AddressScope.IsPublic(address));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await _queued.WaitAsync(stoppingToken);
                await DrainAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still queued is lost with the process, as a core NATS publish would be.
        }
    }

    /// <summary>Publishes the queue head by head, each removed only once it went out, so order holds across outages.</summary>
    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (TryPeek(out var next))
        {
            try
            {
                if (_connection.ConnectionState != NatsConnectionState.Open)
                {
                    if (_connection.ConnectionState != NatsConnectionState.Closed)
                    {
                        // NATS.Net is reconnecting by itself; a publish now would sit in its buffer, unaccounted for.
                        NoteOutage(exception: null);
                        await Task.Delay(_options.RetryDelay, cancellationToken);
                        continue;
                    }
                    await _connection.ConnectAsync().AsTask().WaitAsync(cancellationToken);
                }
                await _connection.PublishAsync(_options.Subject, next.ToJson(), cancellationToken: cancellationToken);
                RemoveHead(next);
                _published.Add(1);
                _outage.Recover();
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                NoteOutage(exception);
                await Task.Delay(_options.RetryDelay, cancellationToken);
            }
        }
    }

    private void NoteOutage(Exception? exception)
    {
        if (_outage.Fail())
        {
            LogNatsUnreachable(_logger, exception, _options.Subject, _options.BufferSize, _options.RetryDelay);
        }
    }

    private bool TryPeek(out FailureEvent next)
    {
        lock (_lock)
        {
            return _queue.TryPeek(out next!);
        }
    }

    private void RemoveHead(FailureEvent published)
    {
        lock (_lock)
        {
            // The buffer may have dropped it meanwhile (overflow while we published); then the head is another event.
            if (_queue.TryPeek(out var head) && ReferenceEquals(head, published))
            {
                _queue.Dequeue();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed-login events: NATS unreachable, events for {Subject} are buffered (up to {BufferSize}, oldest dropped) and retried every {RetryDelay}; logins are not affected")]
    private static partial void LogNatsUnreachable(ILogger logger, Exception? exception, string subject, int bufferSize, TimeSpan retryDelay);
}
