using System.Net;
using System.Text.Json;
using K8shell.ServiceDefaults.Nats;
using K8shell.Shield.Bans;
using K8shell.Shield.State;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace K8shell.Shield.Consuming;

/// <summary>
/// Reads failed-login events and counts them. The proxies publish with core NATS; a JetStream work-queue stream
/// captures the subject and every replica pulls from one durable consumer, so each event reaches exactly one replica
/// (a core subscription would give each replica every event, and queue groups lose what arrives while all are down).
/// An event is acknowledged once counted (and its ban written): a replica that dies in between leaves it to be
/// delivered again, so delivery is at least once, and a failure can then count twice, never zero times.
/// </summary>
internal sealed partial class FailureConsumer(
    INatsConnection connection,
    IOptions<ShieldOptions> options,
    ShieldState state,
    BanIssuer issuer,
    Detection.FailureDetector detector,
    ShieldTelemetry telemetry,
    TimeProvider time,
    ILogger<FailureConsumer> logger) : BackgroundService
{
    /// <summary>
    /// Short pull requests: one lost with a NATS restart is only replaced when it expires, so the default 30 s would
    /// leave events waiting that long after NATS comes back.
    /// </summary>
    private static readonly NatsJSConsumeOpts PullOptions = new() { MaxMsgs = 100, Expires = TimeSpan.FromSeconds(5) };

    private readonly ShieldOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ConsumeAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogConsumeFailed(logger, exception, _options.Stream, _options.RetryDelay);
            }
            try
            {
                await Task.Delay(_options.RetryDelay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ConsumeAsync(CancellationToken cancellationToken)
    {
        var jetStream = connection.CreateJetStreamContext();
        // Same configuration from every replica: creating or updating it again is a no-op.
        await jetStream.CreateOrUpdateStreamAsync(new StreamConfig(_options.Stream, [_options.Subject])
        {
            Description = "Failed-login events from the proxies, for K8shell.Shield",
            Retention = StreamConfigRetention.Workqueue,
            Storage = StreamConfigStorage.File,
            // An event older than the window counts for nothing; keeping it longer only delays a restart's catch-up.
            MaxAge = _options.Window,
        }, cancellationToken);
        var consumer = await jetStream.CreateOrUpdateConsumerAsync(_options.Stream, new ConsumerConfig(_options.Consumer)
        {
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            AckWait = TimeSpan.FromSeconds(30),
        }, cancellationToken);
        LogConsuming(logger, _options.Subject, _options.Stream, _options.Consumer);
        await foreach (var message in consumer.ConsumeAsync<byte[]>(opts: PullOptions, cancellationToken: cancellationToken))
        {
            telemetry.EventConsumed();
            if (!TryRead(message.Data, out var failure, out var address))
            {
                // Never counts, so redelivering it is pointless.
                await message.AckTerminateAsync(cancellationToken: cancellationToken);
                continue;
            }
            try
            {
                await CountAsync(failure, address, cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Back after the retry delay instead of the 30 s acknowledgement wait: its ban is due now.
                LogCountFailed(logger, exception, address, _options.RetryDelay);
                await message.NakAsync(delay: _options.RetryDelay, cancellationToken: cancellationToken);
                continue;
            }
            await message.AckAsync(cancellationToken: cancellationToken);
        }
    }

    private async Task CountAsync(FailureEvent failure, IPAddress address, CancellationToken cancellationToken)
    {
        if (detector.IsWhitelisted(address))
        {
            return;
        }
        var now = time.GetUtcNow();
        await state.CountAsync(address, new DateTimeOffset(failure.Timestamp), now,
            (ban, cancellation) => issuer.IssueAsync(address, ban, now, cancellation), cancellationToken);
    }

    private bool TryRead(byte[]? data, out FailureEvent failure, out IPAddress address)
    {
        failure = null!;
        address = IPAddress.None;
        try
        {
            failure = FailureEvent.FromJson(data ?? []);
        }
        catch (JsonException exception)
        {
            LogUnreadable(logger, exception, _options.Stream);
            return false;
        }
        if (!IPAddress.TryParse(failure.ClientIp, out var parsed))
        {
            LogUnreadable(logger, exception: null, _options.Stream);
            return false;
        }
        address = BanEntry.Normalize(parsed);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Shield: consuming {Subject} through stream {Stream}, consumer {Consumer}")]
    private static partial void LogConsuming(ILogger logger, string subject, string stream, string consumer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shield: consuming stream {Stream} failed; retrying in {RetryDelay}")]
    private static partial void LogConsumeFailed(ILogger logger, Exception exception, string stream, TimeSpan retryDelay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shield: counting a failure of {Address} failed; it comes back in {RetryDelay}")]
    private static partial void LogCountFailed(ILogger logger, Exception exception, IPAddress address, TimeSpan retryDelay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shield: an event in stream {Stream} is not a failure event with a client address; dropped")]
    private static partial void LogUnreadable(ILogger logger, Exception? exception, string stream);
}
